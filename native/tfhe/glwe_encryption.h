// GLWE encryption: k random mask polynomials A_r and a body B = sum_r A_r S_r + M + E in
// Z_(2^64)[X]/(X^N + 1). Used to build the bootstrap key's GGSW rows.
#pragma once

#include <cstdint>

#include "csprng/random_generator.h"
#include "parameters.h"
#include "secret_keys.h"

namespace cq::tfhe {

// ciphertext: (k + 1) * N words, mask polynomials first, body last. `plaintext` has N words.
void encryptGlwe(const GlweSecretKey& key, const uint64_t* plaintext, const NoiseDistribution& noise,
                 RandomGenerator& random, uint64_t* ciphertext);

// The phase polynomial B - sum_r A_r S_r (N words).
void decryptGlwePhase(const GlweSecretKey& key, const uint64_t* ciphertext, uint64_t* phase);

}  // namespace cq::tfhe
