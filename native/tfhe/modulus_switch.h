// Modulus switch: rounds an LWE ciphertext modulo 2^64 to one modulo 2N, the exponent group of
// the negacyclic monomials X^k that blind rotation multiplies by.
#pragma once

#include <cstddef>
#include <cstdint>

#include "parameters.h"

namespace cq::tfhe {

// Each of the n + 1 words rounded on its own to the nearest multiple of q / 2N.
void modulusSwitchStandard(const uint64_t* in, std::size_t lweDimension, std::size_t polynomialSize, uint32_t* out);

// The centred variant for binary keys (tfhe.md, "Modulus switch"): the mask's rounding errors
// e_i reach the phase as -sum(e_i s_i), whose mean -sum(e_i)/2 is public. Adding sum(e_i)/2 to
// the body before it is rounded cancels that mean and halves the key-dependent variance
// (n/24 -> n/48 steps^2). The body also moves down by half a step: a lookup box is an even
// number of integer steps, [c - box/2, c + box/2 - 1] around its centre c, i.e. centred on
// c - 1/2, and the shift puts the rounded phase's mean there, making the failure two-sided
// symmetric.
void modulusSwitchCenteredBinary(const uint64_t* in, std::size_t lweDimension, std::size_t polynomialSize,
                                 uint32_t* out);

void modulusSwitch(ModulusSwitchKind kind, const uint64_t* in, std::size_t lweDimension, std::size_t polynomialSize,
                   uint32_t* out);

}  // namespace cq::tfhe
