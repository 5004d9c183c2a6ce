// Bootstrap key generation: GGSW encryptions of the small key's bits under the GLWE key,
// transformed to the Fourier domain once so that every blind rotation reuses them.
#pragma once

#include "csprng/random_generator.h"
#include "fourier_bootstrap_key.h"
#include "parameters.h"
#include "secret_keys.h"

namespace cq::tfhe {

// GGSW of a bit mu, in the standard domain: row (r, j) (r <= k, j < level) is a GLWE encryption
// of zero plus mu * q/B^(j+1) added to component r, at [((r * level + j) * (k + 1)) * N].
// A mask component r < k gives the row the phase -mu q/B^(j+1) S_r; the body gives
// +mu q/B^(j+1). The external product pairs digit j of component r with row (r, j).
void encryptGgsw(const GlweSecretKey& key, uint64_t bit, DecompositionParameters decomposition,
                 const NoiseDistribution& noise, RandomGenerator& random, uint64_t* ggsw);

// Fills `key` (sizes already set) from the two secret keys. Deterministic in `seed`; one forked
// stream per small-key bit lets the work spread over the thread pool.
void generateFourierBootstrapKey(LweKeyView lweKey, const GlweSecretKey& glweKey, const NoiseDistribution& noise,
                                 const Seed& seed, FourierBootstrapKey& key);

}  // namespace cq::tfhe
