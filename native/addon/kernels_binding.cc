#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "../kernels/float_conv.h"
#include "../kernels/integer_conv.h"
#include "../kernels/integer_matmul.h"
#include "../kernels/integer_pool.h"
#include "arguments.h"
#include "bindings.h"
#include "promise_worker.h"

namespace cq::addon {

namespace {

int64_t maxAbs(const int32_t* data, std::size_t length) {
  // An int32 min and max vectorize; |INT32_MIN| needs int64, so the absolute value comes last.
  int32_t low = 0, high = 0;
  for (std::size_t i = 0; i < length; ++i) {
    low = std::min(low, data[i]);
    high = std::max(high, data[i]);
  }
  return std::max(-int64_t{low}, int64_t{high});
}

// A JS array of `length` integers in [min, max], e.g. strides; errors name `name[i]`.
std::vector<std::size_t> sizeListArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                                          const char* name, std::size_t length, std::size_t min, std::size_t max) {
  Napi::Env env = info.Env();
  const std::string prefix = std::string(function) + ": ";
  if (!info[index].IsArray() || info[index].As<Napi::Array>().Length() != length) {
    throwTypeError(env, prefix + "argument '" + name + "' must be an array of " + std::to_string(length) + " integers");
  }
  auto array = info[index].As<Napi::Array>();
  std::vector<std::size_t> values(length);
  for (uint32_t i = 0; i < length; ++i) {
    const std::string where = prefix + name + "[" + std::to_string(i) + "]";
    Napi::Value item = array.Get(i);
    double value = item.IsNumber() ? item.As<Napi::Number>().DoubleValue() : NAN;
    if (!std::isfinite(value) || std::floor(value) != value) throwTypeError(env, where + " must be an integer");
    if (value < static_cast<double>(min) || value > static_cast<double>(max)) {
      throwRangeError(env, where + " must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                               std::to_string(static_cast<long long>(value)));
    }
    values[i] = static_cast<std::size_t>(value);
  }
  return values;
}

// An integer argument that fits int32 (the pad value: a quantized zero point).
int32_t int32Argument(const Napi::CallbackInfo& info, std::size_t index, const char* function, const char* name) {
  Napi::Env env = info.Env();
  const std::string where = std::string(function) + ": argument '" + name + "'";
  if (!info[index].IsNumber()) throwTypeError(env, where + " must be a number");
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(value) || std::floor(value) != value) throwTypeError(env, where + " must be an integer");
  if (value < INT32_MIN || value > INT32_MAX) {
    throwRangeError(env, where + " must fit int32, got " + std::to_string(static_cast<long long>(value)));
  }
  return static_cast<int32_t>(value);
}

bool booleanArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function, const char* name) {
  if (!info[index].IsBoolean()) {
    throwTypeError(info.Env(), std::string(function) + ": argument '" + name + "' must be a boolean");
  }
  return info[index].As<Napi::Boolean>().Value();
}

std::size_t checkedVolume(Napi::Env env, const std::vector<std::size_t>& dims, const char* function,
                          const char* what) {
  std::size_t volume = 1;
  for (std::size_t d : dims) volume = checkedProduct(env, volume, d, function, what);
  return volume;
}

std::string listString(const std::vector<std::size_t>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "]";
}

// Output height and width must be >= 1: the (dilated) kernel fits in the padded input.
void checkWindowFits(Napi::Env env, const WindowAxis& axis, std::size_t outLength, const char* function,
                     const char* axisName) {
  if (outLength == 0) {
    throwRangeError(env, std::string(function) + ": the dilated kernel " + axisName + " " +
                             std::to_string(axis.extent()) + " exceeds the padded input " + axisName + " " +
                             std::to_string(axis.input + axis.padBegin + axis.padEnd));
  }
}

