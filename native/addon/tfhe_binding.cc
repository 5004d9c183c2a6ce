// N-API surface of native/tfhe: keys as opaque, type-tagged handles; ciphertext batches as
// BigUint64Arrays of count * (dimension + 1) words. Every argument is checked here; secret keys
// never leave native memory and no error message mentions key material.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../tfhe/fft/fourier_transform.h"
#include "../tfhe/key_generation.h"
#include "../tfhe/keyswitch.h"
#include "../tfhe/lwe_encryption.h"
#include "../tfhe/lwe_linear_algebra.h"
#include "../tfhe/programmable_bootstrap.h"
#include "../tfhe/serialization/parameter_block.h"
#include "../tfhe/serialization/serialization.h"
#include "arguments.h"
#include "bindings.h"
#include "promise_worker.h"

namespace cq::addon {

namespace {

using tfhe::ClientKey;
using tfhe::CompressedEvaluationKeys;
using tfhe::EvaluationKeys;
using tfhe::LweCiphertextBatch;
using tfhe::TfheParameters;

// Type tags tell a client-key handle from an evaluation-keys handle (or any other External).
constexpr napi_type_tag kClientKeyTag = {0x6369706865727175ULL, 0x616e74636c69656eULL};
constexpr napi_type_tag kEvaluationKeysTag = {0x6369706865727175ULL, 0x616e746576616c6bULL};
constexpr napi_type_tag kCompressedKeysTag = {0x6369706865727175ULL, 0x616e74636f6d7072ULL};

// What a handle owns. free() resets the pointer, which destroys (and so wipes) the keys unless
// an async call still holds a reference; the finalizer does the same when JS drops the handle.
template <typename Keys>
struct KeyHandle {
  std::shared_ptr<Keys> keys;
  int64_t reportedBytes = 0;  // told to V8 so that big keys weigh on its GC decisions
  tfhe::KeySetId keySetId;    // drawn with the client key; shared by everything made from it
};

template <typename Keys>
std::size_t nativeBytes(const Keys& keys);
template <>
std::size_t nativeBytes(const ClientKey& key) {
  return (key.lweKey.dimension() + key.parameters.bigLweDimension()) * sizeof(uint64_t);
}
template <>
std::size_t nativeBytes(const EvaluationKeys& keys) {
  return keys.keyswitchKey.sizeInBytes() + keys.bootstrapKey.sizeInBytes();
}
template <>
std::size_t nativeBytes(const CompressedEvaluationKeys& keys) {
  return keys.sizeInBytes();
}

template <typename Keys>
Napi::External<KeyHandle<Keys>> wrapKeys(Napi::Env env, std::shared_ptr<Keys> keys, const napi_type_tag* tag,
                                         const tfhe::KeySetId& keySetId) {
  auto* handle = new KeyHandle<Keys>{std::move(keys), 0, keySetId};
  handle->reportedBytes = static_cast<int64_t>(nativeBytes(*handle->keys));
  Napi::MemoryManagement::AdjustExternalMemory(env, handle->reportedBytes);
  auto external = Napi::External<KeyHandle<Keys>>::New(env, handle, [](Napi::Env finalizeEnv, KeyHandle<Keys>* owned) {
    if (owned->keys) Napi::MemoryManagement::AdjustExternalMemory(finalizeEnv, -owned->reportedBytes);
    delete owned;
  });
  external.TypeTag(tag);
  return external;
}

template <typename Keys>
KeyHandle<Keys>* handleArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                                const napi_type_tag* tag, const char* what) {
  Napi::Env env = info.Env();
  const std::string where = std::string(function) + ": argument '" + what + "'";
  if (!info[index].IsExternal() || !info[index].As<Napi::External<void>>().CheckTypeTag(tag)) {
    throwTypeError(env, where + " must be a " + what + " handle");
  }
  return info[index].As<Napi::External<KeyHandle<Keys>>>().Data();
}

template <typename Keys>
std::shared_ptr<Keys> liveKeys(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                               const napi_type_tag* tag, const char* what) {
  auto* handle = handleArgument<Keys>(info, index, function, tag, what);
  if (!handle->keys) throwTypeError(info.Env(), std::string(function) + ": the " + what + " handle has been freed");
  return handle->keys;
}

std::shared_ptr<ClientKey> clientKeyArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function) {
  return liveKeys<ClientKey>(info, index, function, &kClientKeyTag, "client key");
}

std::shared_ptr<EvaluationKeys> evaluationKeysArgument(const Napi::CallbackInfo& info, std::size_t index,
                                                       const char* function) {
  return liveKeys<EvaluationKeys>(info, index, function, &kEvaluationKeysTag, "evaluation keys");
}

// --- parameters ----------------------------------------------------------------------------

double numberField(Napi::Env env, const Napi::Object& object, const char* field, const std::string& where) {
  const Napi::Value value = object.Get(field);
  if (!value.IsNumber()) throwTypeError(env, where + ": field '" + field + "' must be a number");
  return value.As<Napi::Number>().DoubleValue();
}

std::size_t integerField(Napi::Env env, const Napi::Object& object, const char* field, const std::string& where,
                         std::size_t min, std::size_t max) {
  const double value = numberField(env, object, field, where);
  if (!std::isfinite(value) || std::floor(value) != value || value < static_cast<double>(min) ||
      value > static_cast<double>(max)) {
    throwRangeError(env, where + ": field '" + field + "' must be an integer in [" + std::to_string(min) + ", " +
                             std::to_string(max) + "]");
  }
  return static_cast<std::size_t>(value);
}

tfhe::NoiseDistribution noiseField(Napi::Env env, const Napi::Object& object, const char* field,
                                   const std::string& where) {
  const Napi::Value value = object.Get(field);
  const std::string fieldWhere = where + ": field '" + field + "'";
  if (!value.IsObject()) throwTypeError(env, fieldWhere + " must be { kind, boundLog2 | std }");
  const Napi::Object noise = value.As<Napi::Object>();
  const Napi::Value kind = noise.Get("kind");
  if (kind.IsString() && kind.As<Napi::String>().Utf8Value() == "tuniform") {
    return tfhe::NoiseDistribution::tuniform(static_cast<int>(integerField(env, noise, "boundLog2", fieldWhere, 0, 62)));
  }
  if (kind.IsString() && kind.As<Napi::String>().Utf8Value() == "gaussian") {
    const double std = numberField(env, noise, "std", fieldWhere);
    if (!(std > 0 && std < 0.5)) throwRangeError(env, fieldWhere + ".std must be in (0, 0.5)");
    return tfhe::NoiseDistribution::gaussian(std);
  }
  throwTypeError(env, fieldWhere + ".kind must be 'tuniform' or 'gaussian'");
}

