#include "keyswitch.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "../runtime/thread_pool.h"
#include "decomposition.h"
#include "lwe_encryption.h"
#include "lwe_linear_algebra.h"

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
    for (std::size_t i = begin; i < end; ++i) {
      RandomGenerator random(seeds[i]);
      for (int j = 0; j < decomposition.level; ++j) {
        // s_i * q/B^(j+1), without branching on the key bit.
        const uint64_t plaintext = gadgetFactor(decomposition, j) & (0 - inputKey.bits[i]);
        encryptLwe(outputKey, plaintext, noise, random, key.ciphertext(i, static_cast<std::size_t>(j)));
      }
    }
  });
}

void keyswitchLwe(const KeyswitchKey& key, const uint64_t* in, uint64_t* out) {
  const std::size_t outputSize = key.outputDimension() + 1;
  const DecompositionParameters decomposition = key.decomposition();
  std::fill_n(out, outputSize, uint64_t{0});
  out[key.outputDimension()] = in[key.inputDimension()];
  int64_t digits[64];
  for (std::size_t i = 0; i < key.inputDimension(); ++i) {
    decompose(in[i], decomposition, digits, 1);
    for (int j = 0; j < decomposition.level; ++j) {
      // phase(out) = b - sum_i sum_j d_ij * (s_i q/B^(j+1) + noise) ~ b - sum_i a_i s_i.
      if (digits[j] != 0) accumulateScaled(out, key.ciphertext(i, static_cast<std::size_t>(j)), -digits[j], outputSize);
    }
  }
}

void keyswitchLweGroup(const KeyswitchKey& key, const uint64_t* const* in, uint64_t* const* out, std::size_t count) {
  if (count > kKeyswitchGroupSize) throw std::invalid_argument("keyswitch: group too large");
  const std::size_t outputSize = key.outputDimension() + 1;
  const DecompositionParameters decomposition = key.decomposition();
  for (std::size_t g = 0; g < count; ++g) {
    std::fill_n(out[g], outputSize, uint64_t{0});
    out[g][key.outputDimension()] = in[g][key.inputDimension()];
  }
  int64_t digits[kKeyswitchGroupSize][64];
  for (std::size_t i = 0; i < key.inputDimension(); ++i) {
    for (std::size_t g = 0; g < count; ++g) decompose(in[g][i], decomposition, digits[g], 1);
    for (int j = 0; j < decomposition.level; ++j) {
      // One keyswitch-key row serves the whole group while it sits in the L1 cache.
      const uint64_t* row = key.ciphertext(i, static_cast<std::size_t>(j));
      for (std::size_t g = 0; g < count; ++g) {
        if (digits[g][j] != 0) accumulateScaled(out[g], row, -digits[g][j], outputSize);
      }
    }
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
