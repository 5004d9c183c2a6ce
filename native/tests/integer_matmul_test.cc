#include "../kernels/integer_matmul.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "../runtime/cpu_features.h"

namespace cq {
namespace {

std::vector<int32_t> randomMatrix(std::size_t size, int32_t bound, std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> dist(-bound, bound);
  std::vector<int32_t> values(size);
  for (auto& v : values) v = dist(rng);
  return values;
}

// The definition of the product, one entry at a time.
std::vector<int64_t> referenceProduct(const std::vector<int32_t>& a, const std::vector<int32_t>& b, std::size_t m,
                                      std::size_t k, std::size_t n) {
  std::vector<int64_t> out(m * n, 0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t p = 0; p < k; ++p) out[i * n + j] += int64_t{a[i * k + p]} * b[p * n + j];
  return out;
}

TEST(IntegerMatmul, ScalarAndAvx2MatchTheDefinition) {
  std::mt19937 rng(7);
  const std::size_t shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {64, 128, 10}, {5, 1, 13}};
  for (const auto& shape : shapes) {
    std::size_t m = shape[0], k = shape[1], n = shape[2];
    auto a = randomMatrix(m * k, 1 << 20, rng);
    auto b = randomMatrix(k * n, 1 << 20, rng);
    auto expected = referenceProduct(a, b, m, k, n);
    std::vector<int64_t> scalar(m * n, -1);
    integerMatmulRowsScalar(a.data(), b.data(), scalar.data(), 0, m, k, n);
    EXPECT_EQ(scalar, expected);
    if (detectCpuFeatures().avx2) {
      std::vector<int64_t> vectorized(m * n, -1);
      integerMatmulRowsAvx2(a.data(), b.data(), vectorized.data(), 0, m, k, n);
      EXPECT_EQ(vectorized, expected);
    }
    std::vector<int64_t> dispatched(m * n, -1);
    integerMatmul(a.data(), b.data(), dispatched.data(), m, k, n);
    EXPECT_EQ(dispatched, expected);
  }
}

TEST(IntegerMatmul, ExtremeValuesAreExact) {
  // k = 1 keeps every sum a single product, so the int32 extremes stay within int64.
  std::vector<int32_t> a = {INT32_MIN, INT32_MAX};
  std::vector<int32_t> b = {INT32_MIN, INT32_MAX};
  ASSERT_TRUE(integerMatmulFitsInt64(int64_t{1} << 31, int64_t{1} << 31, 1));
  auto expected = referenceProduct(a, b, 2, 1, 2);
  std::vector<int64_t> out(4);
  integerMatmul(a.data(), b.data(), out.data(), 2, 1, 2);
  EXPECT_EQ(out, expected);
  EXPECT_EQ(out[0], int64_t{1} << 62);
}

TEST(IntegerMatmul, OverflowBound) {
  EXPECT_TRUE(integerMatmulFitsInt64(int64_t{1} << 31, int64_t{1} << 31, 1));
  EXPECT_FALSE(integerMatmulFitsInt64(int64_t{1} << 31, int64_t{1} << 31, 2));
  EXPECT_TRUE(integerMatmulFitsInt64(1 << 15, 1 << 15, std::size_t{1} << 32));
  EXPECT_FALSE(integerMatmulFitsInt64(-1, 1, 1));
}

}  // namespace
}  // namespace cq
