#include "integer_matmul.h"

#include <cstring>

#include "../runtime/cpu_features.h"
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
  using RowsKernel = void (*)(const int32_t*, const int32_t*, int64_t*, std::size_t, std::size_t, std::size_t,
                              std::size_t);
  static const RowsKernel rows = simdEnabled() ? integerMatmulRowsAvx2 : integerMatmulRowsScalar;
  threadPool().parallelFor(m, [&](std::size_t begin, std::size_t end) { rows(a, b, out, begin, end, k, n); });
}

}  // namespace cq
