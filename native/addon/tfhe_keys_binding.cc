// TFHE key bindings: generation (all keys at once, or a client key and then compressed
// evaluation keys from it), decompression, free() and a description without key material.
#include <type_traits>

#include "../tfhe/csprng/random_generator.h"
#include "bindings.h"
#include "tfhe_arguments.h"
#include "tfhe_handles.h"

namespace cq::addon {

namespace {

// tfheGenerateKeys(parameters): Promise<[clientKey, evaluationKeys]>
Napi::Value generateKeys(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheGenerateKeys";
  expectArgumentCount(info, kName, 1);
  const tfhe::TfheParameters params = parametersArgument(info, 0, kName);
  const tfhe::KeySetId keySetId = tfhe::randomKeySetId();
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
        pair.Set(0u, wrapKeys(env, std::move(*client), keySetId));
        pair.Set(1u, wrapKeys(env, std::move(*evaluation), keySetId));
        return pair;
      });
}

// tfheGenerateClientKey(parameters): Promise<clientKey>, with a fresh key set id.
Napi::Value generateClientKey(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheGenerateClientKey";
  expectArgumentCount(info, kName, 1);
  const tfhe::TfheParameters params = parametersArgument(info, 0, kName);
  return resolveKeysAsync<ClientKey>(info.Env(), tfhe::randomKeySetId(), [=]() -> std::shared_ptr<ClientKey> {
    return tfhe::generateClientKey(params, tfhe::seedFromOperatingSystem());
  });
}

// tfheGenerateCompressedEvaluationKeys(clientKey): Promise<compressed keys handle>.
Napi::Value generateCompressedEvaluationKeys(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheGenerateCompressedEvaluationKeys";
  expectArgumentCount(info, kName, 1);
  auto [client, keySetId] = liveKeysArgument<ClientKey>(info, 0, kName);
  return resolveKeysAsync<CompressedEvaluationKeys>(
      info.Env(), keySetId, [client = client]() -> std::shared_ptr<CompressedEvaluationKeys> {
        return tfhe::generateCompressedEvaluationKeys(*client, tfhe::seedFromOperatingSystem(),
                                                      tfhe::seedFromOperatingSystem());
      });
}

// tfheDecompressEvaluationKeys(compressed): Promise<evaluationKeys> (masks regenerated, FFT).
Napi::Value decompressEvaluationKeys(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDecompressEvaluationKeys";
  expectArgumentCount(info, kName, 1);
  auto [compressed, keySetId] = liveKeysArgument<CompressedEvaluationKeys>(info, 0, kName);
  return resolveKeysAsync<EvaluationKeys>(info.Env(), keySetId, [compressed = compressed]() -> std::shared_ptr<EvaluationKeys> {
    return tfhe::decompressEvaluationKeys(*compressed);
  });
}

constexpr const char* kNotAKey = ": argument 'key' must be a client key or evaluation keys handle";

// tfheFreeKey(handle): releases (and wipes) the keys now; later calls with the handle throw.
Napi::Value freeKey(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheFreeKey";
  expectArgumentCount(info, kName, 1);
  Napi::Env env = info.Env();
  const bool isKey = visitKeyHandle(info[0], [&](auto* handle) {
    if (handle->keys) Napi::MemoryManagement::AdjustExternalMemory(env, -handle->reportedBytes);
    handle->keys.reset();
  });
  if (!isKey) throwTypeError(env, std::string(kName) + kNotAKey);
  return env.Undefined();
}

void setKeySizes(Napi::Object&, const ClientKey&) {}
void setKeySizes(Napi::Object& result, const EvaluationKeys& keys) {
  result.Set("keyswitchKeyBytes", static_cast<double>(keys.keyswitchKey.sizeInBytes()));
  result.Set("bootstrapKeyBytes", static_cast<double>(keys.bootstrapKey.sizeInBytes()));
}
void setKeySizes(Napi::Object& result, const CompressedEvaluationKeys& keys) {
  result.Set("keyswitchKeyBytes", static_cast<double>(sizeof(uint64_t) * keys.keyswitchBodies.size()));
  result.Set("bootstrapKeyBytes", static_cast<double>(sizeof(uint64_t) * keys.bootstrapBodies.size()));
}

// tfheKeyInfo(handle): { kind, freed, bytes, ...sizes, keySetId } (no key material).
Napi::Value keyInfo(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheKeyInfo";
  expectArgumentCount(info, kName, 1);
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  const bool isKey = visitKeyHandle(info[0], [&](auto* handle) {
    using Keys = typename std::remove_pointer_t<decltype(handle)>::KeysType;
    result.Set("kind", KeyKind<Keys>::label);
    result.Set("freed", !handle->keys);
    if (!handle->keys) return;
    result.Set("bytes", static_cast<double>(KeyKind<Keys>::bytes(*handle->keys)));
    setKeySizes(result, *handle->keys);
    result.Set("keySetId", handle->keySetId.hex());
  });
  if (!isKey) throwTypeError(env, std::string(kName) + kNotAKey);
  return result;
}

}  // namespace

void registerTfheKeys(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> functions[] = {
      {"tfheGenerateKeys", generateKeys},
      {"tfheGenerateClientKey", generateClientKey},
      {"tfheGenerateCompressedEvaluationKeys", generateCompressedEvaluationKeys},
      {"tfheDecompressEvaluationKeys", decompressEvaluationKeys},
      {"tfheFreeKey", freeKey},
      {"tfheKeyInfo", keyInfo},
  };
  for (const auto& [name, callback] : functions) exports.Set(name, Napi::Function::New(env, callback, name));
}

}  // namespace cq::addon
