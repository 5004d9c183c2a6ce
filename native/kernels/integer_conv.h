// Clear integer 2-D convolution (ONNX Conv on quantized values) with exact int64 outputs.
// 1-D convolution is the case height = 1. Zero-point corrections are the caller's: this
// computes conv(qx padded with padValue, qw) and nothing else.
#pragma once

#include <cstddef>
#include <cstdint>

#include "window_geometry.h"

namespace cq {

struct Conv2dShape {
  std::size_t batch = 1;
  std::size_t inChannels = 1;   // C, a multiple of groups
  std::size_t outChannels = 1;  // O, a multiple of groups
  std::size_t groups = 1;
  WindowAxis rows;     // height: input H, kernel kh, strides[0], pads[0] / pads[2], dilations[0]
  WindowAxis columns;  // width: input W, kernel kw, strides[1], pads[1] / pads[3], dilations[1]

  std::size_t outHeight() const { return rows.outputLength(); }
  std::size_t outWidth() const { return columns.outputLength(); }
  // Products summed into one output: (C / groups) * kh * kw.
  std::size_t patchSize() const { return inChannels / groups * rows.kernel * columns.kernel; }
  bool padded() const { return rows.padBegin + rows.padEnd + columns.padBegin + columns.padEnd > 0; }
};

// out[N, O, H', W'] = conv(input[N, C, H, W] padded with padValue, weights[O, C / groups, kh, kw]),
// all row-major. The caller guarantees that the shape is consistent, that H', W' >= 1 and that
// no accumulator can overflow (integerConv2dFitsInt64). Runs on the thread pool.
void integerConv2d(const int32_t* input, const int32_t* weights, int32_t padValue, int64_t* out,
                   const Conv2dShape& shape);

// True when maxAbsInput * maxAbsWeight * patchSize < 2^63. maxAbsInput must cover padValue
// when the input is padded.
bool integerConv2dFitsInt64(int64_t maxAbsInput, int64_t maxAbsWeight, const Conv2dShape& shape);

// The inner kernel: a tile of up to kConvTileRows output channels by kConvTileColumns output
// positions. Weights and input patches are packed so that both are read sequentially:
//   acc[r * kConvTileColumns + c] = sum over p < depth of
//       packedWeights[p * kConvTileRows + r] * packedPatches[p * kConvTileColumns + c],  r < rows.
// Rows >= `rows` of acc are left untouched.
constexpr std::size_t kConvTileRows = 4;
constexpr std::size_t kConvTileColumns = 8;
using ConvTileKernel = void (*)(const int32_t* packedWeights, const int32_t* packedPatches, std::size_t depth,
                                std::size_t rows, int64_t* acc);
void convTileScalar(const int32_t* packedWeights, const int32_t* packedPatches, std::size_t depth, std::size_t rows,
                    int64_t* acc);
void convTileAvx2(const int32_t* packedWeights, const int32_t* packedPatches, std::size_t depth, std::size_t rows,
                  int64_t* acc);

// integerConv2d with a given tile kernel, so tests can run the whole convolution on each path.
void integerConv2dWith(ConvTileKernel tile, const int32_t* input, const int32_t* weights, int32_t padValue,
                       int64_t* out, const Conv2dShape& shape);

}  // namespace cq
