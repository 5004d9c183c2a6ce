// Compiled with -mavx2 -mfma; only called when the CPU supports both (see cpu_features.h).
#include <immintrin.h>

#include "float_conv.h"

namespace cq {

namespace {

static_assert(kFloatTileColumns == 8, "one tile row is two vectors of four doubles");

// The whole tile stays in registers (2 * Rows accumulators) over the depth loop: each step is
// two patch loads, Rows broadcasts and 2 * Rows fused multiply-adds of four doubles.
template <std::size_t Rows>
void floatConvTile(const double* packedWeights, const double* packedPatches, std::size_t depth, double* acc) {
  __m256d low[Rows], high[Rows];
  for (std::size_t r = 0; r < Rows; ++r) low[r] = high[r] = _mm256_setzero_pd();
  for (std::size_t p = 0; p < depth; ++p) {
    const __m256d patchLow = _mm256_loadu_pd(packedPatches + p * kFloatTileColumns);
    const __m256d patchHigh = _mm256_loadu_pd(packedPatches + p * kFloatTileColumns + 4);
    for (std::size_t r = 0; r < Rows; ++r) {
      const __m256d weight = _mm256_broadcast_sd(packedWeights + p * kFloatTileRows + r);
      low[r] = _mm256_fmadd_pd(weight, patchLow, low[r]);
      high[r] = _mm256_fmadd_pd(weight, patchHigh, high[r]);
    }
  }
  for (std::size_t r = 0; r < Rows; ++r) {
    _mm256_storeu_pd(acc + r * kFloatTileColumns, low[r]);
    _mm256_storeu_pd(acc + r * kFloatTileColumns + 4, high[r]);
  }
}

}  // namespace

void floatConvTileAvx2(const double* packedWeights, const double* packedPatches, std::size_t depth, std::size_t rows,
                       double* acc) {
  static_assert(kFloatTileRows == 4, "one case per row count below");
  switch (rows) {
    case 1: return floatConvTile<1>(packedWeights, packedPatches, depth, acc);
    case 2: return floatConvTile<2>(packedWeights, packedPatches, depth, acc);
    case 3: return floatConvTile<3>(packedWeights, packedPatches, depth, acc);
    default: return floatConvTile<4>(packedWeights, packedPatches, depth, acc);
  }
}

}  // namespace cq
