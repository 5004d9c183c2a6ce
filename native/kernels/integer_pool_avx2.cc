// Compiled with -mavx2 -mfma; only called when the CPU supports both (see cpu_features.h).
// Pooling windows move by 1 or 2 almost always (2x2/2 and 3x3/2 or /1), so those strides get
// vector loops; other strides fall back to the scalar loop.
#include <immintrin.h>

#include <algorithm>

#include "integer_pool.h"

namespace cq {

namespace {

// Eight values source[0], source[2], ..., source[14] (16 values are read).
__m256i loadEvenEight(const int32_t* source) {
  const __m256 first = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(source)));
  const __m256 second = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(source + 8)));
  // Per 128-bit half: the even entries of `first`, then those of `second`; then reorder halves.
  const __m256 interleaved = _mm256_shuffle_ps(first, second, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_permute4x64_epi64(_mm256_castps_si256(interleaved), _MM_SHUFFLE(3, 1, 2, 0));
}

// Eight values `stride` (1 or 2) apart.
__m256i loadEight(const int32_t* source, std::size_t stride) {
  return stride == 1 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(source)) : loadEvenEight(source);
}

// How many of `count` windows the vector loops take: every value they load must lie inside the
// row. With stride 2, eight windows also load source[15], which exists when a ninth follows.
std::size_t vectorCount(std::size_t count, std::size_t stride) {
  if (stride == 1) return count - count % 8;
  return count > 8 ? (count - 1) / 8 * 8 : 0;
}

void sumRowAvx2(int64_t* acc, const int32_t* source, std::size_t count, std::size_t stride) {
  std::size_t t = 0;
  if (stride <= 2) {
    for (const std::size_t end = vectorCount(count, stride); t < end; t += 8) {
      const __m256i values = loadEight(source + t * stride, stride);
      __m256i* out = reinterpret_cast<__m256i*>(acc + t);
      const __m256i low = _mm256_cvtepi32_epi64(_mm256_castsi256_si128(values));
      const __m256i high = _mm256_cvtepi32_epi64(_mm256_extracti128_si256(values, 1));
      _mm256_storeu_si256(out, _mm256_add_epi64(_mm256_loadu_si256(out), low));
      _mm256_storeu_si256(out + 1, _mm256_add_epi64(_mm256_loadu_si256(out + 1), high));
    }
  }
  for (; t < count; ++t) acc[t] += source[t * stride];
}

void maxRowAvx2(int32_t* acc, const int32_t* source, std::size_t count, std::size_t stride) {
  std::size_t t = 0;
  if (stride <= 2) {
    for (const std::size_t end = vectorCount(count, stride); t < end; t += 8) {
      __m256i* out = reinterpret_cast<__m256i*>(acc + t);
      _mm256_storeu_si256(out, _mm256_max_epi32(_mm256_loadu_si256(out), loadEight(source + t * stride, stride)));
    }
  }
  for (; t < count; ++t) acc[t] = std::max(acc[t], source[t * stride]);
}

}  // namespace

PoolRowKernels poolRowKernelsAvx2() { return {sumRowAvx2, maxRowAvx2}; }

}  // namespace cq