TfheParameters parametersFromValue(Napi::Env env, const Napi::Value& value, const char* function,
                                   const std::string& where) {
  if (!value.IsObject()) throwTypeError(env, where + " must be a parameter set object");
  const Napi::Object object = value.As<Napi::Object>();
  tfhe::TfheParameterFields fields;
  fields.lweDimension = integerField(env, object, "lweDimension", where, 1, TfheParameters::kMaxLweDimension);
  fields.glweDimension = integerField(env, object, "glweDimension", where, 1, TfheParameters::kMaxGlweDimension);
  fields.polynomialSize = integerField(env, object, "polynomialSize", where, 1, TfheParameters::kMaxPolynomialSize);
  fields.bootstrap.baseLog = static_cast<int>(integerField(env, object, "pbsBaseLog", where, 1, 63));
  fields.bootstrap.level = static_cast<int>(integerField(env, object, "pbsLevel", where, 1, 64));
  fields.keyswitch.baseLog = static_cast<int>(integerField(env, object, "ksBaseLog", where, 1, 63));
  fields.keyswitch.level = static_cast<int>(integerField(env, object, "ksLevel", where, 1, 64));
  fields.lweNoise = noiseField(env, object, "lweNoise", where);
  fields.glweNoise = noiseField(env, object, "glweNoise", where);
  const Napi::Value modulusSwitch = object.Get("modulusSwitch");
  const std::string kind = modulusSwitch.IsString() ? modulusSwitch.As<Napi::String>().Utf8Value() : "";
  if (kind == "standard") {
    fields.modulusSwitch = tfhe::ModulusSwitchKind::Standard;
  } else if (kind == "centered-binary") {
    fields.modulusSwitch = tfhe::ModulusSwitchKind::CenteredBinary;
  } else {
    throwTypeError(env, where + ": field 'modulusSwitch' must be 'standard' or 'centered-binary'");
  }
  try {
    return TfheParameters(fields);
  } catch (const std::invalid_argument& error) {
    throwRangeError(env, std::string(function) + ": " + error.what());
  }
}

TfheParameters parametersArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function) {
  return parametersFromValue(info.Env(), info[index], function, std::string(function) + ": argument 'parameters'");
}

// The precision of an encoding that is not read by a lookup (encrypt, decrypt, constants, a
// lookup's outputs): messages are 32-bit integers in [-2^p, 2^p), so 1 <= p <= 31. Whether a
// ciphertext at that precision decrypts correctly is the noise model's business.
int encodingPrecisionArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                              const char* name) {
  return static_cast<int>(
      sizeArgument(info, index, function, name, 1, static_cast<std::size_t>(tfhe::kMaxOutputPrecision)));
}

// A lookup's input precision: 2^p table entries need boxes of at least two coefficients,
// 2^(p+1) <= N, and at most kMaxPrecision bits.
int lookupInputPrecisionArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                                 const TfheParameters& params) {
  const int maxPrecision = std::min(tfhe::kMaxPrecision, params.maxPrecision());
  const Napi::Value value = info[index];
  if (value.IsNumber()) {
    const double p = value.As<Napi::Number>().DoubleValue();
    if (p == static_cast<double>(static_cast<int64_t>(p)) && p > maxPrecision && p <= 64) {
      throwRangeError(info.Env(), std::string(function) + ": input precision " + std::to_string(static_cast<int64_t>(p)) +
                                      " needs 2^" + std::to_string(static_cast<int64_t>(p)) +
                                      "-entry tables; polynomial size " + std::to_string(params.polynomialSize()) +
                                      " allows at most " + std::to_string(maxPrecision) + " bits");
    }
  }
  return static_cast<int>(sizeArgument(info, index, function, "precision", 1, static_cast<std::size_t>(maxPrecision)));
}

// A ciphertext batch argument: `count` ciphertexts of `dimension` + 1 words, copied.
LweCiphertextBatch batchArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                                 const char* name, std::size_t count, std::size_t dimension) {
  const std::size_t length = checkedProduct(info.Env(), count, dimension + 1, function, "the ciphertext words");
  auto array = typedArrayArgument<uint64_t>(info, index, function, name, length);
  return LweCiphertextBatch(count, dimension, std::vector<uint64_t>(array.Data(), array.Data() + length));
}

Napi::BigUint64Array toJs(Napi::Env env, const LweCiphertextBatch& batch) {
  auto out = Napi::BigUint64Array::New(env, batch.data().size());
  std::memcpy(out.Data(), batch.data().data(), batch.data().size() * sizeof(uint64_t));
  return out;
}

// Runs `work` (which fills a batch) off the main thread and resolves with its words.
Napi::Promise resolveBatchAsync(Napi::Env env, std::function<LweCiphertextBatch()> work) {
  auto result = std::make_shared<std::unique_ptr<LweCiphertextBatch>>();
  return PromiseWorker::start(
      env, [=] { *result = std::make_unique<LweCiphertextBatch>(work()); },
      [=](Napi::Env resultEnv, Napi::Array) -> Napi::Value { return toJs(resultEnv, **result); });
}

// --- keys ----------------------------------------------------------------------------------

// tfheGenerateKeys(parameters): Promise<[clientKey, evaluationKeys]>
Napi::Value generateKeys(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheGenerateKeys";
  expectArgumentCount(info, kName, 1);
  const TfheParameters params = parametersArgument(info, 0, kName);
  auto client = std::make_shared<std::shared_ptr<ClientKey>>();
  auto evaluation = std::make_shared<std::shared_ptr<EvaluationKeys>>();
  auto keySetId = std::make_shared<tfhe::KeySetId>();
  return PromiseWorker::start(
      info.Env(),
      [=] {
        *client = tfhe::generateClientKey(params, tfhe::seedFromOperatingSystem());
        *evaluation = tfhe::generateEvaluationKeys(**client, tfhe::seedFromOperatingSystem());
        *keySetId = tfhe::randomKeySetId();
      },
      [=](Napi::Env env, Napi::Array) -> Napi::Value {
        Napi::Array pair = Napi::Array::New(env, 2);
        pair.Set(0u, wrapKeys(env, std::move(*client), &kClientKeyTag, *keySetId));
        pair.Set(1u, wrapKeys(env, std::move(*evaluation), &kEvaluationKeysTag, *keySetId));
        return pair;
      });
}

