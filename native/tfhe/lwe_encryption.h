// LWE encryption over Z/2^64 with binary keys: a ciphertext (a, b) has phase
// b - <a, s> = plaintext + noise. A p-bit message m is encoded as m * 2^(63 - p): the top bit
// is the padding bit, which keeps table lookups away from the negacyclic wrap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "csprng/random_generator.h"
#include "lwe_ciphertext_batch.h"
#include "parameters.h"
#include "secret_keys.h"

namespace cq::tfhe {

// Largest precision (message bits, padding bit apart) an encoding supports.
constexpr int kMaxPrecision = 16;

// m * 2^(63 - p) modulo 2^64; negative messages wrap, which lets the padding bit act as a sign
// for linear operations.
inline uint64_t encodeMessage(int64_t message, int precision) {
  return static_cast<uint64_t>(message) << (63 - precision);
}

// The (p+1)-bit signed integer closest to phase / 2^(63 - p), in [-2^p, 2^p).
inline int64_t decodeMessage(uint64_t phase, int precision) {
  const int shift = 63 - precision;
  const uint64_t rounded = (phase >> shift) + ((phase >> (shift - 1)) & 1);
  const int width = precision + 1;
  const uint64_t residue = rounded & ((uint64_t{1} << width) - 1);
  return residue >= (uint64_t{1} << precision) ? static_cast<int64_t>(residue) - (int64_t{1} << width)
                                               : static_cast<int64_t>(residue);
}

// Uniformly random binary keys.
void fillBinaryKey(uint64_t* bits, std::size_t size, RandomGenerator& random);
void generateLweSecretKey(LweSecretKey& key, RandomGenerator& random);
void generateGlweSecretKey(GlweSecretKey& key, RandomGenerator& random);

// <a, s> over the key's dimension, without branching on key bits.
uint64_t lweMaskProduct(LweKeyView key, const uint64_t* mask);

// Writes an encryption of `plaintext` (already encoded) to ciphertext[0, dimension + 1).
void encryptLwe(LweKeyView key, uint64_t plaintext, const NoiseDistribution& noise, RandomGenerator& random,
                uint64_t* ciphertext);

// b - <a, s>: the plaintext plus noise.
uint64_t decryptLwePhase(LweKeyView key, const uint64_t* ciphertext);

// Encrypts count plaintexts into a new batch under `key`.
LweCiphertextBatch encryptLweBatch(LweKeyView key, const uint64_t* plaintexts, std::size_t count,
                                   const NoiseDistribution& noise, RandomGenerator& random);

// The phases of a batch (its dimension must match the key's).
void decryptLweBatchPhases(LweKeyView key, const LweCiphertextBatch& batch, uint64_t* phases);

}  // namespace cq::tfhe
