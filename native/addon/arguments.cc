#include "arguments.h"

#include <cmath>

namespace cq::addon {

void throwTypeError(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }

void throwRangeError(Napi::Env env, const std::string& message) { throw Napi::RangeError::New(env, message); }

void expectArgumentCount(const Napi::CallbackInfo& info, const char* function, std::size_t count) {
  if (info.Length() != count) {
    throwTypeError(info.Env(), std::string(function) + ": expected " + std::to_string(count) + " arguments, got " +
                                   std::to_string(info.Length()));
  }
}

std::size_t sizeArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function, const char* name,
                         std::size_t min, std::size_t max) {
  Napi::Env env = info.Env();
  std::string where = std::string(function) + ": argument '" + name + "'";
  if (!info[index].IsNumber()) throwTypeError(env, where + " must be a number");
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(value) || std::floor(value) != value) throwTypeError(env, where + " must be an integer");
  if (value < static_cast<double>(min) || value > static_cast<double>(max)) {
    throwRangeError(env, where + " must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                             std::to_string(static_cast<long long>(value)));
  }
  return static_cast<std::size_t>(value);
}

std::size_t checkedProduct(Napi::Env env, std::size_t a, std::size_t b, const char* function, const char* what) {
  if (a != 0 && b > kMaxElements / a) {
    throwRangeError(env, std::string(function) + ": " + what + " exceeds the limit of " +
                             std::to_string(kMaxElements) + " elements");
  }
  return a * b;
}

void checkTypedArray(const Napi::CallbackInfo& info, std::size_t index, const char* function, const char* name,
                     napi_typedarray_type type, const char* typeName, std::size_t expectedLength) {
  Napi::Env env = info.Env();
  std::string where = std::string(function) + ": argument '" + name + "'";
  if (!info[index].IsTypedArray() || info[index].As<Napi::TypedArray>().TypedArrayType() != type) {
    throwTypeError(env, where + " must be a " + typeName);
  }
  auto array = info[index].As<Napi::TypedArray>();
  if (array.ArrayBuffer().IsDetached()) throwTypeError(env, where + " is backed by a detached ArrayBuffer");
  if (array.ElementLength() != expectedLength) {
    throwRangeError(env, where + " must hold " + std::to_string(expectedLength) + " elements, got " +
                             std::to_string(array.ElementLength()));
  }
}

}  // namespace cq::addon