// tfheFreeKey(handle): releases (and wipes) the keys now; later calls with the handle throw.
Napi::Value freeKey(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheFreeKey";
  expectArgumentCount(info, kName, 1);
  Napi::Env env = info.Env();
  auto release = [&](auto* handle) {
    if (handle->keys) Napi::MemoryManagement::AdjustExternalMemory(env, -handle->reportedBytes);
    handle->keys.reset();
  };
  if (info[0].IsExternal() && info[0].As<Napi::External<void>>().CheckTypeTag(&kClientKeyTag)) {
    release(info[0].As<Napi::External<KeyHandle<ClientKey>>>().Data());
  } else if (info[0].IsExternal() && info[0].As<Napi::External<void>>().CheckTypeTag(&kEvaluationKeysTag)) {
    release(info[0].As<Napi::External<KeyHandle<EvaluationKeys>>>().Data());
  } else if (info[0].IsExternal() && info[0].As<Napi::External<void>>().CheckTypeTag(&kCompressedKeysTag)) {
    release(info[0].As<Napi::External<KeyHandle<CompressedEvaluationKeys>>>().Data());
  } else {
    throwTypeError(env, std::string(kName) + ": argument 'key' must be a client key or evaluation keys handle");
  }
  return env.Undefined();
}

// tfheKeyInfo(handle): { kind, freed, bytes, ...sizes } (no key material).
Napi::Value keyInfo(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheKeyInfo";
  expectArgumentCount(info, kName, 1);
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  if (info[0].IsExternal() && info[0].As<Napi::External<void>>().CheckTypeTag(&kClientKeyTag)) {
    auto* handle = info[0].As<Napi::External<KeyHandle<ClientKey>>>().Data();
    result.Set("kind", "client");
    result.Set("freed", !handle->keys);
    if (handle->keys) {
      result.Set("bytes", static_cast<double>(nativeBytes(*handle->keys)));
      result.Set("keySetId", handle->keySetId.hex());
    }
  } else if (info[0].IsExternal() && info[0].As<Napi::External<void>>().CheckTypeTag(&kEvaluationKeysTag)) {
    auto* handle = info[0].As<Napi::External<KeyHandle<EvaluationKeys>>>().Data();
    result.Set("kind", "evaluation");
    result.Set("freed", !handle->keys);
    if (handle->keys) {
      result.Set("bytes", static_cast<double>(nativeBytes(*handle->keys)));
      result.Set("keyswitchKeyBytes", static_cast<double>(handle->keys->keyswitchKey.sizeInBytes()));
      result.Set("bootstrapKeyBytes", static_cast<double>(handle->keys->bootstrapKey.sizeInBytes()));
      result.Set("keySetId", handle->keySetId.hex());
    }
  } else if (info[0].IsExternal() && info[0].As<Napi::External<void>>().CheckTypeTag(&kCompressedKeysTag)) {
    auto* handle = info[0].As<Napi::External<KeyHandle<CompressedEvaluationKeys>>>().Data();
    result.Set("kind", "compressed-evaluation");
    result.Set("freed", !handle->keys);
    if (handle->keys) {
      result.Set("bytes", static_cast<double>(nativeBytes(*handle->keys)));
      result.Set("keyswitchKeyBytes", static_cast<double>(8 * handle->keys->keyswitchBodies.size()));
      result.Set("bootstrapKeyBytes", static_cast<double>(8 * handle->keys->bootstrapBodies.size()));
      result.Set("keySetId", handle->keySetId.hex());
    }
  } else {
    throwTypeError(env, std::string(kName) + ": argument 'key' must be a client key or evaluation keys handle");
  }
  return result;
}

// --- encryption ----------------------------------------------------------------------------

// tfheEncrypt(clientKey, messages: Int32Array, count, precision): BigUint64Array under the big
// key. Messages must lie in [-2^p, 2^p) (the padding bit doubles as a sign for linear ops);
// 1 <= p <= 31 whatever the parameter set (lookups check their own input precision).
Napi::Value encrypt(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheEncrypt";
  expectArgumentCount(info, kName, 4);
  Napi::Env env = info.Env();
  auto key = clientKeyArgument(info, 0, kName);
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  const int precision = encodingPrecisionArgument(info, 3, kName, "precision");
  auto messages = typedArrayArgument<int32_t>(info, 1, kName, "messages", count);
  checkedProduct(env, count, key->parameters.bigLweDimension() + 1, kName, "the ciphertext words");
  const int64_t limit = int64_t{1} << precision;
  std::vector<uint64_t> plaintexts(count);
  for (std::size_t i = 0; i < count; ++i) {
    const int64_t m = messages.Data()[i];
    if (m < -limit || m >= limit) {
      throwRangeError(env, std::string(kName) + ": messages[" + std::to_string(i) + "] = " + std::to_string(m) +
                               " is outside [-2^" + std::to_string(precision) + ", 2^" + std::to_string(precision) + ")");
    }
    plaintexts[i] = tfhe::encodeMessage(m, precision);
  }
  tfhe::RandomGenerator random(tfhe::seedFromOperatingSystem());
  auto batch = tfhe::encryptLweBatch(key->glweKey.asLweKey(), plaintexts.data(), count, key->parameters.glweNoise(),
                                     random);
  return toJs(env, batch);
}

// tfheDecrypt(clientKey, ciphertexts: BigUint64Array, count, precision): Int32Array of
// (p+1)-bit signed values in [-2^p, 2^p), 1 <= p <= 31.
Napi::Value decrypt(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDecrypt";
  expectArgumentCount(info, kName, 4);
  Napi::Env env = info.Env();
  auto key = clientKeyArgument(info, 0, kName);
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  const int precision = encodingPrecisionArgument(info, 3, kName, "precision");
  const std::size_t words = key->parameters.bigLweDimension() + 1;
  const std::size_t length = checkedProduct(env, count, words, kName, "the ciphertext words");
  auto ciphertexts = typedArrayArgument<uint64_t>(info, 1, kName, "ciphertexts", length);
  auto out = Napi::Int32Array::New(env, count);
  const tfhe::LweKeyView view = key->glweKey.asLweKey();
  for (std::size_t i = 0; i < count; ++i) {
    const uint64_t phase = tfhe::decryptLwePhase(view, ciphertexts.Data() + i * words);
    out[i] = static_cast<int32_t>(tfhe::decodeMessage(phase, precision));
  }
  return out;
}

