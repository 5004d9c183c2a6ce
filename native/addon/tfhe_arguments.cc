#include "tfhe_arguments.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "../tfhe/lwe_encryption.h"
#include "../tfhe/programmable_bootstrap.h"
#include "promise_worker.h"

namespace cq::addon {

using tfhe::LweCiphertextBatch;
using tfhe::TfheParameters;

namespace {

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

tfhe::KeySetId keySetIdField(Napi::Env env, const Napi::Value& value, const std::string& where) {
  if (!value.IsString()) throwTypeError(env, where + ": field 'keySetId' must be a string");
  const std::string hex = value.As<Napi::String>().Utf8Value();
  tfhe::KeySetId id;
  auto nibble = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  bool valid = hex.size() == 2 * id.bytes.size();
  for (std::size_t i = 0; valid && i < id.bytes.size(); ++i) {
    const int high = nibble(hex[2 * i]), low = nibble(hex[2 * i + 1]);
    valid = high >= 0 && low >= 0;
    if (valid) id.bytes[i] = static_cast<uint8_t>(high << 4 | low);
  }
  if (!valid) throwRangeError(env, where + ": field 'keySetId' must be 32 lowercase hex digits");
  return id;
}

}  // namespace

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

int encodingPrecisionArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                              const char* name) {
  return static_cast<int>(
      sizeArgument(info, index, function, name, 1, static_cast<std::size_t>(tfhe::kMaxOutputPrecision)));
}

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

BatchShape shapeArguments(const Napi::CallbackInfo& info, std::size_t index, const char* function) {
  return {sizeArgument(info, index, function, "count", 0, kMaxElements),
          sizeArgument(info, index + 1, function, "lweDimension", 1, kMaxElements - 1)};
}

Napi::BigUint64Array ciphertextWordsArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                                             const char* name, std::size_t count, std::size_t dimension) {
  const std::size_t length = checkedProduct(info.Env(), count, dimension + 1, function, "the ciphertext words");
  return typedArrayArgument<uint64_t>(info, index, function, name, length);
}

LweCiphertextBatch batchArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                                 const char* name, std::size_t count, std::size_t dimension) {
  auto words = ciphertextWordsArgument(info, index, function, name, count, dimension);
  return LweCiphertextBatch(count, dimension, std::vector<uint64_t>(words.Data(), words.Data() + words.ElementLength()));
}

Napi::BigUint64Array toJs(Napi::Env env, const LweCiphertextBatch& batch) {
  auto out = Napi::BigUint64Array::New(env, batch.data().size());
  std::memcpy(out.Data(), batch.data().data(), batch.data().size() * sizeof(uint64_t));
  return out;
}

Napi::Promise resolveBatchAsync(Napi::Env env, std::function<LweCiphertextBatch()> work) {
  auto result = std::make_shared<std::unique_ptr<LweCiphertextBatch>>();
  return PromiseWorker::start(
      env, [=] { *result = std::make_unique<LweCiphertextBatch>(work()); },
      [=](Napi::Env resultEnv, Napi::Array) -> Napi::Value { return toJs(resultEnv, **result); });
}

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

tfhe::LoadOptions loadOptionsArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function) {
  Napi::Env env = info.Env();
  const std::string where = std::string(function) + ": argument 'options'";
  if (!info[index].IsObject()) throwTypeError(env, where + " must be an object");
  const Napi::Object object = info[index].As<Napi::Object>();
  tfhe::LoadOptions options;
  if (!object.Get("maxBytes").IsUndefined()) {
    options.maxBytes = integerField(env, object, "maxBytes", where, 1, (std::size_t{1} << 53) - 1);
  }
  const Napi::Value parameters = object.Get("parameters");
  if (!parameters.IsUndefined()) {
    options.parameters = parametersFromValue(env, parameters, function, where + ": field 'parameters'");
  }
  const Napi::Value keySetId = object.Get("keySetId");
  if (!keySetId.IsUndefined()) options.keySetId = keySetIdField(env, keySetId, where);
  return options;
}

}  // namespace cq::addon
