// The schedule the clear convolutions share (integer_conv.cc on int32 -> int64, float_conv.cc
// on float32 -> float64 sums): weights packed into blocks of TileRows output channels, input
// patches packed into panels of TileColumns output positions, both transposed so that a tile
// kernel reads one depth step after another, and the work cut into tasks for the thread pool.
// Only the element types, the tile kernel and what is done with each finished tile differ.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "../runtime/thread_pool.h"
#include "integer_conv.h"

namespace cq {

namespace conv_tiling {

inline std::size_t ceilDiv(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

// Each group's weights, TileRows output channels at a time, transposed: value (p, r) of a block
// at [p * TileRows + r]. The missing channels of a group's last block are zeros.
template <std::size_t TileRows, typename Packed, typename Weight>
std::vector<Packed> packWeights(const Weight* weights, const Conv2dShape& shape) {
  const std::size_t depth = shape.patchSize();
  const std::size_t perGroup = shape.outChannels / shape.groups;
  const std::size_t blocks = ceilDiv(perGroup, TileRows);
  std::vector<Packed> packed(shape.groups * blocks * depth * TileRows, Packed{0});
  for (std::size_t o = 0; o < shape.outChannels; ++o) {
    const std::size_t group = o / perGroup, local = o % perGroup;
    Packed* block = packed.data() + (group * blocks + local / TileRows) * depth * TileRows;
    const Weight* row = weights + o * depth;
    for (std::size_t p = 0; p < depth; ++p) block[p * TileRows + local % TileRows] = static_cast<Packed>(row[p]);
  }
  return packed;
}

// The patches of output positions [first, first + count) (row-major over H' x W') of image n,
// group `group`, in panels of TileColumns positions: panel q is depth rows of TileColumns
// values, value (p, c) being tap p, in weight order (channel, kh, kw), of position
// first + q * TileColumns + c. Taps in the padding read padValue; lanes past `count` in the last
// panel are zeros, so they add nothing (and cannot overflow an integer sum).
template <std::size_t TileColumns, typename Packed, typename Input>
void packPatches(const Input* input, Packed padValue, const Conv2dShape& shape, std::size_t n, std::size_t group,
                 std::size_t first, std::size_t count, Packed* packed) {
  const std::size_t channels = shape.inChannels / shape.groups;
  const std::size_t height = shape.rows.input, width = shape.columns.input;
  const std::size_t outWidth = shape.outWidth();
  const std::size_t panelStride = shape.patchSize() * TileColumns;
  const Input* image = input + (n * shape.inChannels + group * channels) * height * width;
  std::size_t tap = 0;
  for (std::size_t c = 0; c < channels; ++c) {
    for (std::size_t kh = 0; kh < shape.rows.kernel; ++kh) {
      for (std::size_t kw = 0; kw < shape.columns.kernel; ++kw, ++tap) {
        Packed* panelRow = packed + tap * TileColumns;
        std::size_t lane = 0;
        // One output row segment at a time: the row test and the row address once per segment.
        for (std::size_t position = first; position < first + count;) {
          const std::size_t oh = position / outWidth;
          const std::size_t owBegin = position % outWidth;
          const std::size_t owEnd = std::min(outWidth, owBegin + (first + count - position));
          const int64_t ih = shape.rows.inputIndex(oh, kh);
          const bool rowInside = ih >= 0 && ih < static_cast<int64_t>(height);
          const Input* inputRow = image + (c * height + (rowInside ? ih : 0)) * width;
          for (std::size_t ow = owBegin; ow < owEnd; ++ow) {
            const int64_t iw = shape.columns.inputIndex(ow, kw);
            const bool inside = rowInside && iw >= 0 && iw < static_cast<int64_t>(width);
            panelRow[lane] = inside ? static_cast<Packed>(inputRow[iw]) : padValue;
            if (++lane == TileColumns) {
              lane = 0;
              panelRow += panelStride;
            }
          }
          position += owEnd - owBegin;
        }
        for (; lane != 0 && lane < TileColumns; ++lane) panelRow[lane] = Packed{0};
      }
    }
  }
}

// Runs the whole convolution tile by tile on the thread pool:
//   tile(packedWeightBlock, packedPanel, depth, rows, acc) fills acc[r * TileColumns + c];
//   store(n, channel, position, values, columns) receives the `columns` finished sums of output
//   channel `channel` at positions [position, position + columns) of image n.
// A task packs up to patchBudget values of patches (sized to stay in L2 while every block of
// output channels reads them again). Few images and positions (batch 1, a small late layer)
// would leave threads idle: then the output channels are split too, at the price of packing
// the same patches once per split.
template <std::size_t TileRows, std::size_t TileColumns, typename Packed, typename Accumulator, typename Input,
          typename Tile, typename Store>
void runConvTiles(const Conv2dShape& shape, const Input* input, Packed padValue, const std::vector<Packed>& packedWeights,
                  std::size_t patchBudget, Tile tile, Store store) {
  const std::size_t depth = shape.patchSize();
  const std::size_t perGroup = shape.outChannels / shape.groups;
  const std::size_t blocks = ceilDiv(perGroup, TileRows);
  const std::size_t positions = shape.outHeight() * shape.outWidth();
  const std::size_t panelsPerTask =
      std::clamp<std::size_t>(patchBudget / (depth * TileColumns), 1, ceilDiv(positions, TileColumns));
  const std::size_t positionsPerTask = panelsPerTask * TileColumns;
  const std::size_t spatialTasks = ceilDiv(positions, positionsPerTask);
  const std::size_t wantedTasks = 4 * threadPool().size();
  const std::size_t imageTasks = shape.batch * shape.groups * spatialTasks;
  const std::size_t blocksPerSplit =
      imageTasks >= wantedTasks ? blocks : ceilDiv(blocks, std::min(blocks, ceilDiv(wantedTasks, imageTasks)));
  const std::size_t splits = ceilDiv(blocks, blocksPerSplit);

  threadPool().parallelFor(imageTasks * splits, [&](std::size_t begin, std::size_t end) {
    std::vector<Packed> patches(panelsPerTask * depth * TileColumns);
    Accumulator acc[TileRows * TileColumns];
    for (std::size_t task = begin; task < end; ++task) {
      const std::size_t split = task % splits;
      const std::size_t spatial = task / splits % spatialTasks;
      const std::size_t group = task / splits / spatialTasks % shape.groups;
      const std::size_t n = task / splits / spatialTasks / shape.groups;
      const std::size_t first = spatial * positionsPerTask;
      const std::size_t count = std::min(positionsPerTask, positions - first);
      packPatches<TileColumns>(input, padValue, shape, n, group, first, count, patches.data());
      const std::size_t blockEnd = std::min(blocks, (split + 1) * blocksPerSplit);
      for (std::size_t panel = 0; panel * TileColumns < count; ++panel) {
        const Packed* panelData = patches.data() + panel * depth * TileColumns;
        const std::size_t columns = std::min(TileColumns, count - panel * TileColumns);
        for (std::size_t block = split * blocksPerSplit; block < blockEnd; ++block) {
          const std::size_t rows = std::min(TileRows, perGroup - block * TileRows);
          tile(packedWeights.data() + (group * blocks + block) * depth * TileRows, panelData, depth, rows, acc);
          for (std::size_t r = 0; r < rows; ++r) {
            store(n, group * perGroup + block * TileRows + r, first + panel * TileColumns, acc + r * TileColumns,
                  columns);
          }
        }
      }
    }
  });
}

}  // namespace conv_tiling

}  // namespace cq