// tfheDecryptPhases(clientKey, ciphertexts, count, lweDimension): BigUint64Array of raw phases
// (plaintext + noise) under the big key (dimension k*N) or the small key (n); for noise checks.
Napi::Value decryptPhases(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDecryptPhases";
  expectArgumentCount(info, kName, 4);
  Napi::Env env = info.Env();
  auto key = clientKeyArgument(info, 0, kName);
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  const std::size_t dimension = sizeArgument(info, 3, kName, "lweDimension", 1, kMaxElements - 1);
  tfhe::LweKeyView view = key->glweKey.asLweKey();
  if (dimension != view.dimension) {
    if (dimension != key->lweKey.dimension()) {
      throwRangeError(env, std::string(kName) + ": lweDimension " + std::to_string(dimension) +
                               " is neither the big nor the small key's dimension");
    }
    view = key->lweKey.view();
  }
  const std::size_t length = checkedProduct(env, count, dimension + 1, kName, "the ciphertext words");
  auto ciphertexts = typedArrayArgument<uint64_t>(info, 1, kName, "ciphertexts", length);
  auto out = Napi::BigUint64Array::New(env, count);
  for (std::size_t i = 0; i < count; ++i) out[i] = tfhe::decryptLwePhase(view, ciphertexts.Data() + i * (dimension + 1));
  return out;
}

// --- lookups -------------------------------------------------------------------------------

// tfheLookup(evaluationKeys, ciphertexts, count, tables: Int32Array, tableCount, precision,
//            jobs: Int32Array | null, outputPrecision): Promise<BigUint64Array>
// jobs holds (input, table) pairs; null runs every input through every table, input-major.
// Inputs are read at `precision` (tables of 2^precision entries); table entries must lie in
// [-2^q, 2^q) for q = outputPrecision, the precision the outputs are encoded at (1..31).
Napi::Value lookup(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheLookup";
  expectArgumentCount(info, kName, 8);
  Napi::Env env = info.Env();
  auto keys = evaluationKeysArgument(info, 0, kName);
  const TfheParameters& params = keys->parameters;
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  const std::size_t tableCount = sizeArgument(info, 4, kName, "tableCount", 1, kMaxElements);
  const int precision = lookupInputPrecisionArgument(info, 5, kName, params);
  const int outputPrecision = encodingPrecisionArgument(info, 7, kName, "outputPrecision");
  const std::size_t entries = std::size_t{1} << precision;
  auto inputs = std::make_shared<LweCiphertextBatch>(
      batchArgument(info, 1, kName, "ciphertexts", count, params.bigLweDimension()));
  auto tablesArray = typedArrayArgument<int32_t>(info, 3, kName, "tables",
                                                 checkedProduct(env, tableCount, entries, kName, "the tables"));
  auto tables = std::make_shared<std::vector<int64_t>>(tablesArray.Data(), tablesArray.Data() + tableCount * entries);
  const int64_t limit = int64_t{1} << outputPrecision;
  for (std::size_t i = 0; i < tables->size(); ++i) {
    if ((*tables)[i] < -limit || (*tables)[i] >= limit) {
      throwRangeError(env, std::string(kName) + ": tables[" + std::to_string(i) + "] = " +
                               std::to_string((*tables)[i]) + " is outside [-2^" + std::to_string(outputPrecision) +
                               ", 2^" + std::to_string(outputPrecision) + ") of output precision " +
                               std::to_string(outputPrecision));
    }
  }
  auto jobs = std::make_shared<std::vector<tfhe::LookupJob>>();
  if (info[6].IsNull() || info[6].IsUndefined()) {
    checkedProduct(env, count, tableCount, kName, "the number of lookups");
    for (std::size_t i = 0; i < count; ++i) {
      for (std::size_t t = 0; t < tableCount; ++t) jobs->push_back({i, t});
    }
  } else {
    if (!info[6].IsTypedArray()) throwTypeError(env, std::string(kName) + ": argument 'jobs' must be an Int32Array or null");
    const std::size_t pairs = info[6].As<Napi::TypedArray>().ElementLength() / 2;
    auto jobArray = typedArrayArgument<int32_t>(info, 6, kName, "jobs", pairs * 2);
    for (std::size_t j = 0; j < pairs; ++j) {
      const int32_t input = jobArray.Data()[2 * j], table = jobArray.Data()[2 * j + 1];
      if (input < 0 || static_cast<std::size_t>(input) >= count || table < 0 ||
          static_cast<std::size_t>(table) >= tableCount) {
        throwRangeError(env, std::string(kName) + ": jobs[" + std::to_string(j) + "] = (" + std::to_string(input) +
                                 ", " + std::to_string(table) + ") names no input or no table");
      }
      jobs->push_back({static_cast<std::size_t>(input), static_cast<std::size_t>(table)});
    }
  }
  checkedProduct(env, jobs->size(), params.bigLweDimension() + 1, kName, "the output words");
  return resolveBatchAsync(env, [=] {
    return tfhe::applyLookupTables(*keys, *inputs, tables->data(), tableCount, precision, outputPrecision, *jobs);
  });
}

// tfheKeyswitch(evaluationKeys, ciphertexts, count): Promise<BigUint64Array> of small-key
// ciphertexts (n + 1 words each); for benchmarks and noise measurements.
Napi::Value keyswitch(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheKeyswitch";
  expectArgumentCount(info, kName, 3);
  auto keys = evaluationKeysArgument(info, 0, kName);
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  auto inputs = std::make_shared<LweCiphertextBatch>(
      batchArgument(info, 1, kName, "ciphertexts", count, keys->parameters.bigLweDimension()));
  return resolveBatchAsync(info.Env(), [=] { return tfhe::keyswitchLweBatch(keys->keyswitchKey, *inputs); });
}

// --- linear operations (on any dimension; no key needed) -------------------------------------

struct BatchShape {
  std::size_t count, dimension;
};

BatchShape shapeArguments(const Napi::CallbackInfo& info, std::size_t index, const char* function) {
  return {sizeArgument(info, index, function, "count", 0, kMaxElements),
          sizeArgument(info, index + 1, function, "lweDimension", 1, kMaxElements - 1)};
}

// tfheAdd / tfheSubtract(a, b, count, lweDimension): BigUint64Array
template <bool kSubtract>
Napi::Value addOrSubtract(const Napi::CallbackInfo& info) {
  const char* name = kSubtract ? "tfheSubtract" : "tfheAdd";
  expectArgumentCount(info, name, 4);
  const BatchShape shape = shapeArguments(info, 2, name);
  auto a = batchArgument(info, 0, name, "a", shape.count, shape.dimension);
  auto b = batchArgument(info, 1, name, "b", shape.count, shape.dimension);
  if (kSubtract) tfhe::subtractLweBatches(a, b, a);
  else tfhe::addLweBatches(a, b, a);
  return toJs(info.Env(), a);
}

// tfheNegate(a, count, lweDimension): BigUint64Array
Napi::Value negate(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheNegate";
  expectArgumentCount(info, kName, 3);
  const BatchShape shape = shapeArguments(info, 1, kName);
  auto a = batchArgument(info, 0, kName, "a", shape.count, shape.dimension);
  tfhe::negateLweBatch(a, a);
  return toJs(info.Env(), a);
}

