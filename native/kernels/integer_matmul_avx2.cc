// Compiled with -mavx2 -mfma; only called when the CPU supports both (see cpu_features.h).
#include <immintrin.h>

#include <cstring>

#include "integer_matmul.h"

namespace cq {

void integerMatmulRowsAvx2(const int32_t* a, const int32_t* b, int64_t* out, std::size_t rowBegin,
                           std::size_t rowEnd, std::size_t k, std::size_t n) {
  const std::size_t vectorEnd = n - n % 4;
  for (std::size_t i = rowBegin; i < rowEnd; ++i) {
    int64_t* row = out + i * n;
    std::memset(row, 0, n * sizeof(int64_t));
    for (std::size_t p = 0; p < k; ++p) {
      const int32_t x = a[i * k + p];
      // _mm256_mul_epi32 multiplies the low signed 32 bits of each 64-bit lane into an exact
      // 64-bit product: broadcast x, sign-extend four entries of b, accumulate in int64.
      const __m256i xs = _mm256_set1_epi64x(x);
      const int32_t* bRow = b + p * n;
      std::size_t j = 0;
      for (; j < vectorEnd; j += 4) {
        __m256i bs = _mm256_cvtepi32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(bRow + j)));
        __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + j));
        acc = _mm256_add_epi64(acc, _mm256_mul_epi32(xs, bs));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(row + j), acc);
      }
      for (; j < n; ++j) row[j] += static_cast<int64_t>(x) * bRow[j];
    }
  }
}

}  // namespace cq
