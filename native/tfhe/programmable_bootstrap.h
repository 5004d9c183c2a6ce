// Programmable bootstrap (KS-PBS): keyswitch to the small key, modulus switch to 2N, blind
// rotation of a lookup-table polynomial, sample extraction back under the big key. The output
// encrypts table[m] with fresh, input-independent noise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "blind_rotation.h"
#include "keys.h"
#include "lwe_ciphertext_batch.h"

namespace cq::tfhe {

// The lookup polynomial of a table of 2^precision entries (outputs encoded at `precision`).
// Message m occupies the box of N / 2^p coefficients centred on m * N / 2^p (the half-box
// offset), so noise of either sign up to half a box still reads the right entry. The first
// half box of message 0 falls off the top of [0, N) and comes back negated through X^N = -1,
// which the negacyclic rotation undoes.
std::vector<uint64_t> lookupTablePolynomial(const int64_t* table, int precision, std::size_t polynomialSize);

// Bootstraps one big-key ciphertext through one lookup polynomial, all steps on this thread.
// out: k * N + 1 words.
void programmableBootstrap(const EvaluationKeys& keys, const uint64_t* in, const uint64_t* lookupTable, uint64_t* out,
                           BlindRotationWorkspace& workspace);

// The part after the keyswitch: modulus switch, blind rotation and sample extraction of a
// small-key ciphertext (n + 1 words).
void bootstrapSmallKeyCiphertext(const EvaluationKeys& keys, const uint64_t* smallKeyCiphertext,
                                 const uint64_t* lookupTable, uint64_t* out, BlindRotationWorkspace& workspace);

// The same for `count` ciphertexts in one pass over the bootstrap key (blindRotateBatch); the
// results are bootstrapSmallKeyCiphertext's, word for word.
void bootstrapSmallKeyCiphertexts(const EvaluationKeys& keys, const uint64_t* const* smallKeyCiphertexts,
                                  const uint64_t* const* lookupTables, uint64_t* const* out, std::size_t count,
                                  BlindRotationWorkspace& workspace);

// Ciphertexts bootstrapped per pass over the key in applyLookupTables: enough to divide the
// key traffic, few enough that the accumulators stay in the L2 cache beside one GGSW.
constexpr std::size_t kBootstrapBatchSize = 4;

// One lookup to run: input ciphertext `input` through table `table`.
struct LookupJob {
  std::size_t input;
  std::size_t table;
};

// Runs every job on the thread pool; output j is job j's result. Each input is keyswitched
// once however many tables it goes through; each thread bootstraps its jobs in batches of up to
// kBootstrapBatchSize per pass over the key. `tables` holds tableCount * 2^precision entries.
LweCiphertextBatch applyLookupTables(const EvaluationKeys& keys, const LweCiphertextBatch& inputs,
                                     const int64_t* tables, std::size_t tableCount, int precision,
                                     const std::vector<LookupJob>& jobs);

}  // namespace cq::tfhe
