// Float 2-D convolution (ONNX Conv on float32) for the float interpreter: products summed in
// float64, then bias added and rounded to float32 once, as lib/onnx/ops/conv.ts computes it.
// Padding reads zeros.
#pragma once

#include <cstddef>

#include "integer_conv.h"

namespace cq {

// out[N, O, H', W'] = float32(conv(input[N, C, H, W], weights[O, C / groups, kh, kw]) + bias[O]),
// row-major; bias may be null. The caller guarantees a consistent shape with H', W' >= 1.
// Runs on the thread pool.
void floatConv2d(const float* input, const float* weights, const float* bias, float* out, const Conv2dShape& shape);

// The inner kernel, a tile of up to kFloatTileRows output channels by kFloatTileColumns
// positions, over packed operands read sequentially:
//   acc[r * kFloatTileColumns + c] = sum over p < depth, in order, of
//       packedWeights[p * kFloatTileRows + r] * packedPatches[p * kFloatTileColumns + c],  r < rows.
constexpr std::size_t kFloatTileRows = 4;
constexpr std::size_t kFloatTileColumns = 8;
using FloatConvTileKernel = void (*)(const double* packedWeights, const double* packedPatches, std::size_t depth,
                                     std::size_t rows, double* acc);
void floatConvTileScalar(const double* packedWeights, const double* packedPatches, std::size_t depth,
                         std::size_t rows, double* acc);
void floatConvTileAvx2(const double* packedWeights, const double* packedPatches, std::size_t depth, std::size_t rows,
                       double* acc);

// floatConv2d with a given tile kernel, so tests can run the whole convolution on each path.
void floatConv2dWith(FloatConvTileKernel tile, const float* input, const float* weights, const float* bias, float* out,
                     const Conv2dShape& shape);

}  // namespace cq
