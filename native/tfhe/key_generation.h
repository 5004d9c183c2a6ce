// Key generation for a parameter set: the client's secret keys, then the evaluation keys the
// server needs. Both are deterministic functions of their seed; pass seedFromOperatingSystem()
// in production.
#pragma once

#include <memory>

#include "csprng/random_generator.h"
#include "keys.h"

namespace cq::tfhe {

std::unique_ptr<ClientKey> generateClientKey(const TfheParameters& parameters, const Seed& seed);

// Keyswitch key (big -> small, LWE noise) and Fourier bootstrap key (GLWE noise), on the
// thread pool.
std::unique_ptr<EvaluationKeys> generateEvaluationKeys(const ClientKey& clientKey, const Seed& seed);

}  // namespace cq::tfhe
