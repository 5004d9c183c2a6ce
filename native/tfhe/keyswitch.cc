#include "keyswitch.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"
#include "decomposition.h"
#include "lwe_encryption.h"

namespace cq::tfhe {

void generateKeyswitchKey(LweKeyView inputKey, LweKeyView outputKey, const NoiseDistribution& noise, const Seed& seed,
                          KeyswitchKey& key) {
  if (inputKey.dimension != key.inputDimension() || outputKey.dimension != key.outputDimension()) {
    throw std::invalid_argument("keyswitch key generation: key dimensions do not match");
  }
  const DecompositionParameters decomposition = key.decomposition();
  RandomGenerator parent(seed);
  std::vector<Seed> seeds(key.inputDimension());
  for (auto& childSeed : seeds) childSeed = parent.forkSeed();
  threadPool().parallelFor(key.inputDimension(), [&](std::size_t begin, std::size_t end) {
    std::vector<uint64_t> ciphertext(key.outputDimension() + 1);
    for (std::size_t i = begin; i < end; ++i) {
      RandomGenerator random(seeds[i]);
      for (int j = 0; j < decomposition.level; ++j) {
        // s_i * q/B^(j+1), without branching on the key bit.
        const uint64_t plaintext = gadgetFactor(decomposition, j) & (0 - inputKey.bits[i]);
        encryptLwe(outputKey, plaintext, noise, random, ciphertext.data());
        key.setCiphertext(i, static_cast<std::size_t>(j), ciphertext.data());
      }
    }
  });
}

namespace {

void subtractDigitCombinationScalar(uint64_t* out, const uint64_t* rows, std::size_t rowStride, const int64_t* digits,
                                    int levels, std::size_t size, PrefetchStream& /*the scalar loop is slower than memory*/) {
  for (int j = 0; j < levels; ++j) {
    const uint64_t digit = static_cast<uint64_t>(digits[j]);
    if (digit == 0) continue;
    const uint64_t* row = rows + static_cast<std::size_t>(j) * rowStride;
    for (std::size_t w = 0; w < size; ++w) out[w] -= digit * row[w];
  }
}

void subtractDigitCombination32Scalar(uint32_t* out, const uint32_t* rows, std::size_t rowStride, const int64_t* digits,
                                      int levels, std::size_t size, PrefetchStream& /*slower than memory*/) {
  for (int j = 0; j < levels; ++j) {
    const uint32_t digit = static_cast<uint32_t>(digits[j]);  // modulo 2^32
    if (digit == 0) continue;
    const uint32_t* row = rows + static_cast<std::size_t>(j) * rowStride;
    for (std::size_t w = 0; w < size; ++w) out[w] -= digit * row[w];
  }
}

}  // namespace

KeyswitchKeyStorage keyswitchKeyStorageFor(const TfheParameters& parameters) {
  // Variance of the rounding error of one key ciphertext (see keyswitch_key.h), on the torus.
  const double roundingVariance = (1.0 + parameters.lweDimension() / 2.0) * std::ldexp(1.0, 64 - 128) / 12.0;
  return roundingVariance <= std::ldexp(parameters.lweNoise().variance(), -10) ? KeyswitchKeyStorage::Compact32
                                                                               : KeyswitchKeyStorage::Full;
}

const KeyswitchKernels kScalarKeyswitchKernels = {subtractDigitCombinationScalar, subtractDigitCombination32Scalar};

const KeyswitchKernels& keyswitchKernels() {
  static const KeyswitchKernels& kernels = simdEnabled() ? kAvx2KeyswitchKernels : kScalarKeyswitchKernels;
  return kernels;
}

void keyswitchLwe(const KeyswitchKey& key, const uint64_t* in, uint64_t* out, const KeyswitchKernels& kernels) {
  keyswitchLweGroup(key, &in, &out, 1, kernels);
}

namespace {

// One pass over the key for a group: for each input coefficient i, the group's digits of it,
// then subtract(g, rows, prefetch) subtracts member g's digit combination of i's `level` rows,
// which are contiguous. While the group works through them, the next coefficient's rows stream
// in (fft/prefetch_stream.h), one step per 32-byte vector of a member's row.
template <typename Word, typename Subtract>
void passOverKey(const KeyswitchKey& key, const Word* (KeyswitchKey::*rowsOf)(std::size_t) const,
                 const uint64_t* const* in, std::size_t count, int64_t (*digits)[64], Subtract subtract) {
  const std::size_t outputSize = key.outputDimension() + 1;
  const DecompositionParameters decomposition = key.decomposition();
  const std::size_t rowsBytes = static_cast<std::size_t>(decomposition.level) * outputSize * sizeof(Word);
  constexpr std::size_t kWordsPerVector = 32 / sizeof(Word);
  const std::size_t prefetchSteps = count * ((outputSize + kWordsPerVector - 1) / kWordsPerVector);
  for (std::size_t i = 0; i < key.inputDimension(); ++i) {
    for (std::size_t g = 0; g < count; ++g) decompose(in[g][i], decomposition, digits[g], 1);
    PrefetchStream nextRows;
    if (i + 1 < key.inputDimension()) nextRows = PrefetchStream((key.*rowsOf)(i + 1), rowsBytes, prefetchSteps);
    for (std::size_t g = 0; g < count; ++g) subtract(g, (key.*rowsOf)(i), nextRows);
  }
}

// The sums of a Compact32 key modulo 2^32, one scratch row per ciphertext, then widened: the
// key words are multiples of 2^32, so the mask is the sum shifted up and the body the input's
// body plus it.
void keyswitchGroupCompact(const KeyswitchKey& key, const uint64_t* const* in, uint64_t* const* out, std::size_t count,
                           const KeyswitchKernels& kernels, int64_t (*digits)[64]) {
  const std::size_t outputSize = key.outputDimension() + 1;
  const int level = key.decomposition().level;
  std::vector<uint32_t> sums(count * outputSize, 0);
  passOverKey(key, &KeyswitchKey::compactRows, in, count, digits,
              [&](std::size_t g, const uint32_t* rows, PrefetchStream& prefetch) {
                kernels.subtractDigitCombination32(sums.data() + g * outputSize, rows, outputSize, digits[g], level,
                                                   outputSize, prefetch);
              });
  for (std::size_t g = 0; g < count; ++g) {
    const uint32_t* sum = sums.data() + g * outputSize;
    for (std::size_t w = 0; w < key.outputDimension(); ++w) out[g][w] = uint64_t{sum[w]} << 32;
    out[g][key.outputDimension()] = in[g][key.inputDimension()] + (uint64_t{sum[key.outputDimension()]} << 32);
  }
}

// phase(out) = b - sum_i sum_j d_ij * (s_i q/B^(j+1) + noise) ~ b - sum_i a_i s_i.
void keyswitchGroupFull(const KeyswitchKey& key, const uint64_t* const* in, uint64_t* const* out, std::size_t count,
                        const KeyswitchKernels& kernels, int64_t (*digits)[64]) {
  const std::size_t outputSize = key.outputDimension() + 1;
  const int level = key.decomposition().level;
  for (std::size_t g = 0; g < count; ++g) {
    std::fill_n(out[g], outputSize, uint64_t{0});
    out[g][key.outputDimension()] = in[g][key.inputDimension()];
  }
  passOverKey(key, &KeyswitchKey::fullRows, in, count, digits,
              [&](std::size_t g, const uint64_t* rows, PrefetchStream& prefetch) {
                kernels.subtractDigitCombination(out[g], rows, outputSize, digits[g], level, outputSize, prefetch);
              });
}

}  // namespace

void keyswitchLweGroup(const KeyswitchKey& key, const uint64_t* const* in, uint64_t* const* out, std::size_t count,
                       const KeyswitchKernels& kernels) {
  if (count > kKeyswitchGroupSize) throw std::invalid_argument("keyswitch: group too large");
  int64_t digits[kKeyswitchGroupSize][64];
  if (key.storage() == KeyswitchKeyStorage::Compact32) {
    keyswitchGroupCompact(key, in, out, count, kernels, digits);
  } else {
    keyswitchGroupFull(key, in, out, count, kernels, digits);
  }
}

LweCiphertextBatch keyswitchLweBatch(const KeyswitchKey& key, const LweCiphertextBatch& in) {
  if (in.lweDimension() != key.inputDimension()) {
    throw std::invalid_argument("keyswitch: the ciphertexts' dimension does not match the keyswitch key");
  }
  LweCiphertextBatch out(in.count(), key.outputDimension());
  const std::size_t groups = (in.count() + kKeyswitchGroupSize - 1) / kKeyswitchGroupSize;
  threadPool().parallelFor(groups, [&](std::size_t begin, std::size_t end) {
    for (std::size_t group = begin; group < end; ++group) {
      const uint64_t* inputs[kKeyswitchGroupSize];
      uint64_t* outputs[kKeyswitchGroupSize];
      const std::size_t first = group * kKeyswitchGroupSize;
      const std::size_t count = std::min(kKeyswitchGroupSize, in.count() - first);
      for (std::size_t g = 0; g < count; ++g) {
        inputs[g] = in.ciphertext(first + g);
        outputs[g] = out.ciphertext(first + g);
      }
      keyswitchLweGroup(key, inputs, outputs, count);
    }
  });
  return out;
}

}  // namespace cq::tfhe
