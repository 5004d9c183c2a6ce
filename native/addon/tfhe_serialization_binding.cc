// Serialization bindings (native/tfhe/serialization). Loads check the header synchronously
// (type, fingerprint, key set, size limit, declared length, memory to be built) and only then
// copy the input for the worker thread, so a hostile header costs nothing. Errors about the
// data are Errors with a `code` (ERR_TFHE_*); errors about the arguments are TypeError or
// RangeError.
#include <memory>
#include <new>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include "../tfhe/serialization/parameter_block.h"
#include "bindings.h"
#include "tfhe_arguments.h"
#include "tfhe_handles.h"

namespace cq::addon {

namespace {

using tfhe::LweCiphertextBatch;
using tfhe::TfheParameters;

// The JS error for what a serialization call threw: data errors carry their code, running out
// of memory is a RangeError, anything else an Error; all name the function.
Napi::Error serializationError(Napi::Env env, const char* function, std::exception_ptr failure) {
  const std::string prefix = std::string(function) + ": ";
  try {
    std::rethrow_exception(failure);
  } catch (const tfhe::SerializationError& error) {
    Napi::Error jsError = Napi::Error::New(env, prefix + error.what());
    jsError.Set("code", error.codeName());
    return jsError;
  } catch (const std::bad_alloc&) {
    return Napi::RangeError::New(env, prefix + "not enough memory");
  } catch (const std::exception& error) {
    return Napi::Error::New(env, prefix + error.what());
  } catch (...) {
    return Napi::Error::New(env, prefix + "native work failed with an unknown error");
  }
}

// Runs a synchronous body so that no C++ exception crosses into N-API unconverted.
template <typename Body>
auto guarded(Napi::Env env, const char* function, const Body& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    throw serializationError(env, function, std::current_exception());
  }
}

// PromiseWorker::start whose rejections are serializationError's.
Napi::Promise startSerializationWork(Napi::Env env, const char* function, PromiseWorker::Work work,
                                     PromiseWorker::Result result, std::initializer_list<Napi::Value> keepAlive = {}) {
  return PromiseWorker::start(env, std::move(work), std::move(result), keepAlive,
                              [function](Napi::Env rejectEnv, std::exception_ptr failure) -> Napi::Value {
                                return serializationError(rejectEnv, function, failure).Value();
                              });
}

std::string hex(const tfhe::Sha256Digest& digest) { return tfhe::toHex(digest.data(), digest.size()); }

// tfheParameterFingerprint(parameters): the SHA-256 of the parameter block, in hex.
Napi::Value fingerprintParameters(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheParameterFingerprint";
  expectArgumentCount(info, kName, 1);
  return Napi::String::New(info.Env(), hex(tfhe::parameterFingerprint(parametersArgument(info, 0, kName))));
}

// tfheSerializeCiphertexts(key, ciphertexts, count, lweDimension, precision): Uint8Array,
// tagged with the key's parameters and key set. lweDimension: the key's k*N or n.
Napi::Value serializeCiphertexts(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheSerializeCiphertexts";
  expectArgumentCount(info, kName, 5);
  Napi::Env env = info.Env();
  const KeyContext key = anyKeyArgument(info, 0, kName);
  const BatchShape shape = shapeArguments(info, 2, kName);
  if (shape.dimension != key.parameters.bigLweDimension() && shape.dimension != key.parameters.lweDimension()) {
    throwRangeError(env, std::string(kName) + ": lweDimension " + std::to_string(shape.dimension) +
                             " is neither the key's k*N nor its n");
  }
  const int precision = encodingPrecisionArgument(info, 4, kName, "precision");
  return guarded(env, kName, [&] {
    const LweCiphertextBatch batch = batchArgument(info, 1, kName, "ciphertexts", shape.count, shape.dimension);
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
  auto [key, keySetId] = liveKeysArgument<ClientKey>(info, 0, kName);
  if (!info[1].IsBoolean() || !info[1].As<Napi::Boolean>().Value()) {
    throwTypeError(info.Env(), std::string(kName) + ": argument 'includeSecretKey' must be true: the output holds the "
                                                    "secret key");
  }
  return guarded(info.Env(), kName, [&, key = key, keySetId = keySetId] {
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
  auto [keys, keySetId] = liveKeysArgument<CompressedEvaluationKeys>(info, 0, kName);
  if (!info[1].IsBoolean()) throwTypeError(env, std::string(kName) + ": argument 'compressed' must be a boolean");
  const bool compressed = info[1].As<Napi::Boolean>().Value();
  const std::size_t size = tfhe::serializedEvaluationKeysSize(keys->parameters, compressed);
  if (size > kMaxElements) {
    throwRangeError(env, std::string(kName) + ": " + std::to_string(size) + " bytes exceed the limit of a Uint8Array");
  }
  auto out = Napi::Uint8Array::New(env, size);
  return startSerializationWork(
      env, kName,
      [keys = keys, keySetId = keySetId, compressed, data = out.Data(), size] {
        tfhe::serializeEvaluationKeys(*keys, keySetId, compressed, data, size);
      },
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
  result.Set("fingerprint", hex(header.fingerprint));
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
    result.Set("fingerprint", hex(tfhe::parameterFingerprint(loaded.parameters)));
    return result;
  });
}

// The checked input of a key load, copied for the worker; a secret input is wiped when the
// copy is released.
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

// What a key load hands back: the keys, their key set and, for evaluation keys, the form
// they were stored in.
template <typename Keys>
struct LoadedKeys {
  std::shared_ptr<Keys> keys;
  tfhe::KeySetId keySetId;
  std::optional<bool> compressed;
};

// tfheDeserialize*Key(s)(bytes, options): loads off the main thread from a checked copy of the
// input, released (and wiped if secret) as soon as the load has run, and resolves with
// { handle, keySetId, fingerprint[, compressed] }.
template <typename Keys>
Napi::Value loadKeysAsync(const Napi::CallbackInfo& info, const char* function, tfhe::ObjectType type,
                          std::function<LoadedKeys<Keys>(const std::vector<uint8_t>&, const tfhe::LoadOptions&)> load) {
  expectArgumentCount(info, function, 2);
  const tfhe::LoadOptions options = loadOptionsArgument(info, 1, function);
  auto input = checkedInputCopy(info, function, type, options);
  auto loaded = std::make_shared<LoadedKeys<Keys>>();
  return startSerializationWork(
      info.Env(), function,
      [=] {
        *loaded = load(input->bytes, options);
        input->release();
      },
      [=](Napi::Env env, Napi::Array) -> Napi::Value {
        const tfhe::Sha256Digest fingerprint = tfhe::parameterFingerprint(loaded->keys->parameters);
        Napi::Object result = Napi::Object::New(env);
        result.Set("handle", wrapKeys(env, std::move(loaded->keys), loaded->keySetId));
        result.Set("keySetId", loaded->keySetId.hex());
        result.Set("fingerprint", hex(fingerprint));
        if (loaded->compressed) result.Set("compressed", *loaded->compressed);
        return result;
      });
}

Napi::Value deserializeClientKey(const Napi::CallbackInfo& info) {
  return loadKeysAsync<ClientKey>(info, "tfheDeserializeClientKey", tfhe::ObjectType::ClientKey,
                                  [](const std::vector<uint8_t>& bytes, const tfhe::LoadOptions& options) {
                                    auto loaded = tfhe::deserializeClientKey(bytes.data(), bytes.size(), options);
                                    return LoadedKeys<ClientKey>{std::move(loaded.key), loaded.keySetId, {}};
                                  });
}

// Either stored form loads to Fourier-domain keys ready for lookups.
Napi::Value deserializeEvaluationKeys(const Napi::CallbackInfo& info) {
  return loadKeysAsync<EvaluationKeys>(
      info, "tfheDeserializeEvaluationKeys", tfhe::ObjectType::EvaluationKeys,
      [](const std::vector<uint8_t>& bytes, const tfhe::LoadOptions& options) {
        auto loaded = tfhe::deserializeEvaluationKeys(bytes.data(), bytes.size(), options);
        return LoadedKeys<EvaluationKeys>{std::move(loaded.keys), loaded.keySetId, loaded.compressed};
      });
}

}  // namespace

void registerTfheSerialization(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> functions[] = {
      {"tfheParameterFingerprint", fingerprintParameters},
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
