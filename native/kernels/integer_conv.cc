#include "integer_conv.h"

#include <algorithm>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"
#include "integer_matmul.h"

namespace cq {

namespace {

// Packed input patches per task, in int32 values: 64 KiB stays in L2 while every block of
// output channels reads it again.
constexpr std::size_t kPatchBudget = 16384;

std::size_t ceilDiv(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

// Weights of each group, kConvTileRows output channels at a time, transposed so that the tile
// kernel reads one depth step (kConvTileRows values) after another. The missing channels of a
// group's last block are zeros.
std::vector<int32_t> packWeights(const int32_t* weights, const Conv2dShape& shape) {
  const std::size_t depth = shape.patchSize();
  const std::size_t perGroup = shape.outChannels / shape.groups;
  const std::size_t blocks = ceilDiv(perGroup, kConvTileRows);
  std::vector<int32_t> packed(shape.groups * blocks * depth * kConvTileRows, 0);
  for (std::size_t o = 0; o < shape.outChannels; ++o) {
    const std::size_t group = o / perGroup, local = o % perGroup;
    int32_t* block = packed.data() + (group * blocks + local / kConvTileRows) * depth * kConvTileRows;
    const int32_t* row = weights + o * depth;
    for (std::size_t p = 0; p < depth; ++p) block[p * kConvTileRows + local % kConvTileRows] = row[p];
  }
  return packed;
}

// Copies the patches of output positions [first, first + count) (row-major over H' x W') of
// image `n`, group `group` into panels of kConvTileColumns positions: panel q is depth rows of
// kConvTileColumns values, value (p, c) being tap p, in weight order (channel, kh, kw), of
// position first + q * kConvTileColumns + c. Taps outside the input read padValue; lanes past
// `count` in the last panel are zeros, so they add nothing and cannot overflow.
void packPatches(const int32_t* input, int32_t padValue, const Conv2dShape& shape, std::size_t n, std::size_t group,
                 std::size_t first, std::size_t count, int32_t* packed) {
  const std::size_t channels = shape.inChannels / shape.groups;
  const std::size_t height = shape.rows.input, width = shape.columns.input;
  const std::size_t outWidth = shape.outWidth();
  const std::size_t panelStride = shape.patchSize() * kConvTileColumns;
  const int32_t* image = input + (n * shape.inChannels + group * channels) * height * width;
  std::size_t tap = 0;
  for (std::size_t c = 0; c < channels; ++c) {
    for (std::size_t kh = 0; kh < shape.rows.kernel; ++kh) {
      for (std::size_t kw = 0; kw < shape.columns.kernel; ++kw, ++tap) {
        int32_t* panelRow = packed + tap * kConvTileColumns;
        std::size_t lane = 0;
        // Walk the positions one output row segment at a time, so the row test is done once.
        for (std::size_t position = first; position < first + count;) {
          const std::size_t oh = position / outWidth;
          const std::size_t owBegin = position % outWidth;
          const std::size_t owEnd = std::min(outWidth, owBegin + (first + count - position));
          const int64_t ih = shape.rows.inputIndex(oh, kh);
          const bool rowInside = ih >= 0 && ih < static_cast<int64_t>(height);
          const int32_t* inputRow = image + (c * height + (rowInside ? ih : 0)) * width;
          for (std::size_t ow = owBegin; ow < owEnd; ++ow) {
            const int64_t iw = shape.columns.inputIndex(ow, kw);
            const bool inside = rowInside && iw >= 0 && iw < static_cast<int64_t>(width);
            panelRow[lane] = inside ? inputRow[iw] : padValue;
            if (++lane == kConvTileColumns) {
              lane = 0;
              panelRow += panelStride;
            }
          }
          position += owEnd - owBegin;
        }
        for (; lane != 0 && lane < kConvTileColumns; ++lane) panelRow[lane] = 0;
      }
    }
  }
}

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
  const std::size_t depth = shape.patchSize();
  const std::size_t perGroup = shape.outChannels / shape.groups;
  const std::size_t blocks = ceilDiv(perGroup, kConvTileRows);
  const std::size_t positions = shape.outHeight() * shape.outWidth();
  const std::size_t panelsPerTask =
      std::clamp<std::size_t>(kPatchBudget / (depth * kConvTileColumns), 1, ceilDiv(positions, kConvTileColumns));
  const std::size_t positionsPerTask = panelsPerTask * kConvTileColumns;
  const std::size_t spatialTasks = ceilDiv(positions, positionsPerTask);
  // Few images and positions (batch 1, a small late layer) would leave threads idle: split the
  // output channels too, at the price of packing the same patches once per split.
  const std::size_t wantedTasks = 4 * threadPool().size();
  const std::size_t imageTasks = shape.batch * shape.groups * spatialTasks;
  const std::size_t blocksPerSplit =
      imageTasks >= wantedTasks ? blocks : ceilDiv(blocks, std::min(blocks, ceilDiv(wantedTasks, imageTasks)));
  const std::size_t splits = ceilDiv(blocks, blocksPerSplit);
  const std::vector<int32_t> packedWeights = packWeights(weights, shape);

  threadPool().parallelFor(imageTasks * splits, [&](std::size_t begin, std::size_t end) {
    std::vector<int32_t> patches(panelsPerTask * depth * kConvTileColumns);
    int64_t acc[kConvTileRows * kConvTileColumns];
    for (std::size_t task = begin; task < end; ++task) {
      const std::size_t split = task % splits;
      const std::size_t spatial = task / splits % spatialTasks;
      const std::size_t group = task / splits / spatialTasks % shape.groups;
      const std::size_t n = task / splits / spatialTasks / shape.groups;
      const std::size_t first = spatial * positionsPerTask;
      const std::size_t count = std::min(positionsPerTask, positions - first);
      packPatches(input, padValue, shape, n, group, first, count, patches.data());
      const std::size_t blockEnd = std::min(blocks, (split + 1) * blocksPerSplit);
      for (std::size_t panel = 0; panel * kConvTileColumns < count; ++panel) {
        const int32_t* panelData = patches.data() + panel * depth * kConvTileColumns;
        const std::size_t columns = std::min(kConvTileColumns, count - panel * kConvTileColumns);
        for (std::size_t block = split * blocksPerSplit; block < blockEnd; ++block) {
          const std::size_t rows = std::min(kConvTileRows, perGroup - block * kConvTileRows);
          tile(packedWeights.data() + (group * blocks + block) * depth * kConvTileRows, panelData, depth, rows, acc);
          for (std::size_t r = 0; r < rows; ++r) {
            const std::size_t channel = group * perGroup + block * kConvTileRows + r;
            int64_t* outRow = out + (n * shape.outChannels + channel) * positions + first + panel * kConvTileColumns;
            std::copy(acc + r * kConvTileColumns, acc + r * kConvTileColumns + columns, outRow);
          }
        }
      }
    }
  });
}

void integerConv2d(const int32_t* input, const int32_t* weights, int32_t padValue, int64_t* out,
                   const Conv2dShape& shape) {
  static const ConvTileKernel tile = simdEnabled() ? convTileAvx2 : convTileScalar;
  integerConv2dWith(tile, input, weights, padValue, out, shape);
}

}  // namespace cq
