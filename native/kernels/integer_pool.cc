#include "integer_pool.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"
#include "integer_matmul.h"

namespace cq {

namespace {

std::size_t ceilDiv(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

// Output positions [begin, end) whose tap `tap` falls inside the input along `axis`; the
// positions outside that range read padding. Computed once per tap, so the inner loops
// never test bounds.
struct InsideRange {
  std::size_t begin, end;
};
InsideRange insideRange(const WindowAxis& axis, std::size_t outLength, std::size_t tap) {
  const int64_t offset = axis.inputIndex(0, tap);  // input index of this tap in window 0
  const int64_t stride = static_cast<int64_t>(axis.stride);
  const int64_t input = static_cast<int64_t>(axis.input);
  const int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int64_t end = offset >= input ? 0 : (input - offset + stride - 1) / stride;
  const int64_t clampedEnd = std::min<int64_t>(end, static_cast<int64_t>(outLength));
  const int64_t clampedBegin = std::min(begin, clampedEnd);
  return {static_cast<std::size_t>(clampedBegin), static_cast<std::size_t>(clampedEnd)};
}

// Folds every window of planes [N * C) into its output entry. Accumulate folds `count` input
// values `stride` apart into `count` accumulators; AccumulatePad folds padValue into a range.
template <typename Out, typename Accumulate, typename AccumulatePad>
void poolPlanes(const int32_t* input, Out* out, const Pool2dShape& shape, Out initial, Accumulate accumulate,
                AccumulatePad accumulatePad) {
  const std::size_t height = shape.rows.input, width = shape.columns.input;
  const std::size_t outHeight = shape.outHeight(), outWidth = shape.outWidth();
  const std::size_t planes = shape.batch * shape.channels;
  // Split planes into blocks of output rows when there are few planes, so threads share the work.
  const std::size_t wantedTasks = 4 * threadPool().size();
  const std::size_t rowsPerTask = ceilDiv(outHeight, std::min(outHeight, ceilDiv(wantedTasks, planes)));
  const std::size_t tasksPerPlane = ceilDiv(outHeight, rowsPerTask);
  // Which windows of a row each column tap finds inside the input: the same for every row.
  std::vector<InsideRange> insideColumns(shape.columns.kernel);
  for (std::size_t kw = 0; kw < shape.columns.kernel; ++kw) insideColumns[kw] = insideRange(shape.columns, outWidth, kw);
  threadPool().parallelFor(planes * tasksPerPlane, [&](std::size_t begin, std::size_t end) {
    for (std::size_t task = begin; task < end; ++task) {
      const std::size_t plane = task / tasksPerPlane;
      const std::size_t ohBegin = task % tasksPerPlane * rowsPerTask;
      const std::size_t ohEnd = std::min(outHeight, ohBegin + rowsPerTask);
      const int32_t* planeData = input + plane * height * width;
      for (std::size_t oh = ohBegin; oh < ohEnd; ++oh) {
        Out* outRow = out + (plane * outHeight + oh) * outWidth;
        std::fill(outRow, outRow + outWidth, initial);
        for (std::size_t kh = 0; kh < shape.rows.kernel; ++kh) {
          const int64_t ih = shape.rows.inputIndex(oh, kh);
          if (ih < 0 || ih >= static_cast<int64_t>(height)) {
            for (std::size_t kw = 0; kw < shape.columns.kernel; ++kw) accumulatePad(outRow, outWidth);
            continue;
          }
          const int32_t* inputRow = planeData + static_cast<std::size_t>(ih) * width;
          for (std::size_t kw = 0; kw < shape.columns.kernel; ++kw) {
            const InsideRange& inside = insideColumns[kw];
            accumulatePad(outRow, inside.begin);
            if (inside.end > inside.begin) {
              const int64_t firstColumn = shape.columns.inputIndex(inside.begin, kw);
              accumulate(outRow + inside.begin, inputRow + firstColumn, inside.end - inside.begin,
                         shape.columns.stride);
            }
            accumulatePad(outRow + inside.end, outWidth - inside.end);
          }
        }
      }
    }
  });
}

void sumRowScalar(int64_t* acc, const int32_t* source, std::size_t count, std::size_t stride) {
  for (std::size_t t = 0; t < count; ++t) acc[t] += source[t * stride];
}

void maxRowScalar(int32_t* acc, const int32_t* source, std::size_t count, std::size_t stride) {
  for (std::size_t t = 0; t < count; ++t) acc[t] = std::max(acc[t], source[t * stride]);
}

}  // namespace

bool Pool2dShape::padded() const {
  auto reachesOutside = [this](const WindowAxis& axis, std::size_t outLength) {
    return axis.padBegin > 0 || (outLength - 1) * axis.stride + axis.extent() > axis.padBegin + axis.input;
  };
  return reachesOutside(rows, outHeight()) || reachesOutside(columns, outWidth());
}

bool integerSumPool2dFitsInt64(int64_t maxAbs, const Pool2dShape& shape) {
  return integerMatmulFitsInt64(maxAbs, 1, shape.windowSize());
}

PoolRowKernels poolRowKernelsScalar() { return {sumRowScalar, maxRowScalar}; }

void integerSumPool2dWith(const PoolRowKernels& kernels, const int32_t* input, int32_t padValue, int64_t* out,
                          const Pool2dShape& shape) {
  poolPlanes<int64_t>(input, out, shape, 0, kernels.sum, [padValue](int64_t* acc, std::size_t count) {
    for (std::size_t t = 0; t < count; ++t) acc[t] += padValue;
  });
}

void integerMaxPool2dWith(const PoolRowKernels& kernels, const int32_t* input, int32_t padValue, int32_t* out,
                          const Pool2dShape& shape) {
  // Every window has at least one tap, so the initial value never survives.
  poolPlanes<int32_t>(input, out, shape, std::numeric_limits<int32_t>::min(), kernels.max,
                      [padValue](int32_t* acc, std::size_t count) {
                        for (std::size_t t = 0; t < count; ++t) acc[t] = std::max(acc[t], padValue);
                      });
}

static const PoolRowKernels& dispatchedPoolRowKernels() {
  static const PoolRowKernels kernels = simdEnabled() ? poolRowKernelsAvx2() : poolRowKernelsScalar();
  return kernels;
}

void integerSumPool2d(const int32_t* input, int32_t padValue, int64_t* out, const Pool2dShape& shape) {
  integerSumPool2dWith(dispatchedPoolRowKernels(), input, padValue, out, shape);
}

void integerMaxPool2d(const int32_t* input, int32_t padValue, int32_t* out, const Pool2dShape& shape) {
  integerMaxPool2dWith(dispatchedPoolRowKernels(), input, padValue, out, shape);
}

}  // namespace cq
