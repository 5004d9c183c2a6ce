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

// Largest output precision of a lookup (and precision of any encoding the bindings accept):
// messages and table entries are 32-bit integers in [-2^p, 2^p).
constexpr int kMaxOutputPrecision = 31;

// The lookup polynomial of a table of 2^inputPrecision entries, its outputs encoded at
// `outputPrecision` (table[m] * 2^(63 - outputPrecision)). Input message m (read at
// inputPrecision) occupies the box of N / 2^p_in coefficients centred on m * N / 2^p_in (the
// half-box offset), so noise of either sign up to half a box still reads the right entry. The
// first half box of message 0 falls off the top of [0, N) and comes back negated through
// X^N = -1, which the negacyclic rotation undoes. Requires 2 * 2^p_in <= N and
// 1 <= outputPrecision <= kMaxOutputPrecision.
std::vector<uint64_t> lookupTablePolynomial(const int64_t* table, int inputPrecision, int outputPrecision,
                                            std::size_t polynomialSize);
// Outputs at the input precision.
inline std::vector<uint64_t> lookupTablePolynomial(const int64_t* table, int precision, std::size_t polynomialSize) {
  return lookupTablePolynomial(table, precision, precision, polynomialSize);
}

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
// kBootstrapBatchSize per pass over the key. Inputs are read at `inputPrecision`; `tables`
// holds tableCount * 2^inputPrecision entries, encoded in the outputs at `outputPrecision`.
LweCiphertextBatch applyLookupTables(const EvaluationKeys& keys, const LweCiphertextBatch& inputs,
                                     const int64_t* tables, std::size_t tableCount, int inputPrecision,
                                     int outputPrecision, const std::vector<LookupJob>& jobs);
// Outputs at the input precision.
inline LweCiphertextBatch applyLookupTables(const EvaluationKeys& keys, const LweCiphertextBatch& inputs,
                                            const int64_t* tables, std::size_t tableCount, int precision,
                                            const std::vector<LookupJob>& jobs) {
  return applyLookupTables(keys, inputs, tables, tableCount, precision, precision, jobs);
}

}  // namespace cq::tfhe