// tfheMultiplyByIntegers(a, count, lweDimension, factors: Int32Array (one per ciphertext))
Napi::Value multiplyByIntegers(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheMultiplyByIntegers";
  expectArgumentCount(info, kName, 4);
  const BatchShape shape = shapeArguments(info, 1, kName);
  auto a = batchArgument(info, 0, kName, "a", shape.count, shape.dimension);
  auto factors = typedArrayArgument<int32_t>(info, 3, kName, "factors", shape.count);
  const std::vector<int64_t> wide(factors.Data(), factors.Data() + shape.count);
  tfhe::multiplyLweBatchByIntegers(a, wide.data());
  return toJs(info.Env(), a);
}

// tfheAddConstants(a, count, lweDimension, constants: Int32Array, precision): adds each
// constant, encoded at `precision`, to the matching ciphertext.
Napi::Value addConstants(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheAddConstants";
  expectArgumentCount(info, kName, 5);
  const BatchShape shape = shapeArguments(info, 1, kName);
  const int precision = encodingPrecisionArgument(info, 4, kName, "precision");
  auto a = batchArgument(info, 0, kName, "a", shape.count, shape.dimension);
  auto constants = typedArrayArgument<int32_t>(info, 3, kName, "constants", shape.count);
  std::vector<uint64_t> plaintexts(shape.count);
  for (std::size_t i = 0; i < shape.count; ++i) plaintexts[i] = tfhe::encodeMessage(constants.Data()[i], precision);
  tfhe::addPlaintextsToLweBatch(a, plaintexts.data());
  return toJs(info.Env(), a);
}

// tfheDotProduct(a, count, lweDimension, weights: Int32Array (outputCount x count),
//                outputCount): Promise<BigUint64Array> of outputCount ciphertexts.
Napi::Value dotProduct(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDotProduct";
  expectArgumentCount(info, kName, 5);
  Napi::Env env = info.Env();
  const BatchShape shape = shapeArguments(info, 1, kName);
  const std::size_t outputCount = sizeArgument(info, 4, kName, "outputCount", 0, kMaxElements);
  checkedProduct(env, outputCount, shape.dimension + 1, kName, "the output words");
  auto in = std::make_shared<LweCiphertextBatch>(batchArgument(info, 0, kName, "a", shape.count, shape.dimension));
  auto weightsArray = typedArrayArgument<int32_t>(info, 3, kName, "weights",
                                                  checkedProduct(env, outputCount, shape.count, kName, "the weights"));
  auto weights = std::make_shared<std::vector<int32_t>>(weightsArray.Data(), weightsArray.Data() + outputCount * shape.count);
  return resolveBatchAsync(env, [=] {
    LweCiphertextBatch out(outputCount, in->lweDimension());
    tfhe::lweDotProduct(*in, weights->data(), outputCount, out);
    return out;
  });
}

// tfheMeasureFourier(polynomialSize, repetitions): Promise<{ forwardMicroseconds,
// backwardMicroseconds }> with the kernels in use; lets benchmarks report the FFT's share.
Napi::Value measureFourier(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheMeasureFourier";
  expectArgumentCount(info, kName, 2);
  const std::size_t size = sizeArgument(info, 0, kName, "polynomialSize", TfheParameters::kMinPolynomialSize,
                                        TfheParameters::kMaxPolynomialSize);
  if (size & (size - 1)) throwRangeError(info.Env(), std::string(kName) + ": polynomialSize must be a power of two");
  const std::size_t repetitions = sizeArgument(info, 1, kName, "repetitions", 1, 1000000);
  auto timings = std::make_shared<std::pair<double, double>>();
  return PromiseWorker::start(
      info.Env(),
      [=] {
        const tfhe::FourierTables& tables = tfhe::fourierTables(size);
        const tfhe::FourierKernels& kernels = tfhe::fourierKernels();
        std::vector<int64_t> input(size);
        for (std::size_t i = 0; i < size; ++i) input[i] = static_cast<int64_t>(i * 2654435761u % 4096) - 2048;
        std::vector<double> spectrum(size);
        std::vector<uint64_t> output(size, 0);
        using Clock = std::chrono::steady_clock;
        auto start = Clock::now();
        for (std::size_t r = 0; r < repetitions; ++r) kernels.forward(tables, input.data(), spectrum.data());
        timings->first = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / repetitions;
        start = Clock::now();
        for (std::size_t r = 0; r < repetitions; ++r) kernels.backwardAddToTorus(tables, spectrum.data(), output.data());
        timings->second = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / repetitions;
      },
      [=](Napi::Env env, Napi::Array) -> Napi::Value {
        Napi::Object result = Napi::Object::New(env);
        result.Set("forwardMicroseconds", timings->first);
        result.Set("backwardMicroseconds", timings->second);
        return result;
      });
}


// --- serialization (native/tfhe/serialization) ---------------------------------------------
// Loads check the header synchronously (type, fingerprint, key set, size limit, declared
// length, memory to be built) and only then copy the input for the worker thread, so a hostile
// header costs nothing. Errors about the data are Errors with a `code` (ERR_TFHE_*); errors
// about the arguments are TypeError/RangeError.

[[noreturn]] void throwSerializationError(Napi::Env env, const char* function, const tfhe::SerializationError& error) {
  Napi::Error jsError = Napi::Error::New(env, std::string(function) + ": " + error.what());
  jsError.Set("code", error.codeName());
  throw jsError;
}

// Runs a synchronous body so that no C++ exception can cross into N-API (where it would
// terminate the process): data errors become coded Errors, anything else a JS error naming
// the function.
template <typename Body>
auto guarded(Napi::Env env, const char* function, const Body& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const tfhe::SerializationError& error) {
    throwSerializationError(env, function, error);
  } catch (const std::bad_alloc&) {
    throwRangeError(env, std::string(function) + ": not enough memory");
  } catch (const std::exception& error) {
    throw Napi::Error::New(env, std::string(function) + ": " + error.what());
  }
}

