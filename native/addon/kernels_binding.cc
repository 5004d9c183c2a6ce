#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "../kernels/integer_matmul.h"
#include "arguments.h"
#include "bindings.h"
#include "promise_worker.h"

namespace cq::addon {

namespace {

int64_t maxAbs(const int32_t* data, std::size_t length) {
  int64_t result = 0;
  for (std::size_t i = 0; i < length; ++i) result = std::max<int64_t>(result, std::llabs(data[i]));
  return result;
}

// integerMatmul(a: Int32Array, b: Int32Array, m, k, n): Promise<BigInt64Array> (m x n).
// Inputs are copied before the call returns, so the caller may reuse its arrays at once.
Napi::Value integerMatmulBinding(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "integerMatmul";
  Napi::Env env = info.Env();
  expectArgumentCount(info, kName, 5);
  std::size_t m = sizeArgument(info, 2, kName, "m", 1, kMaxElements);
  std::size_t k = sizeArgument(info, 3, kName, "k", 1, kMaxElements);
  std::size_t n = sizeArgument(info, 4, kName, "n", 1, kMaxElements);
  std::size_t aLength = checkedProduct(env, m, k, kName, "a (m * k)");
  std::size_t bLength = checkedProduct(env, k, n, kName, "b (k * n)");
  std::size_t outLength = checkedProduct(env, m, n, kName, "the output (m * n)");
  auto a = typedArrayArgument<int32_t>(info, 0, kName, "a", aLength);
  auto b = typedArrayArgument<int32_t>(info, 1, kName, "b", bLength);
  if (!integerMatmulFitsInt64(maxAbs(a.Data(), aLength), maxAbs(b.Data(), bLength), k)) {
    throwRangeError(env, std::string(kName) + ": max|a| * max|b| * k reaches 2^63; the int64 accumulators could overflow");
  }
  auto aCopy = std::make_shared<std::vector<int32_t>>(a.Data(), a.Data() + aLength);
  auto bCopy = std::make_shared<std::vector<int32_t>>(b.Data(), b.Data() + bLength);
  // The output buffer is not visible to JS until the promise resolves, so the work may write it.
  Napi::ArrayBuffer outBuffer = Napi::ArrayBuffer::New(env, outLength * sizeof(int64_t));
  auto* out = static_cast<int64_t*>(outBuffer.Data());
  return PromiseWorker::start(
      env, [=] { integerMatmul(aCopy->data(), bCopy->data(), out, m, k, n); },
      [=](Napi::Env resultEnv, Napi::Array kept) -> Napi::Value {
        return Napi::BigInt64Array::New(resultEnv, outLength, kept.Get(0u).As<Napi::ArrayBuffer>(), 0);
      },
      {outBuffer});
}

}  // namespace

void registerKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("integerMatmul", Napi::Function::New(env, integerMatmulBinding, "integerMatmul"));
}

}  // namespace cq::addon
