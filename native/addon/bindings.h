// Each binding file adds its functions to the addon's exports. Bindings only convert and
// check arguments; the maths lives in native/kernels, native/runtime and native/tfhe.
#pragma once

#include <napi.h>

namespace cq::addon {

void registerRuntime(Napi::Env env, Napi::Object exports);
void registerKernels(Napi::Env env, Napi::Object exports);
void registerTfhe(Napi::Env env, Napi::Object exports);
void registerTfheKeys(Napi::Env env, Napi::Object exports);
void registerTfheSerialization(Napi::Env env, Napi::Object exports);

}  // namespace cq::addon
