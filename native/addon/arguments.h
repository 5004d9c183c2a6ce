// Checks of everything that crosses the JS -> C++ boundary. Each failure throws a JS
// TypeError or RangeError naming the function, the argument and what was expected.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace cq::addon {

// Largest number of elements a native call accepts in one typed array (2^31 - 1).
constexpr std::size_t kMaxElements = (std::size_t{1} << 31) - 1;

[[noreturn]] void throwTypeError(Napi::Env env, const std::string& message);
[[noreturn]] void throwRangeError(Napi::Env env, const std::string& message);

void expectArgumentCount(const Napi::CallbackInfo& info, const char* function, std::size_t count);

// A non-negative integer argument (a JS number with no fractional part) in [min, max].
std::size_t sizeArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function, const char* name,
                         std::size_t min, std::size_t max);

// a * b, or a RangeError naming `what` when it exceeds kMaxElements.
std::size_t checkedProduct(Napi::Env env, std::size_t a, std::size_t b, const char* function, const char* what);

template <typename T>
struct TypedArrayTraits;
template <>
struct TypedArrayTraits<int32_t> {
  static constexpr napi_typedarray_type type = napi_int32_array;
  static constexpr const char* name = "Int32Array";
};
template <>
struct TypedArrayTraits<int64_t> {
  static constexpr napi_typedarray_type type = napi_bigint64_array;
  static constexpr const char* name = "BigInt64Array";
};
template <>
struct TypedArrayTraits<double> {
  static constexpr napi_typedarray_type type = napi_float64_array;
  static constexpr const char* name = "Float64Array";
};
template <>
struct TypedArrayTraits<float> {
  static constexpr napi_typedarray_type type = napi_float32_array;
  static constexpr const char* name = "Float32Array";
};
template <>
struct TypedArrayTraits<uint8_t> {
  static constexpr napi_typedarray_type type = napi_uint8_array;
  static constexpr const char* name = "Uint8Array";
};
template <>
struct TypedArrayTraits<uint64_t> {
  static constexpr napi_typedarray_type type = napi_biguint64_array;
  static constexpr const char* name = "BigUint64Array";
};

void checkTypedArray(const Napi::CallbackInfo& info, std::size_t index, const char* function, const char* name,
                     napi_typedarray_type type, const char* typeName, std::size_t expectedLength);

// The typed array at `index`, checked for its element type, not detached, and of exactly
// `expectedLength` elements.
template <typename T>
Napi::TypedArrayOf<T> typedArrayArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                                         const char* name, std::size_t expectedLength) {
  checkTypedArray(info, index, function, name, TypedArrayTraits<T>::type, TypedArrayTraits<T>::name, expectedLength);
  return info[index].As<Napi::TypedArrayOf<T>>();
}

}  // namespace cq::addon
