#include "../kernels/integer_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "../runtime/cpu_features.h"

namespace cq {
namespace {

struct PoolCase {
  const char* name;
  std::size_t batch, channels, height, width, kernelHeight, kernelWidth;
  std::size_t strides[2], pads[4], dilations[2];  // ONNX order: pads = top, left, bottom, right
  bool ceilMode;
};

// Failures name the case rather than dumping its bytes.
void PrintTo(const PoolCase& c, std::ostream* os) { *os << c.name; }

Pool2dShape shapeOf(const PoolCase& c) {
  Pool2dShape shape;
  shape.batch = c.batch;
  shape.channels = c.channels;
  shape.rows = {c.height, c.kernelHeight, c.strides[0], c.dilations[0], c.pads[0], c.pads[2]};
  shape.columns = {c.width, c.kernelWidth, c.strides[1], c.dilations[1], c.pads[1], c.pads[3]};
  shape.ceilMode = c.ceilMode;
  return shape;
}

// Every tap of every window, by definition: the input value, or padValue outside the input.
template <typename Fold>
void forEachTap(const std::vector<int32_t>& x, int32_t padValue, const PoolCase& c, Fold fold) {
  const Pool2dShape shape = shapeOf(c);
  std::size_t index = 0;
  for (std::size_t plane = 0; plane < c.batch * c.channels; ++plane)
    for (std::size_t i = 0; i < shape.outHeight(); ++i)
      for (std::size_t j = 0; j < shape.outWidth(); ++j, ++index)
        for (std::size_t a = 0; a < c.kernelHeight; ++a)
          for (std::size_t b = 0; b < c.kernelWidth; ++b) {
            const int64_t y = int64_t(i * c.strides[0] + a * c.dilations[0]) - int64_t(c.pads[0]);
            const int64_t z = int64_t(j * c.strides[1] + b * c.dilations[1]) - int64_t(c.pads[1]);
            const bool inside = y >= 0 && y < int64_t(c.height) && z >= 0 && z < int64_t(c.width);
            fold(index, inside ? x[(plane * c.height + y) * c.width + z] : padValue);
          }
}

std::size_t outputSize(const PoolCase& c) {
  const Pool2dShape shape = shapeOf(c);
  return c.batch * c.channels * shape.outHeight() * shape.outWidth();
}

std::vector<int64_t> referenceSum(const std::vector<int32_t>& x, int32_t padValue, const PoolCase& c) {
  std::vector<int64_t> out(outputSize(c), 0);
  forEachTap(x, padValue, c, [&](std::size_t i, int32_t v) { out[i] += v; });
  return out;
}

std::vector<int32_t> referenceMax(const std::vector<int32_t>& x, int32_t padValue, const PoolCase& c) {
  std::vector<int32_t> out(outputSize(c), std::numeric_limits<int32_t>::min());
  forEachTap(x, padValue, c, [&](std::size_t i, int32_t v) { out[i] = std::max(out[i], v); });
  return out;
}

const PoolCase kCases[] = {
    {"2x2 stride 2", 2, 3, 8, 8, 2, 2, {2, 2}, {0, 0, 0, 0}, {1, 1}, false},
    {"3x3 stride 2 pad 1 odd", 1, 4, 13, 19, 3, 3, {2, 2}, {1, 1, 1, 1}, {1, 1}, false},
    {"3x3 stride 1 wide rows", 1, 2, 5, 41, 3, 3, {1, 1}, {1, 1, 1, 1}, {1, 1}, false},
    {"stride 2 rows of 17 windows", 1, 1, 3, 35, 1, 3, {1, 2}, {0, 0, 0, 0}, {1, 1}, false},
    {"stride 3 scalar fallback", 1, 2, 10, 29, 2, 3, {3, 3}, {0, 1, 0, 1}, {1, 1}, false},
    {"ceil mode overhang", 2, 2, 7, 9, 3, 3, {2, 2}, {0, 0, 0, 0}, {1, 1}, true},
    {"ceil mode with pads", 1, 3, 6, 11, 2, 4, {2, 3}, {1, 0, 0, 2}, {1, 1}, true},
    {"dilations", 1, 2, 12, 20, 3, 2, {1, 2}, {2, 1, 2, 1}, {2, 3}, false},
    {"1-D as height 1", 3, 2, 1, 50, 1, 4, {1, 2}, {0, 3, 0, 3}, {1, 1}, false},
    {"kernel 1 identity", 1, 2, 3, 4, 1, 1, {1, 1}, {0, 0, 0, 0}, {1, 1}, false},
    {"window in the padding only", 1, 1, 2, 2, 2, 2, {1, 1}, {3, 3, 0, 0}, {1, 1}, false},
    {"global pool", 2, 3, 7, 5, 7, 5, {1, 1}, {0, 0, 0, 0}, {1, 1}, false},
};

class IntegerPool : public ::testing::TestWithParam<PoolCase> {};

TEST_P(IntegerPool, BothPathsMatchTheDefinition) {
  const PoolCase& c = GetParam();
  const Pool2dShape shape = shapeOf(c);
  ASSERT_GT(shape.outHeight(), 0u);
  ASSERT_GT(shape.outWidth(), 0u);
  std::mt19937 rng(static_cast<unsigned>(c.height * 31 + c.width));
  std::uniform_int_distribution<int32_t> dist(-100000, 100000);
  std::vector<int32_t> x(c.batch * c.channels * c.height * c.width);
  for (auto& v : x) v = dist(rng);
  // A pad value above most inputs, so a wrongly included or missed pad tap changes the max.
  const int32_t padValue = 90000;
  const auto expectedSum = referenceSum(x, padValue, c);
  const auto expectedMax = referenceMax(x, padValue, c);

  std::vector<PoolRowKernels> paths = {poolRowKernelsScalar()};
  if (detectCpuFeatures().avx2) paths.push_back(poolRowKernelsAvx2());
  for (const auto& path : paths) {
    std::vector<int64_t> sums(expectedSum.size(), -1);
    integerSumPool2dWith(path, x.data(), padValue, sums.data(), shape);
    EXPECT_EQ(sums, expectedSum);
    std::vector<int32_t> maxima(expectedMax.size(), -1);
    integerMaxPool2dWith(path, x.data(), padValue, maxima.data(), shape);
    EXPECT_EQ(maxima, expectedMax);
  }
  std::vector<int64_t> sums(expectedSum.size(), -1);
  integerSumPool2d(x.data(), padValue, sums.data(), shape);
  EXPECT_EQ(sums, expectedSum);
  std::vector<int32_t> maxima(expectedMax.size(), -1);
  integerMaxPool2d(x.data(), padValue, maxima.data(), shape);
  EXPECT_EQ(maxima, expectedMax);
}

INSTANTIATE_TEST_SUITE_P(Shapes, IntegerPool, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<PoolCase>& info) {
                           std::string name = info.param.name;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

TEST(IntegerPoolRows, PathsAgreeOnEveryCountAndStride) {
  if (!detectCpuFeatures().avx2) GTEST_SKIP() << "no AVX2 on this CPU";
  std::mt19937 rng(5);
  std::uniform_int_distribution<int32_t> dist(INT32_MIN, INT32_MAX);
  const PoolRowKernels scalar = poolRowKernelsScalar(), vectorized = poolRowKernelsAvx2();
  for (std::size_t stride = 1; stride <= 3; ++stride) {
    for (std::size_t count = 0; count <= 40; ++count) {
      // Exactly the values the row may read, so a read past the end shows under the sanitizers.
      std::vector<int32_t> source(count == 0 ? 0 : (count - 1) * stride + 1);
      for (auto& v : source) v = dist(rng);
      std::vector<int64_t> sumA(count), sumB;
      for (auto& v : sumA) v = dist(rng);
      sumB = sumA;
      std::vector<int32_t> maxA(count), maxB;
      for (auto& v : maxA) v = dist(rng);
      maxB = maxA;
      scalar.sum(sumA.data(), source.data(), count, stride);
      vectorized.sum(sumB.data(), source.data(), count, stride);
      EXPECT_EQ(sumA, sumB) << "count " << count << ", stride " << stride;
      scalar.max(maxA.data(), source.data(), count, stride);
      vectorized.max(maxB.data(), source.data(), count, stride);
      EXPECT_EQ(maxA, maxB) << "count " << count << ", stride " << stride;
    }
  }
}

TEST(IntegerPoolLimits, ExtremeValuesAreExact) {
  const PoolCase c = {"", 1, 1, 4, 4, 4, 4, {1, 1}, {0, 0, 0, 0}, {1, 1}, false};
  std::vector<int32_t> x(16, INT32_MIN);
  std::vector<int64_t> sum(1);
  integerSumPool2d(x.data(), 0, sum.data(), shapeOf(c));
  EXPECT_EQ(sum[0], int64_t{16} * INT32_MIN);
  std::vector<int32_t> max(1);
  integerMaxPool2d(x.data(), 0, max.data(), shapeOf(c));
  EXPECT_EQ(max[0], INT32_MIN);
  EXPECT_TRUE(integerSumPool2dFitsInt64(int64_t{1} << 31, shapeOf(c)));
  Pool2dShape huge = shapeOf(c);
  huge.rows.kernel = huge.columns.kernel = std::size_t{1} << 16;  // 2^32 taps of 2^31
  EXPECT_FALSE(integerSumPool2dFitsInt64(int64_t{1} << 31, huge));
}

TEST(IntegerPoolShape, PaddedTellsWhetherATapCanLeaveTheInput) {
  EXPECT_FALSE(shapeOf({"", 1, 1, 8, 8, 2, 2, {2, 2}, {0, 0, 0, 0}, {1, 1}, false}).padded());
  EXPECT_TRUE(shapeOf({"", 1, 1, 8, 8, 2, 2, {2, 2}, {0, 0, 0, 2}, {1, 1}, false}).padded());
  EXPECT_TRUE(shapeOf({"", 1, 1, 8, 8, 2, 2, {2, 2}, {1, 0, 0, 0}, {1, 1}, false}).padded());
  // An end pad no window reaches: 8 + 1 holds 4 windows of 2 and a leftover.
  EXPECT_FALSE(shapeOf({"", 1, 1, 8, 8, 2, 2, {2, 2}, {0, 0, 0, 1}, {1, 1}, false}).padded());
  // Floor mode never reaches an end pad smaller than the leftover: 7 = 3 windows of 2 + 1.
  EXPECT_FALSE(shapeOf({"", 1, 1, 7, 7, 2, 2, {2, 2}, {0, 0, 0, 0}, {1, 1}, false}).padded());
  EXPECT_TRUE(shapeOf({"", 1, 1, 7, 7, 2, 2, {2, 2}, {0, 0, 0, 0}, {1, 1}, true}).padded());
}

}  // namespace
}  // namespace cq
