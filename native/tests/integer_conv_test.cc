#include "../kernels/integer_conv.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "../kernels/integer_matmul.h"
#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"

namespace cq {
namespace {

struct ConvCase {
  const char* name;
  std::size_t batch, inChannels, height, width, outChannels, groups, kernelHeight, kernelWidth;
  std::size_t strides[2], pads[4], dilations[2];  // ONNX order: pads = top, left, bottom, right
};

// Failures name the case rather than dumping its bytes.
void PrintTo(const ConvCase& c, std::ostream* os) { *os << c.name; }

Conv2dShape shapeOf(const ConvCase& c) {
  Conv2dShape shape;
  shape.batch = c.batch;
  shape.inChannels = c.inChannels;
  shape.outChannels = c.outChannels;
  shape.groups = c.groups;
  shape.rows = {c.height, c.kernelHeight, c.strides[0], c.dilations[0], c.pads[0], c.pads[2]};
  shape.columns = {c.width, c.kernelWidth, c.strides[1], c.dilations[1], c.pads[1], c.pads[3]};
  return shape;
}

std::vector<int32_t> randomValues(std::size_t size, int32_t low, int32_t high, std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> dist(low, high);
  std::vector<int32_t> values(size);
  for (auto& v : values) v = dist(rng);
  return values;
}

// The definition of ONNX Conv, one output at a time, padding read as padValue.
std::vector<int64_t> referenceConv(const std::vector<int32_t>& x, const std::vector<int32_t>& w, int32_t padValue,
                                   const ConvCase& c) {
  const Conv2dShape shape = shapeOf(c);
  const std::size_t oh = shape.outHeight(), ow = shape.outWidth();
  const std::size_t inPerGroup = c.inChannels / c.groups, outPerGroup = c.outChannels / c.groups;
  std::vector<int64_t> out;
  for (std::size_t n = 0; n < c.batch; ++n)
    for (std::size_t o = 0; o < c.outChannels; ++o)
      for (std::size_t i = 0; i < oh; ++i)
        for (std::size_t j = 0; j < ow; ++j) {
          int64_t sum = 0;
          for (std::size_t ci = 0; ci < inPerGroup; ++ci)
            for (std::size_t a = 0; a < c.kernelHeight; ++a)
              for (std::size_t b = 0; b < c.kernelWidth; ++b) {
                const int64_t y = int64_t(i * c.strides[0] + a * c.dilations[0]) - int64_t(c.pads[0]);
                const int64_t z = int64_t(j * c.strides[1] + b * c.dilations[1]) - int64_t(c.pads[1]);
                const std::size_t channel = o / outPerGroup * inPerGroup + ci;
                const bool inside = y >= 0 && y < int64_t(c.height) && z >= 0 && z < int64_t(c.width);
                const int64_t value =
                    inside ? x[((n * c.inChannels + channel) * c.height + y) * c.width + z] : padValue;
                sum += value * w[((o * inPerGroup + ci) * c.kernelHeight + a) * c.kernelWidth + b];
              }
          out.push_back(sum);
        }
  return out;
}

const ConvCase kCases[] = {
    {"1x1", 1, 1, 1, 1, 1, 1, 1, 1, {1, 1}, {0, 0, 0, 0}, {1, 1}},
    {"odd 3x3 same padding", 2, 3, 7, 5, 5, 1, 3, 3, {1, 1}, {1, 1, 1, 1}, {1, 1}},
    {"strides and uneven pads", 1, 4, 11, 9, 6, 1, 3, 2, {2, 3}, {0, 2, 1, 0}, {1, 1}},
    {"dilations", 1, 2, 10, 12, 3, 1, 3, 3, {1, 1}, {2, 2, 2, 2}, {2, 3}},
    {"two groups", 2, 4, 6, 6, 6, 2, 3, 3, {1, 2}, {1, 0, 1, 0}, {1, 1}},
    {"depthwise", 1, 6, 9, 8, 6, 6, 3, 3, {2, 2}, {1, 1, 1, 1}, {1, 1}},
    {"depth multiplier 3", 1, 2, 5, 7, 6, 2, 2, 3, {1, 1}, {0, 1, 0, 1}, {1, 2}},
    {"1-D as height 1", 3, 3, 1, 31, 7, 1, 1, 5, {1, 2}, {0, 2, 0, 2}, {1, 2}},
    {"kernel wider than the input", 1, 2, 3, 3, 2, 1, 5, 5, {1, 1}, {2, 2, 2, 2}, {1, 1}},
    {"pads larger than the kernel", 1, 1, 2, 2, 1, 1, 2, 2, {3, 1}, {4, 3, 5, 2}, {1, 1}},
    {"many positions, several tasks", 1, 16, 30, 30, 9, 1, 3, 3, {1, 1}, {0, 0, 0, 0}, {1, 1}},
    {"deep patches, channel split", 1, 64, 4, 4, 37, 1, 3, 3, {1, 1}, {1, 1, 1, 1}, {1, 1}},
};

class IntegerConv : public ::testing::TestWithParam<ConvCase> {};

TEST_P(IntegerConv, BothPathsMatchTheDefinition) {
  const ConvCase& c = GetParam();
  const Conv2dShape shape = shapeOf(c);
  std::mt19937 rng(static_cast<unsigned>(c.inChannels * 131 + c.width));
  const auto x = randomValues(c.batch * c.inChannels * c.height * c.width, -70000, 70000, rng);
  const auto w = randomValues(shape.outChannels * shape.patchSize(), -70000, 70000, rng);
  const int32_t padValue = -1234567;
  const auto expected = referenceConv(x, w, padValue, c);
  ASSERT_EQ(expected.size(), c.batch * c.outChannels * shape.outHeight() * shape.outWidth());

  std::vector<int64_t> scalar(expected.size(), -1);
  integerConv2dWith(convTileScalar, x.data(), w.data(), padValue, scalar.data(), shape);
  EXPECT_EQ(scalar, expected);
  if (detectCpuFeatures().avx2) {
    std::vector<int64_t> vectorized(expected.size(), -1);
    integerConv2dWith(convTileAvx2, x.data(), w.data(), padValue, vectorized.data(), shape);
    EXPECT_EQ(vectorized, expected);
  }
  std::vector<int64_t> dispatched(expected.size(), -1);
  integerConv2d(x.data(), w.data(), padValue, dispatched.data(), shape);
  EXPECT_EQ(dispatched, expected);
}

INSTANTIATE_TEST_SUITE_P(Shapes, IntegerConv, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<ConvCase>& info) {
                           std::string name = info.param.name;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

TEST(IntegerConvThreads, SameResultOnOneAndManyThreads) {
  const ConvCase c = {"", 1, 8, 5, 6, 13, 1, 3, 3, {1, 1}, {1, 1, 1, 1}, {1, 1}};
  const Conv2dShape shape = shapeOf(c);
  std::mt19937 rng(3);
  const auto x = randomValues(8 * 5 * 6, -300, 300, rng);
  const auto w = randomValues(13 * shape.patchSize(), -300, 300, rng);
  const auto expected = referenceConv(x, w, 9, c);
  const std::size_t threads = threadPool().size();
  for (std::size_t size : {1, 2, 7}) {
    threadPool().resize(size);
    std::vector<int64_t> out(expected.size(), -1);
    integerConv2d(x.data(), w.data(), 9, out.data(), shape);
    EXPECT_EQ(out, expected) << size << " threads";
  }
  threadPool().resize(threads);
}

TEST(IntegerConvTile, PathsAgreeOnEveryRowCountAndDepth) {
  std::mt19937 rng(11);
  for (std::size_t depth : {1, 2, 7, 64, 257}) {
    const auto weights = randomValues(depth * kConvTileRows, INT32_MIN, INT32_MAX, rng);
    const auto patches = randomValues(depth * kConvTileColumns, -3, 3, rng);
    for (std::size_t rows = 1; rows <= kConvTileRows; ++rows) {
      std::vector<int64_t> expected(kConvTileRows * kConvTileColumns, 42);
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t col = 0; col < kConvTileColumns; ++col) {
          int64_t sum = 0;
          for (std::size_t p = 0; p < depth; ++p)
            sum += int64_t{weights[p * kConvTileRows + r]} * patches[p * kConvTileColumns + col];
          expected[r * kConvTileColumns + col] = sum;
        }
      std::vector<int64_t> scalar(expected.size(), 42);
      convTileScalar(weights.data(), patches.data(), depth, rows, scalar.data());
      EXPECT_EQ(scalar, expected) << "depth " << depth << ", rows " << rows;
      if (detectCpuFeatures().avx2) {
        std::vector<int64_t> vectorized(expected.size(), 42);
        convTileAvx2(weights.data(), patches.data(), depth, rows, vectorized.data());
        EXPECT_EQ(vectorized, expected) << "depth " << depth << ", rows " << rows;
      }
    }
  }
}

TEST(IntegerConvLimits, ExtremeValuesAreExact) {
  // One tap per output: INT32_MIN * INT32_MIN = 2^62 still fits, and so does the padding.
  const ConvCase c = {"", 1, 1, 2, 3, 2, 1, 1, 1, {1, 1}, {1, 0, 0, 1}, {1, 1}};
  const Conv2dShape shape = shapeOf(c);
  const std::vector<int32_t> x = {INT32_MIN, INT32_MAX, -1, 0, INT32_MIN, 1};
  const std::vector<int32_t> w = {INT32_MIN, INT32_MAX};
  ASSERT_TRUE(integerConv2dFitsInt64(int64_t{1} << 31, int64_t{1} << 31, shape));
  const auto expected = referenceConv(x, w, INT32_MIN, c);
  std::vector<int64_t> out(expected.size());
  integerConv2d(x.data(), w.data(), INT32_MIN, out.data(), shape);
  EXPECT_EQ(out, expected);
  EXPECT_EQ(out[0], int64_t{1} << 62);
}

TEST(IntegerConvLimits, OverflowBoundCountsThePatch) {
  Conv2dShape shape = shapeOf({"", 1, 4, 3, 3, 1, 2, 1, 2, {1, 1}, {0, 0, 0, 0}, {1, 1}});
  ASSERT_EQ(shape.patchSize(), 4u);  // (4 / 2) channels * 1 * 2 taps
  EXPECT_TRUE(integerConv2dFitsInt64(int64_t{1} << 30, int64_t{1} << 30, shape));
  EXPECT_FALSE(integerConv2dFitsInt64(int64_t{1} << 31, int64_t{1} << 30, shape));
}

// integerMatmul hands products of 16 rows or more to the convolution kernel (a 1x1 convolution).
TEST(IntegerConvAsMatmul, TiledProductsMatchTheDefinition) {
  std::mt19937 rng(13);
  const std::size_t shapes[][3] = {{16, 1, 1}, {17, 33, 9}, {40, 300, 13}, {64, 7, 130}};
  for (const auto& shape : shapes) {
    const std::size_t m = shape[0], k = shape[1], n = shape[2];
    const auto a = randomValues(m * k, -(1 << 20), 1 << 20, rng);
    const auto b = randomValues(k * n, -(1 << 20), 1 << 20, rng);
    std::vector<int64_t> expected(m * n, 0);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t p = 0; p < k; ++p) expected[i * n + j] += int64_t{a[i * k + p]} * b[p * n + j];
    std::vector<int64_t> out(m * n, -1);
    integerMatmul(a.data(), b.data(), out.data(), m, k, n);
    EXPECT_EQ(out, expected) << m << "x" << k << "x" << n;
  }
}

TEST(WindowAxis, OutputLengthsFollowOnnx) {
  // floor((input + pads - extent) / stride) + 1
  EXPECT_EQ((WindowAxis{32, 3, 1, 1, 1, 1}.outputLength()), 32u);
  EXPECT_EQ((WindowAxis{7, 3, 2, 1, 0, 0}.outputLength()), 3u);
  EXPECT_EQ((WindowAxis{10, 3, 1, 2, 0, 0}.outputLength()), 6u);  // extent 5
  EXPECT_EQ((WindowAxis{2, 3, 1, 1, 0, 0}.outputLength()), 0u);   // does not fit
  // ceil mode: ONNX's maxpool_2d_ceil (4, kernel 3, stride 2) gives 2 instead of 1.
  EXPECT_EQ((WindowAxis{4, 3, 2, 1, 0, 0}.outputLength(true)), 2u);
  EXPECT_EQ((WindowAxis{4, 3, 2, 1, 0, 0}.outputLength(false)), 1u);
  // A last window that would start in the end padding is dropped: 3, kernel 1, stride 2,
  // pads 0 / 1 has room for positions 0, 2 and (ceil) 4, which starts in the padding.
  EXPECT_EQ((WindowAxis{3, 1, 2, 1, 0, 1}.outputLength(true)), 2u);
}

}  // namespace
}  // namespace cq
