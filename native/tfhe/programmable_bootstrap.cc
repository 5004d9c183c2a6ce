#include "programmable_bootstrap.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "../runtime/thread_pool.h"
#include "fft/cache_aligned_vector.h"
#include "keyswitch.h"
#include "lwe_encryption.h"
#include "modulus_switch.h"

namespace cq::tfhe {

std::vector<uint64_t> lookupTablePolynomial(const int64_t* table, int inputPrecision, int outputPrecision,
                                            std::size_t polynomialSize) {
  if (inputPrecision < 1 || inputPrecision > kMaxPrecision || (std::size_t{2} << inputPrecision) > polynomialSize) {
    throw std::invalid_argument("lookup table: input precision " + std::to_string(inputPrecision) +
                                " does not fit the polynomial size " + std::to_string(polynomialSize) +
                                " (2^(p+1) <= N, p <= " + std::to_string(kMaxPrecision) + ")");
  }
  if (outputPrecision < 1 || outputPrecision > kMaxOutputPrecision) {
    throw std::invalid_argument("lookup table: output precision " + std::to_string(outputPrecision) +
                                " is outside [1, " + std::to_string(kMaxOutputPrecision) + "]");
  }
  const std::size_t entries = std::size_t{1} << inputPrecision;
  const std::size_t box = polynomialSize / entries;
  std::vector<uint64_t> polynomial(polynomialSize);
  for (std::size_t i = 0; i < polynomialSize; ++i) {
    const std::size_t message = (i + box / 2) / box;
    polynomial[i] = message < entries ? encodeMessage(table[message], outputPrecision)
                                      : 0 - encodeMessage(table[0], outputPrecision);
  }
  return polynomial;
}

void bootstrapSmallKeyCiphertext(const EvaluationKeys& keys, const uint64_t* smallKeyCiphertext,
                                 const uint64_t* lookupTable, uint64_t* out, BlindRotationWorkspace& workspace) {
  bootstrapSmallKeyCiphertexts(keys, &smallKeyCiphertext, &lookupTable, &out, 1, workspace);
}

void bootstrapSmallKeyCiphertexts(const EvaluationKeys& keys, const uint64_t* const* smallKeyCiphertexts,
                                  const uint64_t* const* lookupTables, uint64_t* const* out, std::size_t count,
                                  BlindRotationWorkspace& workspace) {
  const TfheParameters& params = keys.parameters;
  const std::size_t switchedSize = params.lweDimension() + 1;
  const std::size_t accumulatorSize = (params.glweDimension() + 1) * params.polynomialSize();
  std::vector<uint32_t> switched(count * switchedSize);
  // Cache-line aligned like the workspace (fft/cache_aligned_vector.h): the backward transforms
  // add their 32-byte groups into these.
  CacheAlignedVector<uint64_t> accumulators(count * accumulatorSize);
  std::vector<const uint32_t*> switchedPointers(count);
  std::vector<uint64_t*> accumulatorPointers(count);
  for (std::size_t b = 0; b < count; ++b) {
    modulusSwitch(params.modulusSwitch(), smallKeyCiphertexts[b], params.lweDimension(), params.polynomialSize(),
                  switched.data() + b * switchedSize);
    switchedPointers[b] = switched.data() + b * switchedSize;
    accumulatorPointers[b] = accumulators.data() + b * accumulatorSize;
  }
  blindRotateBatch(keys.bootstrapKey, switchedPointers.data(), lookupTables, accumulatorPointers.data(), count,
                   workspace);
  for (std::size_t b = 0; b < count; ++b) {
    extractSample(accumulatorPointers[b], params.glweDimension(), params.polynomialSize(), out[b]);
  }
}

void programmableBootstrap(const EvaluationKeys& keys, const uint64_t* in, const uint64_t* lookupTable, uint64_t* out,
                           BlindRotationWorkspace& workspace) {
  std::vector<uint64_t> small(keys.parameters.lweDimension() + 1);
  keyswitchLwe(keys.keyswitchKey, in, small.data());
  bootstrapSmallKeyCiphertext(keys, small.data(), lookupTable, out, workspace);
}

LweCiphertextBatch applyLookupTables(const EvaluationKeys& keys, const LweCiphertextBatch& inputs,
                                     const int64_t* tables, std::size_t tableCount, int inputPrecision,
                                     int outputPrecision, const std::vector<LookupJob>& jobs) {
  const TfheParameters& params = keys.parameters;
  if (inputs.lweDimension() != params.bigLweDimension()) {
    throw std::invalid_argument("lookup: the ciphertexts' dimension does not match the evaluation keys");
  }
  for (const LookupJob& job : jobs) {
    if (job.input >= inputs.count() || job.table >= tableCount) throw std::invalid_argument("lookup: job out of range");
  }
  if (inputPrecision < 1 || inputPrecision > params.maxPrecision() || inputPrecision > kMaxPrecision) {
    throw std::invalid_argument("lookup: input precision does not fit the polynomial size");
  }
  const std::size_t entries = std::size_t{1} << inputPrecision;
  std::vector<std::vector<uint64_t>> polynomials;
  polynomials.reserve(tableCount);
  for (std::size_t t = 0; t < tableCount; ++t) {
    polynomials.push_back(
        lookupTablePolynomial(tables + t * entries, inputPrecision, outputPrecision, params.polynomialSize()));
  }
  // Keyswitch only the inputs some job reads, in groups that share each pass over the key.
  std::vector<char> used(inputs.count(), 0);
  for (const LookupJob& job : jobs) used[job.input] = 1;
  std::vector<std::size_t> usedInputs;
  for (std::size_t i = 0; i < inputs.count(); ++i) {
    if (used[i]) usedInputs.push_back(i);
  }
  LweCiphertextBatch small(inputs.count(), params.lweDimension());
  const std::size_t groups = (usedInputs.size() + kKeyswitchGroupSize - 1) / kKeyswitchGroupSize;
  threadPool().parallelFor(groups, [&](std::size_t begin, std::size_t end) {
    for (std::size_t group = begin; group < end; ++group) {
      const uint64_t* in[kKeyswitchGroupSize];
      uint64_t* out[kKeyswitchGroupSize];
      const std::size_t first = group * kKeyswitchGroupSize;
      const std::size_t count = std::min(kKeyswitchGroupSize, usedInputs.size() - first);
      for (std::size_t g = 0; g < count; ++g) {
        in[g] = inputs.ciphertext(usedInputs[first + g]);
        out[g] = small.ciphertext(usedInputs[first + g]);
      }
      keyswitchLweGroup(keys.keyswitchKey, in, out, count);
    }
  });
  LweCiphertextBatch out(jobs.size(), params.bigLweDimension());
  // Batches of jobs, at least one per thread when there are enough jobs.
  const std::size_t batchSize =
      std::clamp<std::size_t>(jobs.size() / threadPool().size(), std::size_t{1}, kBootstrapBatchSize);
  const std::size_t batches = (jobs.size() + batchSize - 1) / batchSize;
  threadPool().parallelFor(batches, [&](std::size_t begin, std::size_t end) {
    BlindRotationWorkspace workspace(params.glweDimension(), params.polynomialSize(),
                                     params.bootstrapDecomposition().level);
    for (std::size_t batch = begin; batch < end; ++batch) {
      const std::size_t first = batch * batchSize;
      const std::size_t count = std::min(batchSize, jobs.size() - first);
      const uint64_t* inputs[kBootstrapBatchSize];
      const uint64_t* tables[kBootstrapBatchSize];
      uint64_t* outputs[kBootstrapBatchSize];
      for (std::size_t b = 0; b < count; ++b) {
        inputs[b] = small.ciphertext(jobs[first + b].input);
        tables[b] = polynomials[jobs[first + b].table].data();
        outputs[b] = out.ciphertext(first + b);
      }
      bootstrapSmallKeyCiphertexts(keys, inputs, tables, outputs, count, workspace);
    }
  });
  return out;
}

}  // namespace cq::tfhe
