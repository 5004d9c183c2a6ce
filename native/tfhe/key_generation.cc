#include "key_generation.h"

#include "bootstrap_key_generation.h"
#include "keyswitch.h"
#include "lwe_encryption.h"

namespace cq::tfhe {

std::unique_ptr<ClientKey> generateClientKey(const TfheParameters& parameters, const Seed& seed) {
  auto key = std::make_unique<ClientKey>(parameters);
  RandomGenerator random(seed);
  generateLweSecretKey(key->lweKey, random);
  generateGlweSecretKey(key->glweKey, random);
  return key;
}

std::unique_ptr<EvaluationKeys> generateEvaluationKeys(const ClientKey& clientKey, const Seed& seed) {
  const TfheParameters& params = clientKey.parameters;
  auto keys = std::make_unique<EvaluationKeys>(params);
  RandomGenerator random(seed);
  const Seed keyswitchSeed = random.forkSeed();
  const Seed bootstrapSeed = random.forkSeed();
  generateKeyswitchKey(clientKey.glweKey.asLweKey(), clientKey.lweKey.view(), params.lweNoise(), keyswitchSeed,
                       keys->keyswitchKey);
  generateFourierBootstrapKey(clientKey.lweKey.view(), clientKey.glweKey, params.glweNoise(), bootstrapSeed,
                              keys->bootstrapKey);
  return keys;
}

}  // namespace cq::tfhe