// Like PromiseWorker, but a SerializationError rejects with its code.
class SerializationWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;
  using Result = std::function<Napi::Value(Napi::Env, Napi::Array kept)>;
  static Napi::Promise start(Napi::Env env, const char* function, Work work, Result result,
                             std::initializer_list<Napi::Value> keepAlive = {}) {
    Napi::Array kept = Napi::Array::New(env, keepAlive.size());
    uint32_t index = 0;
    for (const auto& value : keepAlive) kept.Set(index++, value);
    auto* worker = new SerializationWorker(kept, function, std::move(work), std::move(result));
    worker->Queue();
    return worker->deferred_.Promise();
  }

 protected:
  void Execute() override {
    try {
      work_();
    } catch (const tfhe::SerializationError& error) {
      code_ = error.codeName();
      SetError(function_ + ": " + error.what());
    } catch (const std::exception& error) {
      SetError(function_ + ": " + error.what());
    } catch (...) {
      SetError(function_ + ": native work failed with an unknown error");
    }
  }
  void OnOK() override { deferred_.Resolve(result_(Env(), kept_.Value().As<Napi::Array>())); }
  void OnError(const Napi::Error& error) override {
    if (!code_.empty()) error.Value().Set("code", code_);
    deferred_.Reject(error.Value());
  }

 private:
  SerializationWorker(Napi::Array kept, const char* function, Work work, Result result)
      : Napi::AsyncWorker(kept.Env(), "cipherquant"),
        kept_(Napi::Persistent(kept.As<Napi::Object>())),
        deferred_(Napi::Promise::Deferred::New(kept.Env())),
        function_(function),
        work_(std::move(work)),
        result_(std::move(result)) {}

  Napi::ObjectReference kept_;
  Napi::Promise::Deferred deferred_;
  std::string function_;
  std::string code_;
  Work work_;
  Result result_;
};

// The parameters and key set of any key handle (client, evaluation or compressed).
struct KeyContext {
  TfheParameters parameters;
  tfhe::KeySetId keySetId;
};

KeyContext anyKeyArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function) {
  const Napi::Value value = info[index];
  auto context = [&](auto* handle) -> KeyContext {
    if (!handle->keys) throwTypeError(info.Env(), std::string(function) + ": the key handle has been freed");
    return {handle->keys->parameters, handle->keySetId};
  };
  if (value.IsExternal()) {
    auto external = value.As<Napi::External<void>>();
    if (external.CheckTypeTag(&kClientKeyTag)) return context(value.As<Napi::External<KeyHandle<ClientKey>>>().Data());
    if (external.CheckTypeTag(&kEvaluationKeysTag)) {
      return context(value.As<Napi::External<KeyHandle<EvaluationKeys>>>().Data());
    }
    if (external.CheckTypeTag(&kCompressedKeysTag)) {
      return context(value.As<Napi::External<KeyHandle<CompressedEvaluationKeys>>>().Data());
    }
  }
  throwTypeError(info.Env(), std::string(function) + ": argument 'key' must be a key handle");
}

// A Uint8Array (or Buffer) argument of any length; the view is valid during this call only.
std::pair<const uint8_t*, std::size_t> bytesArgument(const Napi::CallbackInfo& info, std::size_t index,
                                                     const char* function) {
  const std::string where = std::string(function) + ": argument 'bytes'";
  if (!info[index].IsTypedArray() || info[index].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throwTypeError(info.Env(), where + " must be a Uint8Array");
  }
  auto array = info[index].As<Napi::Uint8Array>();
  if (array.ArrayBuffer().IsDetached()) throwTypeError(info.Env(), where + " is backed by a detached ArrayBuffer");
  return {array.Data(), array.ElementLength()};
}

// { maxBytes?, parameters?, keySetId? }: the load's limit and expectations.
tfhe::LoadOptions loadOptionsArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function) {
  Napi::Env env = info.Env();
  const std::string where = std::string(function) + ": argument 'options'";
  if (!info[index].IsObject()) throwTypeError(env, where + " must be an object");
  const Napi::Object object = info[index].As<Napi::Object>();
  tfhe::LoadOptions options;
  const Napi::Value maxBytes = object.Get("maxBytes");
  if (!maxBytes.IsUndefined()) {
    options.maxBytes = integerField(env, object, "maxBytes", where, 1, (std::size_t{1} << 53) - 1);
  }
  const Napi::Value parameters = object.Get("parameters");
  if (!parameters.IsUndefined()) {
    options.parameters = parametersFromValue(env, parameters, function, where + ": field 'parameters'");
  }
  const Napi::Value keySetId = object.Get("keySetId");
  if (!keySetId.IsUndefined()) {
    if (!keySetId.IsString()) throwTypeError(env, where + ": field 'keySetId' must be a string");
    const std::string hex = keySetId.As<Napi::String>().Utf8Value();
    tfhe::KeySetId id;
    auto nibble = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    bool valid = hex.size() == 2 * id.bytes.size();
    for (std::size_t i = 0; valid && i < id.bytes.size(); ++i) {
      const int high = nibble(hex[2 * i]), low = nibble(hex[2 * i + 1]);
      valid = high >= 0 && low >= 0;
      if (valid) id.bytes[i] = static_cast<uint8_t>(high << 4 | low);
    }
    if (!valid) throwRangeError(env, where + ": field 'keySetId' must be 32 lowercase hex digits");
    options.keySetId = id;
  }
  return options;
}

// Runs the synchronous checks and copies the input for a worker; `secret` inputs are wiped
// when the copy is released.
struct InputCopy {
  std::vector<uint8_t> bytes;
  bool secret = false;
  void release() {
    if (secret && !bytes.empty()) tfhe::wipeMemory(bytes.data(), bytes.size());
    std::vector<uint8_t>().swap(bytes);
  }
  ~InputCopy() { release(); }
};

std::shared_ptr<InputCopy> checkedInputCopy(const Napi::CallbackInfo& info, const char* function,
                                            tfhe::ObjectType type, const tfhe::LoadOptions& options) {
  const auto [data, size] = bytesArgument(info, 0, function);
  return guarded(info.Env(), function, [&, data = data, size = size] {
    tfhe::precheck(data, size, type, options);
    auto copy = std::make_shared<InputCopy>();
    copy->secret = type == tfhe::ObjectType::ClientKey;
    copy->bytes.assign(data, data + size);
    return copy;
  });
}

// tfheParameterFingerprint(parameters): the SHA-256 of the parameter block, in hex.
Napi::Value fingerprintParameters(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheParameterFingerprint";
  expectArgumentCount(info, kName, 1);
  const tfhe::Sha256Digest digest = tfhe::parameterFingerprint(parametersArgument(info, 0, kName));
  return Napi::String::New(info.Env(), tfhe::toHex(digest.data(), digest.size()));
}

// tfheGenerateClientKey(parameters): Promise<clientKey>, with a fresh key set id.
Napi::Value generateClientKey(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheGenerateClientKey";
  expectArgumentCount(info, kName, 1);
  const TfheParameters params = parametersArgument(info, 0, kName);
  auto client = std::make_shared<std::shared_ptr<ClientKey>>();
  auto keySetId = std::make_shared<tfhe::KeySetId>();
  return PromiseWorker::start(
      info.Env(),
      [=] {
        *client = tfhe::generateClientKey(params, tfhe::seedFromOperatingSystem());
        *keySetId = tfhe::randomKeySetId();
      },
      [=](Napi::Env env, Napi::Array) -> Napi::Value {
        return wrapKeys(env, std::move(*client), &kClientKeyTag, *keySetId);
      });
}

