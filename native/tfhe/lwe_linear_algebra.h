// Linear operations on LWE ciphertext batches with clear integers. They act on the ciphertext
// words directly (mask and body alike), so the phase follows the same operation, and the
// noise variance grows by the sum of the squared weights (the 2-norm squared).
#pragma once

#include <cstddef>
#include <cstdint>

#include "lwe_ciphertext_batch.h"

namespace cq::tfhe {

// out = a + b, a - b, -a, elementwise over whole batches of equal shape (out may alias a or b).
void addLweBatches(const LweCiphertextBatch& a, const LweCiphertextBatch& b, LweCiphertextBatch& out);
void subtractLweBatches(const LweCiphertextBatch& a, const LweCiphertextBatch& b, LweCiphertextBatch& out);
void negateLweBatch(const LweCiphertextBatch& a, LweCiphertextBatch& out);

// Ciphertext i times factors[i] (a clear integer), in place.
void multiplyLweBatchByIntegers(LweCiphertextBatch& batch, const int64_t* factors);

// Adds plaintexts[i] (already encoded) to the body of ciphertext i, in place.
void addPlaintextsToLweBatch(LweCiphertextBatch& batch, const uint64_t* plaintexts);

// out[o] = sum_i weights[o * inputCount + i] * in[i], for o < outputCount: the ciphertext side of
// a clear-weight linear layer. out must have outputCount ciphertexts of in's dimension. Runs on
// the thread pool with the AVX2 kernel when enabled.
void lweDotProduct(const LweCiphertextBatch& in, const int32_t* weights, std::size_t outputCount,
                   LweCiphertextBatch& out);

// accumulator[i] += factor * values[i] (mod 2^64) for i < size: the kernel of the dot product
// and of the keyswitch. Both implementations are exposed so tests can compare them.
void accumulateScaledScalar(uint64_t* accumulator, const uint64_t* values, int64_t factor, std::size_t size);
void accumulateScaledAvx2(uint64_t* accumulator, const uint64_t* values, int64_t factor, std::size_t size);
// The one chosen for this process.
void accumulateScaled(uint64_t* accumulator, const uint64_t* values, int64_t factor, std::size_t size);

}  // namespace cq::tfhe
