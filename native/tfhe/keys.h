// The two key bundles of a TFHE deployment: the client keeps the secret keys, the server
// receives only the evaluation keys (keyswitch + bootstrap), which reveal nothing without them.
#pragma once

#include "fourier_bootstrap_key.h"
#include "keyswitch_key.h"
#include "parameters.h"
#include "secret_keys.h"

namespace cq::tfhe {

struct ClientKey {
  TfheParameters parameters;
  LweSecretKey lweKey;    // small key, dimension n
  GlweSecretKey glweKey;  // k polynomials of size N; flattened, the big LWE key

  explicit ClientKey(const TfheParameters& params)
      : parameters(params),
        lweKey(params.lweDimension()),
        glweKey(params.glweDimension(), params.polynomialSize()) {}
};

struct EvaluationKeys {
  TfheParameters parameters;
  KeyswitchKey keyswitchKey;          // big key -> small key
  FourierBootstrapKey bootstrapKey;   // GGSW(small key bits) under the GLWE key

  explicit EvaluationKeys(const TfheParameters& params)
      : parameters(params),
        keyswitchKey(params.bigLweDimension(), params.lweDimension(), params.keyswitchDecomposition(),
                     keyswitchKeyStorageFor(params)),
        bootstrapKey(params.lweDimension(), params.glweDimension(), params.polynomialSize(),
                     params.bootstrapDecomposition()) {}
};

}  // namespace cq::tfhe
