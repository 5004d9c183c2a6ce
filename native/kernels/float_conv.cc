#include "float_conv.h"

#include <algorithm>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"
#include "conv_tiling.h"

namespace cq {

namespace {

// Packed patches per task, in doubles: 128 KiB stays in L2 while each block of output
// channels reads it again.
constexpr std::size_t kPatchBudget = 16384;

// A 1x1 convolution of 1x1 images (a fully connected layer, lib/onnx's float32 Gemm) has one
// position per image: there the images are the positions, so tiles fill all their columns.
bool isPointwise(const Conv2dShape& shape) {
  return shape.rows.input == 1 && shape.columns.input == 1 && shape.rows.kernel == 1 && shape.columns.kernel == 1 &&
         !shape.padded() && shape.groups == 1;
}

void pointwiseConv(FloatConvTileKernel tile, const float* input, const double* packedWeights, const float* bias,
                   float* out, const Conv2dShape& shape) {
  const std::size_t depth = shape.inChannels;
  const std::size_t blocks = conv_tiling::ceilDiv(shape.outChannels, kFloatTileRows);
  const std::size_t panels = conv_tiling::ceilDiv(shape.batch, kFloatTileColumns);
  threadPool().parallelFor(panels, [&](std::size_t begin, std::size_t end) {
    std::vector<double> patch(depth * kFloatTileColumns);
    double acc[kFloatTileRows * kFloatTileColumns];
    for (std::size_t panel = begin; panel < end; ++panel) {
      const std::size_t first = panel * kFloatTileColumns;
      const std::size_t columns = std::min(kFloatTileColumns, shape.batch - first);
      for (std::size_t p = 0; p < depth; ++p) {
        for (std::size_t c = 0; c < kFloatTileColumns; ++c) {
          patch[p * kFloatTileColumns + c] = c < columns ? input[(first + c) * depth + p] : 0.0;
        }
      }
      for (std::size_t block = 0; block < blocks; ++block) {
        const std::size_t rows = std::min(kFloatTileRows, shape.outChannels - block * kFloatTileRows);
        tile(packedWeights + block * depth * kFloatTileRows, patch.data(), depth, rows, acc);
        for (std::size_t r = 0; r < rows; ++r) {
          const std::size_t channel = block * kFloatTileRows + r;
          const double b = bias == nullptr ? 0.0 : bias[channel];
          for (std::size_t c = 0; c < columns; ++c) {
            out[(first + c) * shape.outChannels + channel] = static_cast<float>(acc[r * kFloatTileColumns + c] + b);
          }
        }
      }
    }
  });
}

}  // namespace

void floatConvTileScalar(const double* packedWeights, const double* packedPatches, std::size_t depth,
                         std::size_t rows, double* acc) {
  std::fill(acc, acc + rows * kFloatTileColumns, 0.0);
  for (std::size_t p = 0; p < depth; ++p) {
    const double* patch = packedPatches + p * kFloatTileColumns;
    for (std::size_t r = 0; r < rows; ++r) {
      const double weight = packedWeights[p * kFloatTileRows + r];
      double* accRow = acc + r * kFloatTileColumns;
      for (std::size_t c = 0; c < kFloatTileColumns; ++c) accRow[c] += weight * patch[c];
    }
  }
}

void floatConv2dWith(FloatConvTileKernel tile, const float* input, const float* weights, const float* bias, float* out,
                     const Conv2dShape& shape) {
  const std::vector<double> packedWeights = conv_tiling::packWeights<kFloatTileRows, double>(weights, shape);
  if (isPointwise(shape)) return pointwiseConv(tile, input, packedWeights.data(), bias, out, shape);
  const std::size_t positions = shape.outHeight() * shape.outWidth();
  conv_tiling::runConvTiles<kFloatTileRows, kFloatTileColumns, double, double>(
      shape, input, 0.0, packedWeights, kPatchBudget, tile,
      [&](std::size_t n, std::size_t channel, std::size_t position, const double* values, std::size_t columns) {
        const double b = bias == nullptr ? 0.0 : bias[channel];
        float* outRow = out + (n * shape.outChannels + channel) * positions + position;
        for (std::size_t c = 0; c < columns; ++c) outRow[c] = static_cast<float>(values[c] + b);
      });
}

void floatConv2d(const float* input, const float* weights, const float* bias, float* out, const Conv2dShape& shape) {
  static const FloatConvTileKernel tile = simdEnabled() ? floatConvTileAvx2 : floatConvTileScalar;
  floatConv2dWith(tile, input, weights, bias, out, shape);
}

}  // namespace cq
