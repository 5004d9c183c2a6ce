// Compiled with -mavx2 -mfma; only called when the CPU supports both (see cpu_features.h).
#include <immintrin.h>

#include "integer_conv.h"

namespace cq {

namespace {

static_assert(kConvTileColumns == 8, "one tile row is two vectors of four int64");

// The whole tile lives in registers (2 * Rows accumulators) for the depth loop, so each step
// costs two patch loads and Rows broadcasts for 8 * Rows exact multiply-adds.
template <std::size_t Rows>
void convTile(const int32_t* packedWeights, const int32_t* packedPatches, std::size_t depth, int64_t* acc) {
  __m256i low[Rows], high[Rows];
  for (std::size_t r = 0; r < Rows; ++r) low[r] = high[r] = _mm256_setzero_si256();
  for (std::size_t p = 0; p < depth; ++p) {
    const int32_t* patch = packedPatches + p * kConvTileColumns;
    // Sign-extended to 64-bit lanes: _mm256_mul_epi32 multiplies the low signed 32 bits of each
    // lane into an exact 64-bit product.
    const __m256i patchLow = _mm256_cvtepi32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(patch)));
    const __m256i patchHigh = _mm256_cvtepi32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(patch + 4)));
    for (std::size_t r = 0; r < Rows; ++r) {
      const __m256i weight = _mm256_set1_epi32(packedWeights[p * kConvTileRows + r]);
      low[r] = _mm256_add_epi64(low[r], _mm256_mul_epi32(weight, patchLow));
      high[r] = _mm256_add_epi64(high[r], _mm256_mul_epi32(weight, patchHigh));
    }
  }
  for (std::size_t r = 0; r < Rows; ++r) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * kConvTileColumns), low[r]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * kConvTileColumns + 4), high[r]);
  }
}

}  // namespace

void convTileAvx2(const int32_t* packedWeights, const int32_t* packedPatches, std::size_t depth, std::size_t rows,
                  int64_t* acc) {
  static_assert(kConvTileRows == 4, "one case per row count below");
  switch (rows) {
    case 1: return convTile<1>(packedWeights, packedPatches, depth, acc);
    case 2: return convTile<2>(packedWeights, packedPatches, depth, acc);
    case 3: return convTile<3>(packedWeights, packedPatches, depth, acc);
    default: return convTile<4>(packedWeights, packedPatches, depth, acc);
  }
}

}  // namespace cq
