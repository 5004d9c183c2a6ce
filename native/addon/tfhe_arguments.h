// Argument checks shared by the TFHE bindings (parameter sets, precisions, ciphertext batches,
// byte inputs, load options). Like arguments.h, each failure throws a TypeError or RangeError
// naming the function, the argument and what was expected.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "../tfhe/lwe_ciphertext_batch.h"
#include "../tfhe/parameters.h"
#include "../tfhe/serialization/serialization.h"
#include "arguments.h"

namespace cq::addon {

// A parameter set object ({ lweDimension, ..., modulusSwitch }, lib/native.ts); `where` starts
// each message. Sets the native layer refuses are RangeErrors naming `function`.
tfhe::TfheParameters parametersFromValue(Napi::Env env, const Napi::Value& value, const char* function,
                                         const std::string& where);
tfhe::TfheParameters parametersArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function);

// The precision of an encoding that is not read by a lookup (encrypt, decrypt, constants, a
// lookup's outputs): messages are 32-bit integers in [-2^p, 2^p), so 1 <= p <= 31. Whether a
// ciphertext at that precision decrypts correctly is the noise model's business.
int encodingPrecisionArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                              const char* name);

// A lookup's input precision: 2^p table entries need boxes of at least two coefficients,
// 2^(p+1) <= N, and at most kMaxPrecision bits.
int lookupInputPrecisionArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                                 const tfhe::TfheParameters& params);

// `count` at `index` and an LWE dimension at `index` + 1 (the shape of a keyless batch).
struct BatchShape {
  std::size_t count, dimension;
};
BatchShape shapeArguments(const Napi::CallbackInfo& info, std::size_t index, const char* function);

// The words of `count` ciphertexts of `dimension` + 1 words each, not copied (valid during
// this call only).
Napi::BigUint64Array ciphertextWordsArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                                             const char* name, std::size_t count, std::size_t dimension);

// The same, copied into a batch that may outlive the call.
tfhe::LweCiphertextBatch batchArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                                       const char* name, std::size_t count, std::size_t dimension);

Napi::BigUint64Array toJs(Napi::Env env, const tfhe::LweCiphertextBatch& batch);

// Runs `work` (which fills a batch) off the main thread and resolves with its words.
Napi::Promise resolveBatchAsync(Napi::Env env, std::function<tfhe::LweCiphertextBatch()> work);

// A Uint8Array (or Buffer) argument of any length; the view is valid during this call only.
std::pair<const uint8_t*, std::size_t> bytesArgument(const Napi::CallbackInfo& info, std::size_t index,
                                                     const char* function);

// { maxBytes?, parameters?, keySetId? }: a load's size limit and expectations.
tfhe::LoadOptions loadOptionsArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function);

}  // namespace cq::addon
