// Evaluation keys with their masks replaced by one public seed: the client generates the
// masks from a ChaCha20 stream (mask_stream.h) and keeps only the bodies, which need the
// secret keys and secret noise; the server regenerates the masks from the seed. The keyswitch
// key shrinks by a factor n + 1, the bootstrap key by k + 1 (to about a quarter in all for the
// 2_2 set). Noise comes from a separate, secret stream: knowing the seed tells nothing of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "../csprng/random_generator.h"
#include "../keys.h"
#include "../parameters.h"

namespace cq::tfhe {

// Keyswitch ciphertexts (i, j) in key order, i < k*N, j < keyswitch level.
std::size_t keyswitchCiphertextCount(const TfheParameters& parameters);
// GGSW rows of the bootstrap key: n GGSWs of (k + 1) * level rows, each k + 1 polynomials.
std::size_t bootstrapRowCount(const TfheParameters& parameters);

struct CompressedEvaluationKeys {
  TfheParameters parameters;
  Seed maskSeed;
  // Body of keyswitch ciphertext c (c = i * level + j): <mask_c, s> + s'_i q/B^(j+1) + e.
  std::vector<uint64_t> keyswitchBodies;
  // Body polynomial (N words) of bootstrap row R = i * rows + r * level + j, at R * N.
  std::vector<uint64_t> bootstrapBodies;

  explicit CompressedEvaluationKeys(const TfheParameters& params)
      : parameters(params),
        keyswitchBodies(keyswitchCiphertextCount(params)),
        bootstrapBodies(bootstrapRowCount(params) * params.polynomialSize()) {}
  std::size_t sizeInBytes() const {
    return (keyswitchBodies.size() + bootstrapBodies.size()) * sizeof(uint64_t) + sizeof(maskSeed.bytes);
  }
};

// On the thread pool. `maskSeed` becomes public with the keys; `noiseSeed` must stay secret.
std::unique_ptr<CompressedEvaluationKeys> generateCompressedEvaluationKeys(const ClientKey& clientKey,
                                                                           const Seed& maskSeed,
                                                                           const Seed& noiseSeed);

// The usable (Fourier-domain) keys. Bodies are little-endian words, e.g. straight from a file.
std::unique_ptr<EvaluationKeys> expandEvaluationKeys(const TfheParameters& parameters, const Seed& maskSeed,
                                                     const uint8_t* keyswitchBodies, const uint8_t* bootstrapBodies);
std::unique_ptr<EvaluationKeys> decompressEvaluationKeys(const CompressedEvaluationKeys& keys);

// The expanded standard-domain keys as little-endian words: the keyswitch key in its own
// layout (keyswitch_key.h), then each bootstrap row's k + 1 polynomials (masks, then body).
std::size_t expandedKeyswitchWords(const TfheParameters& parameters);
std::size_t expandedBootstrapWords(const TfheParameters& parameters);
void writeExpandedEvaluationKeys(const CompressedEvaluationKeys& keys, uint8_t* keyswitchOut, uint8_t* bootstrapOut);

// The usable keys from that expanded form (the bootstrap key goes through the FFT here).
std::unique_ptr<EvaluationKeys> loadExpandedEvaluationKeys(const TfheParameters& parameters,
                                                           const uint8_t* keyswitchWords,
                                                           const uint8_t* bootstrapWords);

}  // namespace cq::tfhe
