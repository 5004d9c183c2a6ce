// Clear integer pooling over NCHW planes: window sums (quantized AveragePool, whose caller
// divides by the full kernel size, count_include_pad = 1) and window maxima (quantized MaxPool).
// Every tap outside the input, in the pads or in the overhang of a ceil-mode window, reads
// padValue (the input zero point in Concrete ML, which pads before pooling).
#pragma once

#include <cstddef>
#include <cstdint>

#include "window_geometry.h"

namespace cq {

struct Pool2dShape {
  std::size_t batch = 1;
  std::size_t channels = 1;
  WindowAxis rows;     // height
  WindowAxis columns;  // width
  bool ceilMode = false;

  std::size_t outHeight() const { return rows.outputLength(ceilMode); }
  std::size_t outWidth() const { return columns.outputLength(ceilMode); }
  std::size_t windowSize() const { return rows.kernel * columns.kernel; }
  bool padded() const;  // true when some tap can fall outside the input
};

// out[N, C, H', W'] = sum of each window. The caller guarantees H', W' >= 1 and
// integerSumPool2dFitsInt64. Runs on the thread pool.
void integerSumPool2d(const int32_t* input, int32_t padValue, int64_t* out, const Pool2dShape& shape);

// out[N, C, H', W'] = max of each window. The caller guarantees H', W' >= 1.
void integerMaxPool2d(const int32_t* input, int32_t padValue, int32_t* out, const Pool2dShape& shape);

// True when maxAbs * windowSize < 2^63 (maxAbs covering padValue when the input is padded).
bool integerSumPool2dFitsInt64(int64_t maxAbs, const Pool2dShape& shape);

// The two implementations of the inner loops, exposed so tests can compare them directly:
// acc[t] += source[t * stride] and acc[t] = max(acc[t], source[t * stride]) for t < count.
struct PoolRowKernels {
  void (*sum)(int64_t* acc, const int32_t* source, std::size_t count, std::size_t stride);
  void (*max)(int32_t* acc, const int32_t* source, std::size_t count, std::size_t stride);
};
PoolRowKernels poolRowKernelsScalar();
PoolRowKernels poolRowKernelsAvx2();

// The pools with given row kernels, so tests can run both paths end to end.
void integerSumPool2dWith(const PoolRowKernels& kernels, const int32_t* input, int32_t padValue, int64_t* out,
                          const Pool2dShape& shape);
void integerMaxPool2dWith(const PoolRowKernels& kernels, const int32_t* input, int32_t padValue, int32_t* out,
                          const Pool2dShape& shape);

}  // namespace cq
