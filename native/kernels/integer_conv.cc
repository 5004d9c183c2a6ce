#include "integer_conv.h"

#include <algorithm>
#include <vector>

#include "../runtime/cpu_features.h"
#include "conv_tiling.h"
#include "integer_matmul.h"

namespace cq {

namespace {

// Packed input patches per task, in int32 values: 64 KiB stays in L2 while every block of
// output channels reads it again.
constexpr std::size_t kPatchBudget = 16384;

}  // namespace

void convTileScalar(const int32_t* packedWeights, const int32_t* packedPatches, std::size_t depth, std::size_t rows,
                    int64_t* acc) {
  std::fill(acc, acc + rows * kConvTileColumns, int64_t{0});
  for (std::size_t p = 0; p < depth; ++p) {
    const int32_t* patch = packedPatches + p * kConvTileColumns;
    for (std::size_t r = 0; r < rows; ++r) {
      const int64_t weight = packedWeights[p * kConvTileRows + r];
      int64_t* accRow = acc + r * kConvTileColumns;
      for (std::size_t c = 0; c < kConvTileColumns; ++c) accRow[c] += weight * patch[c];
    }
  }
}

bool integerConv2dFitsInt64(int64_t maxAbsInput, int64_t maxAbsWeight, const Conv2dShape& shape) {
  return integerMatmulFitsInt64(maxAbsInput, maxAbsWeight, shape.patchSize());
}

void integerConv2dWith(ConvTileKernel tile, const int32_t* input, const int32_t* weights, int32_t padValue,
                       int64_t* out, const Conv2dShape& shape) {
  const std::size_t positions = shape.outHeight() * shape.outWidth();
  const std::vector<int32_t> packedWeights = conv_tiling::packWeights<kConvTileRows, int32_t>(weights, shape);
  conv_tiling::runConvTiles<kConvTileRows, kConvTileColumns, int32_t, int64_t>(
      shape, input, padValue, packedWeights, kPatchBudget, tile,
      [&](std::size_t n, std::size_t channel, std::size_t position, const int64_t* values, std::size_t columns) {
        std::copy(values, values + columns, out + (n * shape.outChannels + channel) * positions + position);
      });
}

void integerConv2d(const int32_t* input, const int32_t* weights, int32_t padValue, int64_t* out,
                   const Conv2dShape& shape) {
  static const ConvTileKernel tile = simdEnabled() ? convTileAvx2 : convTileScalar;
  integerConv2dWith(tile, input, weights, padValue, out, shape);
}

}  // namespace cq
