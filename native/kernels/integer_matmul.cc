#include "integer_matmul.h"

#include <cstring>

#include "../runtime/cpu_features.h"
#include "integer_conv.h"
#include "../runtime/thread_pool.h"

namespace cq {

void integerMatmulRowsScalar(const int32_t* a, const int32_t* b, int64_t* out, std::size_t rowBegin,
                             std::size_t rowEnd, std::size_t k, std::size_t n) {
  for (std::size_t i = rowBegin; i < rowEnd; ++i) {
    int64_t* row = out + i * n;
    std::memset(row, 0, n * sizeof(int64_t));
    // i-k-j order streams through rows of b, which keeps the inner loop contiguous.
    for (std::size_t p = 0; p < k; ++p) {
      const int64_t x = a[i * k + p];
      const int32_t* bRow = b + p * n;
      for (std::size_t j = 0; j < n; ++j) row[j] += x * bRow[j];
    }
  }
}

bool integerMatmulFitsInt64(int64_t maxAbsA, int64_t maxAbsB, std::size_t k) {
  if (maxAbsA < 0 || maxAbsB < 0) return false;
  unsigned __int128 bound = static_cast<unsigned __int128>(maxAbsA) * static_cast<unsigned __int128>(maxAbsB);
  bound *= static_cast<unsigned __int128>(k);
  return bound < (static_cast<unsigned __int128>(1) << 63);
}

void integerMatmul(const int32_t* a, const int32_t* b, int64_t* out, std::size_t m, std::size_t k, std::size_t n) {
  // From a few rows on (a batch through a Gemm), the register-tiled convolution kernel is about
  // 3x faster: the product is the 1x1 convolution of b's n columns by a's m rows. Few rows do
  // not pay for its packing.
  constexpr std::size_t kTiledMinRows = 16;
  if (m >= kTiledMinRows) {
    Conv2dShape shape;
    shape.inChannels = k;
    shape.outChannels = m;
    shape.columns.input = n;
    integerConv2d(b, a, 0, out, shape);
    return;
  }
  using RowsKernel = void (*)(const int32_t*, const int32_t*, int64_t*, std::size_t, std::size_t, std::size_t,
                              std::size_t);
  static const RowsKernel rows = simdEnabled() ? integerMatmulRowsAvx2 : integerMatmulRowsScalar;
  threadPool().parallelFor(m, [&](std::size_t begin, std::size_t end) { rows(a, b, out, begin, end, k, n); });
}

}  // namespace cq
