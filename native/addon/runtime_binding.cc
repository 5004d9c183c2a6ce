#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"
#include "arguments.h"
#include "bindings.h"

namespace cq::addon {

namespace {

Napi::Value capabilities(const Napi::CallbackInfo& info) {
  expectArgumentCount(info, "capabilities", 0);
  Napi::Env env = info.Env();
  CpuFeatures cpu = detectCpuFeatures();
  Napi::Object cpuObject = Napi::Object::New(env);
  cpuObject.Set("avx2", cpu.avx2);
  cpuObject.Set("fma", cpu.fma);
  Napi::Object result = Napi::Object::New(env);
  result.Set("simd", simdEnabled() ? "avx2+fma" : "scalar");
  result.Set("cpu", cpuObject);
  result.Set("threads", static_cast<double>(threadPool().size()));
  result.Set("hardwareThreads", static_cast<double>(hardwareThreads()));
  return result;
}

Napi::Value setThreads(const Napi::CallbackInfo& info) {
  expectArgumentCount(info, "setThreads", 1);
  threadPool().resize(sizeArgument(info, 0, "setThreads", "threads", 1, 1024));
  return info.Env().Undefined();
}

}  // namespace

void registerRuntime(Napi::Env env, Napi::Object exports) {
  exports.Set("capabilities", Napi::Function::New(env, capabilities, "capabilities"));
  exports.Set("setThreads", Napi::Function::New(env, setThreads, "setThreads"));
}

}  // namespace cq::addon
