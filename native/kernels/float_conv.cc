#include "float_conv.h"

#include <algorithm>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"

namespace cq {

namespace {

// Packed patches per task, in doubles: 128 KiB stays in L2 while each block of output
// channels reads it again.
constexpr std::size_t kPatchBudget = 16384;

std::size_t ceilDiv(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

// Each group's weights, kFloatTileRows output channels at a time, transposed so the tile
// kernel reads one depth step after another; missing channels of a last block are zeros.
std::vector<double> packWeights(const float* weights, const Conv2dShape& shape) {
  const std::size_t depth = shape.patchSize();
  const std::size_t perGroup = shape.outChannels / shape.groups;
  const std::size_t blocks = ceilDiv(perGroup, kFloatTileRows);
  std::vector<double> packed(shape.groups * blocks * depth * kFloatTileRows, 0.0);
  for (std::size_t o = 0; o < shape.outChannels; ++o) {
    const std::size_t group = o / perGroup, local = o % perGroup;
    double* block = packed.data() + (group * blocks + local / kFloatTileRows) * depth * kFloatTileRows;
    for (std::size_t p = 0; p < depth; ++p) block[p * kFloatTileRows + local % kFloatTileRows] = weights[o * depth + p];
  }
  return packed;
}

// The patches of output positions [first, first + count) of image n, group `group`, in panels of
// kFloatTileColumns positions (panel q: depth rows, tap p in weight order (channel, kh, kw));
// taps in the padding and lanes past `count` are zeros.
void packPatches(const float* input, const Conv2dShape& shape, std::size_t n, std::size_t group, std::size_t first,
                 std::size_t count, double* packed) {
  const std::size_t channels = shape.inChannels / shape.groups;
  const std::size_t height = shape.rows.input, width = shape.columns.input;
  const std::size_t outWidth = shape.outWidth();
  const std::size_t panelStride = shape.patchSize() * kFloatTileColumns;
  const float* image = input + (n * shape.inChannels + group * channels) * height * width;
  std::size_t tap = 0;
  for (std::size_t c = 0; c < channels; ++c) {
    for (std::size_t kh = 0; kh < shape.rows.kernel; ++kh) {
      for (std::size_t kw = 0; kw < shape.columns.kernel; ++kw, ++tap) {
        double* panelRow = packed + tap * kFloatTileColumns;
        std::size_t lane = 0;
        // One output row segment at a time: the row test and the row address once per segment.
        for (std::size_t position = first; position < first + count;) {
          const std::size_t oh = position / outWidth;
          const std::size_t owBegin = position % outWidth;
          const std::size_t owEnd = std::min(outWidth, owBegin + (first + count - position));
          const int64_t ih = shape.rows.inputIndex(oh, kh);
          const bool rowInside = ih >= 0 && ih < static_cast<int64_t>(height);
          const float* inputRow = image + (c * height + (rowInside ? ih : 0)) * width;
          for (std::size_t ow = owBegin; ow < owEnd; ++ow) {
            const int64_t iw = shape.columns.inputIndex(ow, kw);
            const bool inside = rowInside && iw >= 0 && iw < static_cast<int64_t>(width);
            panelRow[lane] = inside ? inputRow[iw] : 0.0;
            if (++lane == kFloatTileColumns) {
              lane = 0;
              panelRow += panelStride;
            }
          }
          position += owEnd - owBegin;
        }
        for (; lane != 0 && lane < kFloatTileColumns; ++lane) panelRow[lane] = 0.0;
      }
    }
  }
}

// A 1x1 convolution of 1x1 images (a fully connected layer, lib/onnx's float32 Gemm) has one
// position per image: there the images are the positions, so tiles fill all their columns.
bool isPointwise(const Conv2dShape& shape) {
  return shape.rows.input == 1 && shape.columns.input == 1 && shape.rows.kernel == 1 && shape.columns.kernel == 1 &&
         !shape.padded() && shape.groups == 1;
}

void pointwiseConv(FloatConvTileKernel tile, const float* input, const double* packedWeights, const float* bias,
                   float* out, const Conv2dShape& shape) {
  const std::size_t depth = shape.inChannels;
  const std::size_t blocks = ceilDiv(shape.outChannels, kFloatTileRows);
  const std::size_t panels = ceilDiv(shape.batch, kFloatTileColumns);
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
  const std::size_t depth = shape.patchSize();
  const std::size_t perGroup = shape.outChannels / shape.groups;
  const std::size_t blocks = ceilDiv(perGroup, kFloatTileRows);
  const std::size_t positions = shape.outHeight() * shape.outWidth();
  const std::size_t panelsPerTask =
      std::clamp<std::size_t>(kPatchBudget / (depth * kFloatTileColumns), 1, ceilDiv(positions, kFloatTileColumns));
  const std::size_t positionsPerTask = panelsPerTask * kFloatTileColumns;
  const std::size_t spatialTasks = ceilDiv(positions, positionsPerTask);
  const std::vector<double> packedWeights = packWeights(weights, shape);
  if (isPointwise(shape)) return pointwiseConv(tile, input, packedWeights.data(), bias, out, shape);

  threadPool().parallelFor(shape.batch * shape.groups * spatialTasks, [&](std::size_t begin, std::size_t end) {
    std::vector<double> patches(panelsPerTask * depth * kFloatTileColumns);
    double acc[kFloatTileRows * kFloatTileColumns];
    for (std::size_t task = begin; task < end; ++task) {
      const std::size_t spatial = task % spatialTasks;
      const std::size_t group = task / spatialTasks % shape.groups;
      const std::size_t n = task / spatialTasks / shape.groups;
      const std::size_t first = spatial * positionsPerTask;
      const std::size_t count = std::min(positionsPerTask, positions - first);
      packPatches(input, shape, n, group, first, count, patches.data());
      for (std::size_t panel = 0; panel * kFloatTileColumns < count; ++panel) {
        const std::size_t columns = std::min(kFloatTileColumns, count - panel * kFloatTileColumns);
        for (std::size_t block = 0; block < blocks; ++block) {
          const std::size_t rows = std::min(kFloatTileRows, perGroup - block * kFloatTileRows);
          tile(packedWeights.data() + (group * blocks + block) * depth * kFloatTileRows,
               patches.data() + panel * depth * kFloatTileColumns, depth, rows, acc);
          for (std::size_t r = 0; r < rows; ++r) {
            const std::size_t channel = group * perGroup + block * kFloatTileRows + r;
            const double b = bias == nullptr ? 0.0 : bias[channel];
            float* outRow = out + (n * shape.outChannels + channel) * positions + first + panel * kFloatTileColumns;
            for (std::size_t c = 0; c < columns; ++c) outRow[c] = static_cast<float>(acc[r * kFloatTileColumns + c] + b);
          }
        }
      }
    }
  });
}

void floatConv2d(const float* input, const float* weights, const float* bias, float* out, const Conv2dShape& shape) {
  static const FloatConvTileKernel tile = simdEnabled() ? floatConvTileAvx2 : floatConvTileScalar;
  floatConv2dWith(tile, input, weights, bias, out, shape);
}

}  // namespace cq
