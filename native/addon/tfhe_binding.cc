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
#include "arguments.h"
#include "bindings.h"
#include "promise_worker.h"

namespace cq::addon {

namespace {

using tfhe::ClientKey;
using tfhe::EvaluationKeys;
using tfhe::LweCiphertextBatch;
using tfhe::TfheParameters;

// Type tags tell a client-key handle from an evaluation-keys handle (or any other External).
constexpr napi_type_tag kClientKeyTag = {0x6369706865727175ULL, 0x616e74636c69656eULL};
constexpr napi_type_tag kEvaluationKeysTag = {0x6369706865727175ULL, 0x616e746576616c6bULL};

// What a handle owns. free() resets the pointer, which destroys (and so wipes) the keys unless
// an async call still holds a reference; the finalizer does the same when JS drops the handle.
template <typename Keys>
struct KeyHandle {
  std::shared_ptr<Keys> keys;
  int64_t reportedBytes = 0;  // told to V8 so that big keys weigh on its GC decisions
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

template <typename Keys>
Napi::External<KeyHandle<Keys>> wrapKeys(Napi::Env env, std::shared_ptr<Keys> keys, const napi_type_tag* tag) {
  auto* handle = new KeyHandle<Keys>{std::move(keys), 0};
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

TfheParameters parametersArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function) {
  Napi::Env env = info.Env();
  const std::string where = std::string(function) + ": argument 'parameters'";
  if (!info[index].IsObject()) throwTypeError(env, where + " must be a parameter set object");
  const Napi::Object object = info[index].As<Napi::Object>();
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

int precisionArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                      const TfheParameters& params) {
  const int maxPrecision = std::min(tfhe::kMaxPrecision, params.maxPrecision());
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
  return PromiseWorker::start(
      info.Env(),
      [=] {
        *client = tfhe::generateClientKey(params, tfhe::seedFromOperatingSystem());
        *evaluation = tfhe::generateEvaluationKeys(**client, tfhe::seedFromOperatingSystem());
      },
      [=](Napi::Env env, Napi::Array) -> Napi::Value {
        Napi::Array pair = Napi::Array::New(env, 2);
        pair.Set(0u, wrapKeys(env, std::move(*client), &kClientKeyTag));
        pair.Set(1u, wrapKeys(env, std::move(*evaluation), &kEvaluationKeysTag));
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
    if (handle->keys) result.Set("bytes", static_cast<double>(nativeBytes(*handle->keys)));
  } else if (info[0].IsExternal() && info[0].As<Napi::External<void>>().CheckTypeTag(&kEvaluationKeysTag)) {
    auto* handle = info[0].As<Napi::External<KeyHandle<EvaluationKeys>>>().Data();
    result.Set("kind", "evaluation");
    result.Set("freed", !handle->keys);
    if (handle->keys) {
      result.Set("bytes", static_cast<double>(nativeBytes(*handle->keys)));
      result.Set("keyswitchKeyBytes", static_cast<double>(handle->keys->keyswitchKey.sizeInBytes()));
      result.Set("bootstrapKeyBytes", static_cast<double>(handle->keys->bootstrapKey.sizeInBytes()));
    }
  } else {
    throwTypeError(env, std::string(kName) + ": argument 'key' must be a client key or evaluation keys handle");
  }
  return result;
}

// --- encryption ----------------------------------------------------------------------------

// tfheEncrypt(clientKey, messages: Int32Array, count, precision): BigUint64Array under the big
// key. Messages must lie in [-2^p, 2^p) (the padding bit doubles as a sign for linear ops).
Napi::Value encrypt(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheEncrypt";
  expectArgumentCount(info, kName, 4);
  Napi::Env env = info.Env();
  auto key = clientKeyArgument(info, 0, kName);
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  const int precision = precisionArgument(info, 3, kName, key->parameters);
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
// (p+1)-bit signed values in [-2^p, 2^p).
Napi::Value decrypt(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDecrypt";
  expectArgumentCount(info, kName, 4);
  Napi::Env env = info.Env();
  auto key = clientKeyArgument(info, 0, kName);
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  const int precision = precisionArgument(info, 3, kName, key->parameters);
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
//            jobs: Int32Array | null): Promise<BigUint64Array>
// jobs holds (input, table) pairs; null runs every input through every table, input-major.
// Table entries must lie in [-2^p, 2^p).
Napi::Value lookup(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheLookup";
  expectArgumentCount(info, kName, 7);
  Napi::Env env = info.Env();
  auto keys = evaluationKeysArgument(info, 0, kName);
  const TfheParameters& params = keys->parameters;
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  const std::size_t tableCount = sizeArgument(info, 4, kName, "tableCount", 1, kMaxElements);
  const int precision = precisionArgument(info, 5, kName, params);
  const std::size_t entries = std::size_t{1} << precision;
  auto inputs = std::make_shared<LweCiphertextBatch>(
      batchArgument(info, 1, kName, "ciphertexts", count, params.bigLweDimension()));
  auto tablesArray = typedArrayArgument<int32_t>(info, 3, kName, "tables",
                                                 checkedProduct(env, tableCount, entries, kName, "the tables"));
  auto tables = std::make_shared<std::vector<int64_t>>(tablesArray.Data(), tablesArray.Data() + tableCount * entries);
  const int64_t limit = int64_t{1} << precision;
  for (std::size_t i = 0; i < tables->size(); ++i) {
    if ((*tables)[i] < -limit || (*tables)[i] >= limit) {
      throwRangeError(env, std::string(kName) + ": tables[" + std::to_string(i) + "] is outside [-2^" +
                               std::to_string(precision) + ", 2^" + std::to_string(precision) + ")");
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
    return tfhe::applyLookupTables(*keys, *inputs, tables->data(), tableCount, precision, *jobs);
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
  const int precision = static_cast<int>(sizeArgument(info, 4, kName, "precision", 1, tfhe::kMaxPrecision));
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
  };
  for (const auto& [name, callback] : functions) exports.Set(name, Napi::Function::New(env, callback, name));
}

}  // namespace cq::addon
