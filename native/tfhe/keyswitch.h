// Keyswitch: re-encrypts an LWE ciphertext under the big key (k*N) as one under the small key
// (n), by subtracting the decomposed mask times encryptions of the big key's bits.
#pragma once

#include <cstddef>
#include <cstdint>

#include "csprng/random_generator.h"
#include "fft/prefetch_stream.h"
#include "keyswitch_key.h"
#include "lwe_ciphertext_batch.h"
#include "parameters.h"
#include "secret_keys.h"

namespace cq::tfhe {

// Fills `key` with encryptions under `outputKey` of each input bit times each gadget factor.
// Deterministic in `seed` (one forked stream per input bit, so the work spreads over threads).
void generateKeyswitchKey(LweKeyView inputKey, LweKeyView outputKey, const NoiseDistribution& noise, const Seed& seed,
                          KeyswitchKey& key);

// The keyswitch's inner step, per code path (both give the same words: it is integer
// arithmetic modulo 2^64, or 2^32 for a Compact32 key): out[w] -= sum_j digits[j] *
// rows[j * rowStride + w] for w < size, j < levels, advancing `prefetch` as it goes (the AVX2
// kernels one step per vector).
struct KeyswitchKernels {
  void (*subtractDigitCombination)(uint64_t* out, const uint64_t* rows, std::size_t rowStride, const int64_t* digits,
                                   int levels, std::size_t size, PrefetchStream& prefetch);
  void (*subtractDigitCombination32)(uint32_t* out, const uint32_t* rows, std::size_t rowStride, const int64_t* digits,
                                     int levels, std::size_t size, PrefetchStream& prefetch);
};
extern const KeyswitchKernels kScalarKeyswitchKernels;
extern const KeyswitchKernels kAvx2KeyswitchKernels;  // only when cq::simdEnabled()
// The kernels in use in this process.
const KeyswitchKernels& keyswitchKernels();

// in: inputDimension + 1 words under the input key; out: outputDimension + 1 words.
void keyswitchLwe(const KeyswitchKey& key, const uint64_t* in, uint64_t* out,
                  const KeyswitchKernels& kernels = keyswitchKernels());

// Keyswitches up to kKeyswitchGroupSize ciphertexts in one pass over the key, which is what
// bounds a keyswitch (the 2_2 key is 30 MB in Compact32 storage, read at memory speed):
// in[g] -> out[g].
constexpr std::size_t kKeyswitchGroupSize = 8;
void keyswitchLweGroup(const KeyswitchKey& key, const uint64_t* const* in, uint64_t* const* out, std::size_t count,
                       const KeyswitchKernels& kernels = keyswitchKernels());

// Every ciphertext of `in`, in groups, on the thread pool.
LweCiphertextBatch keyswitchLweBatch(const KeyswitchKey& key, const LweCiphertextBatch& in);

}  // namespace cq::tfhe