// Copies `length` int32 values so the caller may reuse its array as soon as the call returns.
std::shared_ptr<std::vector<int32_t>> copyOf(const Napi::Int32Array& array, std::size_t length) {
  return std::make_shared<std::vector<int32_t>>(array.Data(), array.Data() + length);
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


// The shape arguments shared by both convolutions, at the same positions: (input,
// inputShape: [N, C, H, W], weights, weightShape: [O, C / group, kh, kw], group, strides: [2],
// pads: [top, left, bottom, right], dilations: [2], ...). Checks them and the array lengths.
struct ConvArguments {
  Conv2dShape shape;
  std::size_t inputLength;
  std::size_t weightLength;
  std::size_t outLength;
};

ConvArguments convArguments(const Napi::CallbackInfo& info, const char* name) {
  Napi::Env env = info.Env();
  expectArgumentCount(info, name, 9);
  const auto inputShape = sizeListArgument(info, 1, name, "inputShape", 4, 1, kMaxElements);
  const auto weightShape = sizeListArgument(info, 3, name, "weightShape", 4, 1, kMaxElements);
  const std::size_t group = sizeArgument(info, 4, name, "group", 1, kMaxElements);
  const auto strides = sizeListArgument(info, 5, name, "strides", 2, 1, kMaxElements);
  const auto pads = sizeListArgument(info, 6, name, "pads", 4, 0, kMaxElements);
  const auto dilations = sizeListArgument(info, 7, name, "dilations", 2, 1, kMaxElements);
  const std::string shapes = " (inputShape " + listString(inputShape) + ", weightShape " + listString(weightShape) +
                             ", group " + std::to_string(group) + ")";
  if (inputShape[1] % group != 0 || weightShape[0] % group != 0) {
    throwRangeError(env, std::string(name) + ": input channels and output channels must be multiples of group" + shapes);
  }
  if (weightShape[1] != inputShape[1] / group) {
    throwRangeError(env, std::string(name) + ": weightShape[1] must be inputShape[1] / group = " +
                             std::to_string(inputShape[1] / group) + shapes);
  }
  ConvArguments args;
  Conv2dShape& shape = args.shape;
  shape.batch = inputShape[0];
  shape.inChannels = inputShape[1];
  shape.outChannels = weightShape[0];
  shape.groups = group;
  shape.rows = {inputShape[2], weightShape[2], strides[0], dilations[0], pads[0], pads[2]};
  shape.columns = {inputShape[3], weightShape[3], strides[1], dilations[1], pads[1], pads[3]};
  checkWindowFits(env, shape.rows, shape.outHeight(), name, "height");
  checkWindowFits(env, shape.columns, shape.outWidth(), name, "width");
  args.inputLength = checkedVolume(env, inputShape, name, "the input (N * C * H * W)");
  args.weightLength = checkedVolume(env, weightShape, name, "the weights (O * C / group * kh * kw)");
  args.outLength = checkedVolume(env, {shape.batch, shape.outChannels, shape.outHeight(), shape.outWidth()}, name,
                                 "the output (N * O * H' * W')");
  return args;
}

// integerConv2d(input: Int32Array, ...conv shape arguments, padValue): Promise<BigInt64Array>
// of [N, O, H', W'].
Napi::Value integerConv2dBinding(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "integerConv2d";
  Napi::Env env = info.Env();
  const ConvArguments args = convArguments(info, kName);
  const Conv2dShape shape = args.shape;
  const int32_t padValue = int32Argument(info, 8, kName, "padValue");
  auto input = typedArrayArgument<int32_t>(info, 0, kName, "input", args.inputLength);
  auto weights = typedArrayArgument<int32_t>(info, 2, kName, "weights", args.weightLength);
  int64_t maxAbsInput = maxAbs(input.Data(), args.inputLength);
  if (shape.padded()) maxAbsInput = std::max<int64_t>(maxAbsInput, std::llabs(padValue));
  if (!integerConv2dFitsInt64(maxAbsInput, maxAbs(weights.Data(), args.weightLength), shape)) {
    throwRangeError(env, std::string(kName) + ": max|input or padValue| * max|weights| * (C / group * kh * kw = " +
                             std::to_string(shape.patchSize()) +
                             ") reaches 2^63; the int64 accumulators could overflow");
  }
  auto inputCopy = copyOf(input, args.inputLength);
  auto weightsCopy = copyOf(weights, args.weightLength);
  const std::size_t outLength = args.outLength;
  Napi::ArrayBuffer outBuffer = Napi::ArrayBuffer::New(env, outLength * sizeof(int64_t));
  auto* out = static_cast<int64_t*>(outBuffer.Data());
  return PromiseWorker::start(
      env, [=] { integerConv2d(inputCopy->data(), weightsCopy->data(), padValue, out, shape); },
      [=](Napi::Env resultEnv, Napi::Array kept) -> Napi::Value {
        return Napi::BigInt64Array::New(resultEnv, outLength, kept.Get(0u).As<Napi::ArrayBuffer>(), 0);
      },
      {outBuffer});
}

// floatConv2d(input: Float32Array, ...conv shape arguments, bias: Float32Array of O | null):
// Float32Array of [N, O, H', W']. Synchronous, because the float interpreter is: the calling
// thread works with the pool, and the arrays cannot change during the call, so none is copied.
Napi::Value floatConv2dBinding(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "floatConv2d";
  Napi::Env env = info.Env();
  const ConvArguments args = convArguments(info, kName);
  auto input = typedArrayArgument<float>(info, 0, kName, "input", args.inputLength);
  auto weights = typedArrayArgument<float>(info, 2, kName, "weights", args.weightLength);
  const float* bias = nullptr;
  if (!info[8].IsNull()) bias = typedArrayArgument<float>(info, 8, kName, "bias", args.shape.outChannels).Data();
  auto out = Napi::Float32Array::New(env, args.outLength);
  floatConv2d(input.Data(), weights.Data(), bias, out.Data(), args.shape);
  return out;
}

// The arguments shared by both pools: (input: Int32Array, inputShape: [N, C, H, W],
// kernelShape: [kh, kw], strides: [2], pads: [top, left, bottom, right], dilations: [2],
// ceilMode: boolean, padValue).
struct PoolArguments {
  Pool2dShape shape;
  int32_t padValue;
  std::shared_ptr<std::vector<int32_t>> input;
  std::size_t outLength;
};

PoolArguments poolArguments(const Napi::CallbackInfo& info, const char* name) {
  Napi::Env env = info.Env();
  expectArgumentCount(info, name, 8);
  const auto inputShape = sizeListArgument(info, 1, name, "inputShape", 4, 1, kMaxElements);
  const auto kernelShape = sizeListArgument(info, 2, name, "kernelShape", 2, 1, kMaxElements);
  const auto strides = sizeListArgument(info, 3, name, "strides", 2, 1, kMaxElements);
  const auto pads = sizeListArgument(info, 4, name, "pads", 4, 0, kMaxElements);
  const auto dilations = sizeListArgument(info, 5, name, "dilations", 2, 1, kMaxElements);
  PoolArguments args;
  args.shape.ceilMode = booleanArgument(info, 6, name, "ceilMode");
  args.padValue = int32Argument(info, 7, name, "padValue");
  args.shape.batch = inputShape[0];
  args.shape.channels = inputShape[1];
  args.shape.rows = {inputShape[2], kernelShape[0], strides[0], dilations[0], pads[0], pads[2]};
  args.shape.columns = {inputShape[3], kernelShape[1], strides[1], dilations[1], pads[1], pads[3]};
  checkWindowFits(env, args.shape.rows, args.shape.outHeight(), name, "height");
  checkWindowFits(env, args.shape.columns, args.shape.outWidth(), name, "width");
  checkedProduct(env, kernelShape[0], kernelShape[1], name, "the kernel (kh * kw)");
  const std::size_t inputLength = checkedVolume(env, inputShape, name, "the input (N * C * H * W)");
  args.outLength = checkedVolume(
      env, {args.shape.batch, args.shape.channels, args.shape.outHeight(), args.shape.outWidth()}, name,
      "the output (N * C * H' * W')");
  auto input = typedArrayArgument<int32_t>(info, 0, name, "input", inputLength);
  args.input = copyOf(input, inputLength);
  return args;
}

// integerSumPool2d(...pool arguments): Promise<BigInt64Array> of [N, C, H', W'] window sums.
Napi::Value integerSumPool2dBinding(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "integerSumPool2d";
  Napi::Env env = info.Env();
  PoolArguments args = poolArguments(info, kName);
  // Against the worst int32 value: with at most kMaxElements taps per window no sum can
  // overflow, so this never scans the input.
  if (!integerSumPool2dFitsInt64(int64_t{1} << 31, args.shape)) {
    throwRangeError(env, std::string(kName) + ": max|input or padValue| * (kh * kw = " +
                             std::to_string(args.shape.windowSize()) +
                             ") reaches 2^63; the int64 accumulators could overflow");
  }
  Napi::ArrayBuffer outBuffer = Napi::ArrayBuffer::New(env, args.outLength * sizeof(int64_t));
  auto* out = static_cast<int64_t*>(outBuffer.Data());
  return PromiseWorker::start(
      env, [=] { integerSumPool2d(args.input->data(), args.padValue, out, args.shape); },
      [=](Napi::Env resultEnv, Napi::Array kept) -> Napi::Value {
        return Napi::BigInt64Array::New(resultEnv, args.outLength, kept.Get(0u).As<Napi::ArrayBuffer>(), 0);
      },
      {outBuffer});
}

// integerMaxPool2d(...pool arguments): Promise<Int32Array> of [N, C, H', W'] window maxima.
Napi::Value integerMaxPool2dBinding(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "integerMaxPool2d";
  Napi::Env env = info.Env();
  PoolArguments args = poolArguments(info, kName);
  Napi::ArrayBuffer outBuffer = Napi::ArrayBuffer::New(env, args.outLength * sizeof(int32_t));
  auto* out = static_cast<int32_t*>(outBuffer.Data());
  return PromiseWorker::start(
      env, [=] { integerMaxPool2d(args.input->data(), args.padValue, out, args.shape); },
      [=](Napi::Env resultEnv, Napi::Array kept) -> Napi::Value {
        return Napi::Int32Array::New(resultEnv, args.outLength, kept.Get(0u).As<Napi::ArrayBuffer>(), 0);
      },
      {outBuffer});
}

}  // namespace

void registerKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("integerMatmul", Napi::Function::New(env, integerMatmulBinding, "integerMatmul"));
  exports.Set("integerConv2d", Napi::Function::New(env, integerConv2dBinding, "integerConv2d"));
  exports.Set("floatConv2d", Napi::Function::New(env, floatConv2dBinding, "floatConv2d"));
  exports.Set("integerSumPool2d", Napi::Function::New(env, integerSumPool2dBinding, "integerSumPool2d"));
  exports.Set("integerMaxPool2d", Napi::Function::New(env, integerMaxPool2dBinding, "integerMaxPool2d"));
}

}  // namespace cq::addon
