#include <napi.h>

#include "bindings.h"

namespace {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  cq::addon::registerRuntime(env, exports);
  cq::addon::registerKernels(env, exports);
  cq::addon::registerTfhe(env, exports);
  cq::addon::registerTfheKeys(env, exports);
  cq::addon::registerTfheSerialization(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(cipherquant, init)
