#include "lwe_encryption.h"

#include <stdexcept>

#include "csprng/noise_samplers.h"

namespace cq::tfhe {

void fillBinaryKey(uint64_t* bits, std::size_t size, RandomGenerator& random) {
  for (std::size_t i = 0; i < size; i += 64) {
    const uint64_t word = random.nextU64();
    for (std::size_t j = 0; j < 64 && i + j < size; ++j) bits[i + j] = (word >> j) & 1;
  }
}

void generateLweSecretKey(LweSecretKey& key, RandomGenerator& random) {
  fillBinaryKey(key.bits(), key.dimension(), random);
}

void generateGlweSecretKey(GlweSecretKey& key, RandomGenerator& random) {
  fillBinaryKey(key.bits(), key.glweDimension() * key.polynomialSize(), random);
}

uint64_t lweMaskProduct(LweKeyView key, const uint64_t* mask) {
  uint64_t sum = 0;
  // Masking with 0 - bit (all ones or zero) instead of a branch keeps the time independent of
  // the key.
  for (std::size_t i = 0; i < key.dimension; ++i) sum += mask[i] & (0 - key.bits[i]);
  return sum;
}

void encryptLwe(LweKeyView key, uint64_t plaintext, const NoiseDistribution& noise, RandomGenerator& random,
                uint64_t* ciphertext) {
  random.fillU64(ciphertext, key.dimension);
  ciphertext[key.dimension] = lweMaskProduct(key, ciphertext) + plaintext + sampleNoise(random, noise);
}

uint64_t decryptLwePhase(LweKeyView key, const uint64_t* ciphertext) {
  return ciphertext[key.dimension] - lweMaskProduct(key, ciphertext);
}

LweCiphertextBatch encryptLweBatch(LweKeyView key, const uint64_t* plaintexts, std::size_t count,
                                   const NoiseDistribution& noise, RandomGenerator& random) {
  LweCiphertextBatch batch(count, key.dimension);
  for (std::size_t i = 0; i < count; ++i) encryptLwe(key, plaintexts[i], noise, random, batch.ciphertext(i));
  return batch;
}

void decryptLweBatchPhases(LweKeyView key, const LweCiphertextBatch& batch, uint64_t* phases) {
  if (batch.lweDimension() != key.dimension) {
    throw std::invalid_argument("decrypt: the ciphertexts' dimension does not match the key");
  }
  for (std::size_t i = 0; i < batch.count(); ++i) phases[i] = decryptLwePhase(key, batch.ciphertext(i));
}

}  // namespace cq::tfhe
