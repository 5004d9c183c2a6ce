// AVX2 kernel of lwe_linear_algebra.h; compiled with -mavx2 -mfma, called only when supported.
#include <immintrin.h>

#include "lwe_linear_algebra.h"

namespace cq::tfhe {

void accumulateScaledAvx2(uint64_t* accumulator, const uint64_t* values, int64_t factor, std::size_t size) {
  // AVX2 multiplies only 32 x 32 -> 64 bits. For |factor| < 2^32 the low 64 bits of
  // |factor| * x are lo(x) * |factor| + (hi(x) * |factor| << 32); a negative factor subtracts.
  const uint64_t magnitude = factor < 0 ? 0 - static_cast<uint64_t>(factor) : static_cast<uint64_t>(factor);
  if (magnitude >> 32) {
    accumulateScaledScalar(accumulator, values, factor, size);
    return;
  }
  const __m256i scale = _mm256_set1_epi64x(static_cast<int64_t>(magnitude));
  const bool negative = factor < 0;
  std::size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(values + i));
    const __m256i low = _mm256_mul_epu32(x, scale);
    const __m256i high = _mm256_slli_epi64(_mm256_mul_epu32(_mm256_srli_epi64(x, 32), scale), 32);
    const __m256i product = _mm256_add_epi64(low, high);
    __m256i* target = reinterpret_cast<__m256i*>(accumulator + i);
    const __m256i current = _mm256_loadu_si256(target);
    _mm256_storeu_si256(target, negative ? _mm256_sub_epi64(current, product) : _mm256_add_epi64(current, product));
  }
  const uint64_t scaleScalar = static_cast<uint64_t>(factor);
  for (; i < size; ++i) accumulator[i] += scaleScalar * values[i];
}

}  // namespace cq::tfhe