// tfheGenerateCompressedEvaluationKeys(clientKey): Promise<compressed keys handle>.
Napi::Value generateCompressedEvaluationKeys(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheGenerateCompressedEvaluationKeys";
  expectArgumentCount(info, kName, 1);
  auto client = clientKeyArgument(info, 0, kName);
  const tfhe::KeySetId keySetId = handleArgument<ClientKey>(info, 0, kName, &kClientKeyTag, "client key")->keySetId;
  auto keys = std::make_shared<std::shared_ptr<CompressedEvaluationKeys>>();
  return PromiseWorker::start(
      info.Env(),
      [=] {
        *keys = tfhe::generateCompressedEvaluationKeys(*client, tfhe::seedFromOperatingSystem(),
                                                       tfhe::seedFromOperatingSystem());
      },
      [=](Napi::Env env, Napi::Array) -> Napi::Value {
        return wrapKeys(env, std::move(*keys), &kCompressedKeysTag, keySetId);
      });
}

// tfheDecompressEvaluationKeys(compressed): Promise<evaluationKeys> (masks regenerated, FFT).
Napi::Value decompressEvaluationKeys(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDecompressEvaluationKeys";
  expectArgumentCount(info, kName, 1);
  auto compressed = liveKeys<CompressedEvaluationKeys>(info, 0, kName, &kCompressedKeysTag, "compressed evaluation keys");
  const tfhe::KeySetId keySetId =
      handleArgument<CompressedEvaluationKeys>(info, 0, kName, &kCompressedKeysTag, "compressed evaluation keys")->keySetId;
  auto keys = std::make_shared<std::shared_ptr<EvaluationKeys>>();
  return PromiseWorker::start(
      info.Env(), [=] { *keys = tfhe::decompressEvaluationKeys(*compressed); },
      [=](Napi::Env env, Napi::Array) -> Napi::Value {
        return wrapKeys(env, std::move(*keys), &kEvaluationKeysTag, keySetId);
      });
}

// tfheSerializeCiphertexts(key, ciphertexts, count, lweDimension, precision): Uint8Array,
// tagged with the key's parameters and key set. lweDimension: the key's k*N or n.
Napi::Value serializeCiphertexts(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheSerializeCiphertexts";
  expectArgumentCount(info, kName, 5);
  Napi::Env env = info.Env();
  const KeyContext key = anyKeyArgument(info, 0, kName);
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  const std::size_t dimension = sizeArgument(info, 3, kName, "lweDimension", 1, kMaxElements - 1);
  if (dimension != key.parameters.bigLweDimension() && dimension != key.parameters.lweDimension()) {
    throwRangeError(env, std::string(kName) + ": lweDimension " + std::to_string(dimension) +
                             " is neither the key's k*N nor its n");
  }
  const int precision = encodingPrecisionArgument(info, 4, kName, "precision");
  return guarded(env, kName, [&] {
    const LweCiphertextBatch batch = batchArgument(info, 1, kName, "ciphertexts", count, dimension);
    const std::size_t size = tfhe::serializedCiphertextsSize(batch);
    auto out = Napi::Uint8Array::New(env, size);
    tfhe::serializeCiphertexts(key.parameters, key.keySetId, batch, precision, out.Data(), size);
    return out;
  });
}

// tfheSerializeClientKey(clientKey, includeSecretKey: true): Uint8Array holding the SECRET key.
Napi::Value serializeClientKey(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheSerializeClientKey";
  expectArgumentCount(info, kName, 2);
  auto key = clientKeyArgument(info, 0, kName);
  if (!info[1].IsBoolean() || !info[1].As<Napi::Boolean>().Value()) {
    throwTypeError(info.Env(), std::string(kName) + ": argument 'includeSecretKey' must be true: the output holds the "
                                                    "secret key");
  }
  const tfhe::KeySetId keySetId = handleArgument<ClientKey>(info, 0, kName, &kClientKeyTag, "client key")->keySetId;
  return guarded(info.Env(), kName, [&] {
    const std::size_t size = tfhe::serializedClientKeySize(key->parameters);
    auto out = Napi::Uint8Array::New(info.Env(), size);
    tfhe::serializeClientKey(*key, keySetId, out.Data(), size);
    return out;
  });
}

// tfheSerializeEvaluationKeys(compressed, compressedForm: boolean): Promise<Uint8Array>.
// The output buffer is allocated here and filled off the main thread.
Napi::Value serializeEvaluationKeys(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheSerializeEvaluationKeys";
  expectArgumentCount(info, kName, 2);
  Napi::Env env = info.Env();
  auto keys = liveKeys<CompressedEvaluationKeys>(info, 0, kName, &kCompressedKeysTag, "compressed evaluation keys");
  const tfhe::KeySetId keySetId =
      handleArgument<CompressedEvaluationKeys>(info, 0, kName, &kCompressedKeysTag, "compressed evaluation keys")->keySetId;
  if (!info[1].IsBoolean()) throwTypeError(env, std::string(kName) + ": argument 'compressed' must be a boolean");
  const bool compressed = info[1].As<Napi::Boolean>().Value();
  const std::size_t size = tfhe::serializedEvaluationKeysSize(keys->parameters, compressed);
  if (size > kMaxElements) {
    throwRangeError(env, std::string(kName) + ": " + std::to_string(size) + " bytes exceed the limit of a Uint8Array");
  }
  auto out = Napi::Uint8Array::New(env, size);
  uint8_t* data = out.Data();
  return PromiseWorker::start(
      env, [=] { tfhe::serializeEvaluationKeys(*keys, keySetId, compressed, data, size); },
      [](Napi::Env, Napi::Array kept) -> Napi::Value { return kept.Get(0u); }, {out});
}

const char* objectTypeLabel(tfhe::ObjectType type) {
  switch (type) {
    case tfhe::ObjectType::CiphertextBatch: return "ciphertexts";
    case tfhe::ObjectType::ClientKey: return "client-key";
    case tfhe::ObjectType::EvaluationKeys: return "evaluation-keys";
    case tfhe::ObjectType::CompressedEvaluationKeys: return "compressed-evaluation-keys";
  }
  return "unknown";
}

