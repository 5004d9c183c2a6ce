// Signed gadget decomposition: x ~ sum_j d_j * q / B^(j+1), j = 0 (most significant) .. level-1,
// with balanced digits d_j in [-B/2, B/2). x is first rounded to the closest multiple of
// q / B^level; the bits below that are the decomposition's rounding error.
#pragma once

#include <cstddef>
#include <cstdint>

#include "parameters.h"

namespace cq::tfhe {

// The gadget factor q / B^(j+1) of level j, i.e. 2^(64 - baseLog * (j + 1)).
inline uint64_t gadgetFactor(DecompositionParameters decomposition, int j) {
  return uint64_t{1} << (64 - decomposition.baseLog * (j + 1));
}

// x rounded to the closest multiple of q / B^level, expressed in units of that multiple
// (modulo B^level, as a 64-bit value).
inline uint64_t roundedForDecomposition(uint64_t x, DecompositionParameters decomposition) {
  const int totalBits = decomposition.baseLog * decomposition.level;
  if (totalBits >= 64) return x;
  const int dropped = 64 - totalBits;
  return (x >> dropped) + ((x >> (dropped - 1)) & 1);
}

// digits[j * stride] for j in [0, level): the balanced digits of x.
inline void decompose(uint64_t x, DecompositionParameters decomposition, int64_t* digits, std::size_t stride) {
  const int baseLog = decomposition.baseLog;
  const uint64_t mask = (uint64_t{1} << baseLog) - 1;
  const uint64_t half = uint64_t{1} << (baseLog - 1);
  uint64_t state = roundedForDecomposition(x, decomposition);
  for (int j = decomposition.level - 1; j >= 0; --j) {
    const uint64_t digit = state & mask;
    state >>= baseLog;
    // A digit in the upper half becomes negative and carries one into the next level up.
    const uint64_t carry = digit >= half;
    digits[static_cast<std::size_t>(j) * stride] = static_cast<int64_t>(digit - (carry << baseLog));
    state += carry;
  }
}

// Decomposes the N coefficients of a polynomial: level j's digit polynomial lands at
// digits[j * N, (j + 1) * N).
inline void decomposePolynomial(const uint64_t* polynomial, std::size_t size, DecompositionParameters decomposition,
                                int64_t* digits) {
  for (std::size_t i = 0; i < size; ++i) decompose(polynomial[i], decomposition, digits + i, size);
}

// The same digits as decomposePolynomial, written as doubles (ready for the FFT): level j's
// polynomial at out[j * N, (j + 1) * N). Branch-free, level-by-level loops over contiguous
// arrays that the compiler vectorises; `state` is scratch of N words.
inline void decomposePolynomialToReal(const uint64_t* polynomial, std::size_t size,
                                      DecompositionParameters decomposition, uint64_t* state, double* out) {
  const int baseLog = decomposition.baseLog;
  const uint64_t mask = (uint64_t{1} << baseLog) - 1;
  for (std::size_t i = 0; i < size; ++i) state[i] = roundedForDecomposition(polynomial[i], decomposition);
  for (int j = decomposition.level - 1; j >= 0; --j) {
    double* digits = out + static_cast<std::size_t>(j) * size;
    for (std::size_t i = 0; i < size; ++i) {
      const uint64_t digit = state[i] & mask;
      const uint64_t carry = digit >> (baseLog - 1);  // 1 when the digit is in the upper half
      state[i] = (state[i] >> baseLog) + carry;
      const int64_t value = static_cast<int64_t>(digit - (carry << baseLog));
      digits[i] = static_cast<double>(value);
    }
  }
}

}  // namespace cq::tfhe
