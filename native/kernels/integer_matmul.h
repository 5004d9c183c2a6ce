// Clear integer matrix product with exact 64-bit accumulators: the core of quantized
// Gemm/MatMul/Conv on clear data.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cq {

// out[m x n] = a[m x k] @ b[k x n], row-major. The caller guarantees that no accumulator
// can overflow int64 (see integerMatmulFitsInt64). Runs on the thread pool.
void integerMatmul(const int32_t* a, const int32_t* b, int64_t* out, std::size_t m, std::size_t k, std::size_t n);

// True when max|a| * max|b| * k < 2^63, i.e. no sum of k products can overflow.
bool integerMatmulFitsInt64(int64_t maxAbsA, int64_t maxAbsB, std::size_t k);

// The two implementations of one row block, exposed so tests can compare them directly.
// Rows [rowBegin, rowEnd) of the product.
void integerMatmulRowsScalar(const int32_t* a, const int32_t* b, int64_t* out, std::size_t rowBegin,
                             std::size_t rowEnd, std::size_t k, std::size_t n);
void integerMatmulRowsAvx2(const int32_t* a, const int32_t* b, int64_t* out, std::size_t rowBegin,
                           std::size_t rowEnd, std::size_t k, std::size_t n);

}  // namespace cq