// tfheReadHeader(bytes): what the header declares, checked for consistency only (no
// checksum): lets a caller route an input before loading it.
Napi::Value readHeader(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheReadHeader";
  expectArgumentCount(info, kName, 1);
  Napi::Env env = info.Env();
  const auto [data, size] = bytesArgument(info, 0, kName);
  const tfhe::HeaderInfo header = guarded(env, kName, [&, data = data, size = size] { return tfhe::readHeader(data, size); });
  Napi::Object result = Napi::Object::New(env);
  result.Set("formatVersion", header.formatVersion);
  result.Set("type", objectTypeLabel(header.type));
  const auto& v = header.libraryVersion;
  result.Set("libraryVersion", std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch));
  result.Set("keySetId", header.keySetId.hex());
  result.Set("fingerprint", tfhe::toHex(header.fingerprint.data(), header.fingerprint.size()));
  result.Set("totalBytes", static_cast<double>(header.totalLength));
  return result;
}

// tfheDeserializeCiphertexts(bytes, options): { data, count, lweDimension, precision,
// keySetId, fingerprint }.
Napi::Value deserializeCiphertexts(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDeserializeCiphertexts";
  expectArgumentCount(info, kName, 2);
  Napi::Env env = info.Env();
  const tfhe::LoadOptions options = loadOptionsArgument(info, 1, kName);
  const auto [data, size] = bytesArgument(info, 0, kName);
  return guarded(env, kName, [&, data = data, size = size] {
    const tfhe::LoadedCiphertexts loaded = tfhe::deserializeCiphertexts(data, size, options);
    if (loaded.batch.data().size() > kMaxElements) {
      throwRangeError(env, std::string(kName) + ": the batch exceeds the limit of a BigUint64Array");
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("data", toJs(env, loaded.batch));
    result.Set("count", static_cast<double>(loaded.batch.count()));
    result.Set("lweDimension", static_cast<double>(loaded.batch.lweDimension()));
    result.Set("precision", loaded.precision);
    result.Set("keySetId", loaded.keySetId.hex());
    const tfhe::Sha256Digest fingerprint = tfhe::parameterFingerprint(loaded.parameters);
    result.Set("fingerprint", tfhe::toHex(fingerprint.data(), fingerprint.size()));
    return result;
  });
}

Napi::Object loadedKeyResult(Napi::Env env, Napi::Value handle, const TfheParameters& params,
                             const tfhe::KeySetId& keySetId) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("handle", handle);
  result.Set("keySetId", keySetId.hex());
  const tfhe::Sha256Digest fingerprint = tfhe::parameterFingerprint(params);
  result.Set("fingerprint", tfhe::toHex(fingerprint.data(), fingerprint.size()));
  return result;
}

// tfheDeserializeClientKey(bytes, options): Promise<{ handle, keySetId, fingerprint }>.
Napi::Value deserializeClientKey(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDeserializeClientKey";
  expectArgumentCount(info, kName, 2);
  const tfhe::LoadOptions options = loadOptionsArgument(info, 1, kName);
  auto input = checkedInputCopy(info, kName, tfhe::ObjectType::ClientKey, options);
  auto loaded = std::make_shared<tfhe::LoadedClientKey>();
  return SerializationWorker::start(
      info.Env(), kName,
      [=] {
        *loaded = tfhe::deserializeClientKey(input->bytes.data(), input->bytes.size(), options);
        input->release();  // wipes the copy of the secret key now rather than when the worker goes
      },
      [=](Napi::Env env, Napi::Array) -> Napi::Value {
        const TfheParameters params = loaded->key->parameters;
        std::shared_ptr<ClientKey> key = std::move(loaded->key);
        return loadedKeyResult(env, wrapKeys(env, std::move(key), &kClientKeyTag, loaded->keySetId), params,
                               loaded->keySetId);
      });
}

// tfheDeserializeEvaluationKeys(bytes, options): Promise<{ handle, keySetId, fingerprint,
// compressed }>; either form loads to Fourier-domain keys ready for lookups.
Napi::Value deserializeEvaluationKeys(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDeserializeEvaluationKeys";
  expectArgumentCount(info, kName, 2);
  const tfhe::LoadOptions options = loadOptionsArgument(info, 1, kName);
  auto input = checkedInputCopy(info, kName, tfhe::ObjectType::EvaluationKeys, options);
  auto loaded = std::make_shared<tfhe::LoadedEvaluationKeys>();
  return SerializationWorker::start(
      info.Env(), kName,
      [=] {
        *loaded = tfhe::deserializeEvaluationKeys(input->bytes.data(), input->bytes.size(), options);
        input->release();  // the copy is not needed past the load
      },
      [=](Napi::Env env, Napi::Array) -> Napi::Value {
        const TfheParameters params = loaded->keys->parameters;
        std::shared_ptr<EvaluationKeys> keys = std::move(loaded->keys);
        Napi::Object result =
            loadedKeyResult(env, wrapKeys(env, std::move(keys), &kEvaluationKeysTag, loaded->keySetId), params,
                            loaded->keySetId);
        result.Set("compressed", loaded->compressed);
        return result;
      });
}

}  // namespace

void registerTfhe(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> functions[] = {
      {"tfheGenerateKeys", generateKeys},
      {"tfheFreeKey", freeKey},
      {"tfheKeyInfo", keyInfo},
      {"tfheEncrypt", encrypt},
      {"tfheDecrypt", decrypt},
      {"tfheDecryptPhases", decryptPhases},
      {"tfheLookup", lookup},
      {"tfheKeyswitch", keyswitch},
      {"tfheAdd", addOrSubtract<false>},
      {"tfheSubtract", addOrSubtract<true>},
      {"tfheNegate", negate},
      {"tfheMultiplyByIntegers", multiplyByIntegers},
      {"tfheAddConstants", addConstants},
      {"tfheDotProduct", dotProduct},
      {"tfheMeasureFourier", measureFourier},
      {"tfheParameterFingerprint", fingerprintParameters},
      {"tfheGenerateClientKey", generateClientKey},
      {"tfheGenerateCompressedEvaluationKeys", generateCompressedEvaluationKeys},
      {"tfheDecompressEvaluationKeys", decompressEvaluationKeys},
      {"tfheSerializeCiphertexts", serializeCiphertexts},
      {"tfheSerializeClientKey", serializeClientKey},
      {"tfheSerializeEvaluationKeys", serializeEvaluationKeys},
      {"tfheReadHeader", readHeader},
      {"tfheDeserializeCiphertexts", deserializeCiphertexts},
      {"tfheDeserializeClientKey", deserializeClientKey},
      {"tfheDeserializeEvaluationKeys", deserializeEvaluationKeys},
  };
  for (const auto& [name, callback] : functions) exports.Set(name, Napi::Function::New(env, callback, name));
}

}  // namespace cq::addon
