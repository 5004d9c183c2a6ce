// Key handles of the TFHE bindings: opaque, type-tagged Externals that own a shared_ptr to the
// keys. free() resets the pointer, which destroys (and so wipes) the keys unless an async call
// still holds a reference; the finalizer does the same when JS drops the handle.
#pragma once

#include <napi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "../tfhe/key_generation.h"
#include "../tfhe/serialization/serialization.h"
#include "arguments.h"
#include "promise_worker.h"

namespace cq::addon {

using tfhe::ClientKey;
using tfhe::CompressedEvaluationKeys;
using tfhe::EvaluationKeys;

template <typename Keys>
struct KeyHandle {
  using KeysType = Keys;
  std::shared_ptr<Keys> keys;
  int64_t reportedBytes = 0;  // told to V8 so that big keys weigh on its GC decisions
  tfhe::KeySetId keySetId;    // drawn with the client key; shared by everything made from it
};

// What each kind of handle is called in messages, its type tag and its native size.
template <typename Keys>
struct KeyKind;
template <>
struct KeyKind<ClientKey> {
  static constexpr const char* name = "client key";
  static constexpr const char* label = "client";
  static constexpr napi_type_tag tag = {0x6369706865727175ULL, 0x616e74636c69656eULL};
  static std::size_t bytes(const ClientKey& key) {
    return (key.lweKey.dimension() + key.parameters.bigLweDimension()) * sizeof(uint64_t);
  }
};
template <>
struct KeyKind<EvaluationKeys> {
  static constexpr const char* name = "evaluation keys";
  static constexpr const char* label = "evaluation";
  static constexpr napi_type_tag tag = {0x6369706865727175ULL, 0x616e746576616c6bULL};
  static std::size_t bytes(const EvaluationKeys& keys) {
    return keys.keyswitchKey.sizeInBytes() + keys.bootstrapKey.sizeInBytes();
  }
};
template <>
struct KeyKind<CompressedEvaluationKeys> {
  static constexpr const char* name = "compressed evaluation keys";
  static constexpr const char* label = "compressed-evaluation";
  static constexpr napi_type_tag tag = {0x6369706865727175ULL, 0x616e74636f6d7072ULL};
  static std::size_t bytes(const CompressedEvaluationKeys& keys) { return keys.sizeInBytes(); }
};

template <typename Keys>
Napi::External<KeyHandle<Keys>> wrapKeys(Napi::Env env, std::shared_ptr<Keys> keys, const tfhe::KeySetId& keySetId) {
  auto* handle = new KeyHandle<Keys>{std::move(keys), 0, keySetId};
  handle->reportedBytes = static_cast<int64_t>(KeyKind<Keys>::bytes(*handle->keys));
  Napi::MemoryManagement::AdjustExternalMemory(env, handle->reportedBytes);
  auto external = Napi::External<KeyHandle<Keys>>::New(env, handle, [](Napi::Env finalizeEnv, KeyHandle<Keys>* owned) {
    if (owned->keys) Napi::MemoryManagement::AdjustExternalMemory(finalizeEnv, -owned->reportedBytes);
    delete owned;
  });
  external.TypeTag(&KeyKind<Keys>::tag);
  return external;
}

// Resolves with a handle to the keys `make` builds off the main thread.
template <typename Keys>
Napi::Promise resolveKeysAsync(Napi::Env env, const tfhe::KeySetId& keySetId, std::function<std::shared_ptr<Keys>()> make) {
  auto keys = std::make_shared<std::shared_ptr<Keys>>();
  return PromiseWorker::start(
      env, [=] { *keys = make(); },
      [=](Napi::Env resultEnv, Napi::Array) -> Napi::Value { return wrapKeys(resultEnv, std::move(*keys), keySetId); });
}

template <typename Keys>
KeyHandle<Keys>* asHandle(const Napi::Value& value) {
  if (!value.IsExternal() || !value.As<Napi::External<void>>().CheckTypeTag(&KeyKind<Keys>::tag)) return nullptr;
  return value.As<Napi::External<KeyHandle<Keys>>>().Data();
}

// Calls visit(handle) with the handle of whichever kind `value` is; false when it is none.
template <typename Visit>
bool visitKeyHandle(const Napi::Value& value, Visit&& visit) {
  if (auto* client = asHandle<ClientKey>(value)) {
    visit(client);
  } else if (auto* evaluation = asHandle<EvaluationKeys>(value)) {
    visit(evaluation);
  } else if (auto* compressed = asHandle<CompressedEvaluationKeys>(value)) {
    visit(compressed);
  } else {
    return false;
  }
  return true;
}

// The handle of kind Keys at `index`, or a TypeError naming the function and the argument.
template <typename Keys>
KeyHandle<Keys>* handleArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function) {
  auto* handle = asHandle<Keys>(info[index]);
  if (!handle) {
    throwTypeError(info.Env(), std::string(function) + ": argument '" + KeyKind<Keys>::name + "' must be a " +
                                   KeyKind<Keys>::name + " handle");
  }
  return handle;
}

// The keys of a handle that has not been freed, with their key set id.
template <typename Keys>
std::pair<std::shared_ptr<Keys>, tfhe::KeySetId> liveKeysArgument(const Napi::CallbackInfo& info, std::size_t index,
                                                                  const char* function) {
  auto* handle = handleArgument<Keys>(info, index, function);
  if (!handle->keys) {
    throwTypeError(info.Env(), std::string(function) + ": the " + KeyKind<Keys>::name + " handle has been freed");
  }
  return {handle->keys, handle->keySetId};
}

template <typename Keys>
std::shared_ptr<Keys> keysArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function) {
  return liveKeysArgument<Keys>(info, index, function).first;
}

// The parameters and key set of any live key handle (client, evaluation or compressed).
struct KeyContext {
  tfhe::TfheParameters parameters;
  tfhe::KeySetId keySetId;
};
inline KeyContext anyKeyArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function) {
  std::optional<KeyContext> context;
  visitKeyHandle(info[index], [&](auto* handle) {
    if (!handle->keys) throwTypeError(info.Env(), std::string(function) + ": the key handle has been freed");
    context.emplace(KeyContext{handle->keys->parameters, handle->keySetId});
  });
  if (!context) throwTypeError(info.Env(), std::string(function) + ": argument 'key' must be a key handle");
  return *context;
}

}  // namespace cq::addon
