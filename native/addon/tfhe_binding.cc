// N-API surface of native/tfhe's algorithms: encryption, lookups, keyswitch, linear operations
// and FFT timing. Ciphertext batches are BigUint64Arrays of count * (dimension + 1) words. Every
// argument is checked here; secret keys never leave native memory and no error message
// mentions key material. Keys: tfhe_keys_binding.cc; serialization:
// tfhe_serialization_binding.cc.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "../tfhe/csprng/random_generator.h"
#include "../tfhe/fft/cache_aligned_vector.h"
#include "../tfhe/fft/fourier_transform.h"
#include "../tfhe/keyswitch.h"
#include "../tfhe/lwe_encryption.h"
#include "../tfhe/lwe_linear_algebra.h"
#include "../tfhe/programmable_bootstrap.h"
#include "bindings.h"
#include "tfhe_arguments.h"
#include "tfhe_handles.h"

namespace cq::addon {

namespace {

using tfhe::LweCiphertextBatch;
using tfhe::TfheParameters;

// CPU time of the calling thread, in microseconds: unlike wall time it does not count waits for
// a core on a shared machine, and unlike std::clock it leaves the process's other threads out.
double threadCpuMicroseconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return 1e6 * static_cast<double>(now.tv_sec) + 1e-3 * static_cast<double>(now.tv_nsec);
}

// Each value (a message or a table entry) must be encodable at `precision`: in [-2^p, 2^p).
void checkEncodable(Napi::Env env, const char* function, const char* name, const int32_t* values, std::size_t count,
                    int precision, const std::string& suffix) {
  const int64_t limit = int64_t{1} << precision;
  for (std::size_t i = 0; i < count; ++i) {
    if (values[i] < -limit || values[i] >= limit) {
      throwRangeError(env, std::string(function) + ": " + name + "[" + std::to_string(i) + "] = " +
                               std::to_string(values[i]) + " is outside [-2^" + std::to_string(precision) + ", 2^" +
                               std::to_string(precision) + ")" + suffix);
    }
  }
}

// The phases of the `count` ciphertexts at argument 1, under the client key's big key (k*N)
// or small key (n), whichever `dimension` names.
std::vector<uint64_t> phasesArgument(const Napi::CallbackInfo& info, const char* function, const ClientKey& key,
                                     std::size_t count, std::size_t dimension) {
  tfhe::LweKeyView view = key.glweKey.asLweKey();
  if (dimension != view.dimension) {
    if (dimension != key.lweKey.dimension()) {
      throwRangeError(info.Env(), std::string(function) + ": lweDimension " + std::to_string(dimension) +
                                      " is neither the big nor the small key's dimension");
    }
    view = key.lweKey.view();
  }
  auto words = ciphertextWordsArgument(info, 1, function, "ciphertexts", count, dimension);
  std::vector<uint64_t> phases(count);
  for (std::size_t i = 0; i < count; ++i) phases[i] = tfhe::decryptLwePhase(view, words.Data() + i * (dimension + 1));
  return phases;
}

// --- encryption ----------------------------------------------------------------------------

// tfheEncrypt(clientKey, messages: Int32Array, count, precision): BigUint64Array under the big
// key. Messages must lie in [-2^p, 2^p) (the padding bit doubles as a sign for linear ops);
// 1 <= p <= 31 whatever the parameter set (lookups check their own input precision).
Napi::Value encrypt(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheEncrypt";
  expectArgumentCount(info, kName, 4);
  Napi::Env env = info.Env();
  auto key = keysArgument<ClientKey>(info, 0, kName);
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  const int precision = encodingPrecisionArgument(info, 3, kName, "precision");
  auto messages = typedArrayArgument<int32_t>(info, 1, kName, "messages", count);
  checkedProduct(env, count, key->parameters.bigLweDimension() + 1, kName, "the ciphertext words");
  checkEncodable(env, kName, "messages", messages.Data(), count, precision, "");
  std::vector<uint64_t> plaintexts(count);
  for (std::size_t i = 0; i < count; ++i) plaintexts[i] = tfhe::encodeMessage(messages.Data()[i], precision);
  tfhe::RandomGenerator random(tfhe::seedFromOperatingSystem());
  return toJs(env, tfhe::encryptLweBatch(key->glweKey.asLweKey(), plaintexts.data(), count,
                                         key->parameters.glweNoise(), random));
}

// tfheDecrypt(clientKey, ciphertexts: BigUint64Array, count, precision): Int32Array of
// (p+1)-bit signed values in [-2^p, 2^p), 1 <= p <= 31.
Napi::Value decrypt(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDecrypt";
  expectArgumentCount(info, kName, 4);
  auto key = keysArgument<ClientKey>(info, 0, kName);
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  const int precision = encodingPrecisionArgument(info, 3, kName, "precision");
  const std::vector<uint64_t> phases = phasesArgument(info, kName, *key, count, key->parameters.bigLweDimension());
  auto out = Napi::Int32Array::New(info.Env(), count);
  for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<int32_t>(tfhe::decodeMessage(phases[i], precision));
  return out;
}

// tfheDecryptPhases(clientKey, ciphertexts, count, lweDimension): BigUint64Array of raw phases
// (plaintext + noise) under the big key (dimension k*N) or the small key (n); for noise checks.
Napi::Value decryptPhases(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDecryptPhases";
  expectArgumentCount(info, kName, 4);
  auto key = keysArgument<ClientKey>(info, 0, kName);
  const BatchShape shape = shapeArguments(info, 2, kName);
  const std::vector<uint64_t> phases = phasesArgument(info, kName, *key, shape.count, shape.dimension);
  auto out = Napi::BigUint64Array::New(info.Env(), shape.count);
  std::copy(phases.begin(), phases.end(), out.Data());
  return out;
}

// --- lookups -------------------------------------------------------------------------------

// The (input, table) pairs of a lookup: an Int32Array of pairs, or null for every input
// through every table, input-major.
std::vector<tfhe::LookupJob> lookupJobsArgument(const Napi::CallbackInfo& info, std::size_t index, const char* function,
                                                std::size_t count, std::size_t tableCount) {
  Napi::Env env = info.Env();
  std::vector<tfhe::LookupJob> jobs;
  if (info[index].IsNull() || info[index].IsUndefined()) {
    checkedProduct(env, count, tableCount, function, "the number of lookups");
    for (std::size_t i = 0; i < count; ++i) {
      for (std::size_t t = 0; t < tableCount; ++t) jobs.push_back({i, t});
    }
    return jobs;
  }
  if (!info[index].IsTypedArray()) throwTypeError(env, std::string(function) + ": argument 'jobs' must be an Int32Array or null");
  const std::size_t pairs = info[index].As<Napi::TypedArray>().ElementLength() / 2;
  auto jobArray = typedArrayArgument<int32_t>(info, index, function, "jobs", pairs * 2);
  for (std::size_t j = 0; j < pairs; ++j) {
    const int32_t input = jobArray.Data()[2 * j], table = jobArray.Data()[2 * j + 1];
    if (input < 0 || static_cast<std::size_t>(input) >= count || table < 0 ||
        static_cast<std::size_t>(table) >= tableCount) {
      throwRangeError(env, std::string(function) + ": jobs[" + std::to_string(j) + "] = (" + std::to_string(input) +
                               ", " + std::to_string(table) + ") names no input or no table");
    }
    jobs.push_back({static_cast<std::size_t>(input), static_cast<std::size_t>(table)});
  }
  return jobs;
}

// tfheLookup(evaluationKeys, ciphertexts, count, tables: Int32Array, tableCount, precision,
//            jobs: Int32Array | null, outputPrecision): Promise<BigUint64Array>
// jobs holds (input, table) pairs; null runs every input through every table, input-major.
// Inputs are read at `precision` (tables of 2^precision entries); table entries must lie in
// [-2^q, 2^q) for q = outputPrecision, the precision the outputs are encoded at (1..31).
Napi::Value lookup(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheLookup";
  expectArgumentCount(info, kName, 8);
  Napi::Env env = info.Env();
  auto keys = keysArgument<EvaluationKeys>(info, 0, kName);
  const TfheParameters& params = keys->parameters;
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  const std::size_t tableCount = sizeArgument(info, 4, kName, "tableCount", 1, kMaxElements);
  const int precision = lookupInputPrecisionArgument(info, 5, kName, params);
  const int outputPrecision = encodingPrecisionArgument(info, 7, kName, "outputPrecision");
  const std::size_t entries = std::size_t{1} << precision;
  auto inputs = std::make_shared<LweCiphertextBatch>(
      batchArgument(info, 1, kName, "ciphertexts", count, params.bigLweDimension()));
  auto tablesArray = typedArrayArgument<int32_t>(info, 3, kName, "tables",
                                                 checkedProduct(env, tableCount, entries, kName, "the tables"));
  checkEncodable(env, kName, "tables", tablesArray.Data(), tableCount * entries, outputPrecision,
                 " of output precision " + std::to_string(outputPrecision));
  auto tables = std::make_shared<std::vector<int64_t>>(tablesArray.Data(), tablesArray.Data() + tableCount * entries);
  auto jobs = std::make_shared<std::vector<tfhe::LookupJob>>(lookupJobsArgument(info, 6, kName, count, tableCount));
  checkedProduct(env, jobs->size(), params.bigLweDimension() + 1, kName, "the output words");
  return resolveBatchAsync(env, [=] {
    return tfhe::applyLookupTables(*keys, *inputs, tables->data(), tableCount, precision, outputPrecision, *jobs);
  });
}

// tfheKeyswitch(evaluationKeys, ciphertexts, count): Promise<BigUint64Array> of small-key
// ciphertexts (n + 1 words each); for benchmarks and noise measurements.
Napi::Value keyswitch(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheKeyswitch";
  expectArgumentCount(info, kName, 3);
  auto keys = keysArgument<EvaluationKeys>(info, 0, kName);
  const std::size_t count = sizeArgument(info, 2, kName, "count", 0, kMaxElements);
  auto inputs = std::make_shared<LweCiphertextBatch>(
      batchArgument(info, 1, kName, "ciphertexts", count, keys->parameters.bigLweDimension()));
  return resolveBatchAsync(info.Env(), [=] { return tfhe::keyswitchLweBatch(keys->keyswitchKey, *inputs); });
}

// --- linear operations (on any dimension; no key needed) -------------------------------------

// tfheAdd / tfheSubtract(a, b, count, lweDimension): BigUint64Array
template <bool kSubtract>
Napi::Value addOrSubtract(const Napi::CallbackInfo& info) {
  const char* name = kSubtract ? "tfheSubtract" : "tfheAdd";
  expectArgumentCount(info, name, 4);
  const BatchShape shape = shapeArguments(info, 2, name);
  auto a = batchArgument(info, 0, name, "a", shape.count, shape.dimension);
  auto b = batchArgument(info, 1, name, "b", shape.count, shape.dimension);
  if (kSubtract) tfhe::subtractLweBatches(a, b, a);
  else tfhe::addLweBatches(a, b, a);
  return toJs(info.Env(), a);
}

// tfheNegate(a, count, lweDimension): BigUint64Array
Napi::Value negate(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheNegate";
  expectArgumentCount(info, kName, 3);
  const BatchShape shape = shapeArguments(info, 1, kName);
  auto a = batchArgument(info, 0, kName, "a", shape.count, shape.dimension);
  tfhe::negateLweBatch(a, a);
  return toJs(info.Env(), a);
}

// tfheMultiplyByIntegers(a, count, lweDimension, factors: Int32Array (one per ciphertext))
Napi::Value multiplyByIntegers(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheMultiplyByIntegers";
  expectArgumentCount(info, kName, 4);
  const BatchShape shape = shapeArguments(info, 1, kName);
  auto a = batchArgument(info, 0, kName, "a", shape.count, shape.dimension);
  auto factors = typedArrayArgument<int32_t>(info, 3, kName, "factors", shape.count);
  const std::vector<int64_t> wide(factors.Data(), factors.Data() + shape.count);
  tfhe::multiplyLweBatchByIntegers(a, wide.data());
  return toJs(info.Env(), a);
}

// tfheAddConstants(a, count, lweDimension, constants: Int32Array, precision): adds each
// constant, encoded at `precision`, to the matching ciphertext.
Napi::Value addConstants(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheAddConstants";
  expectArgumentCount(info, kName, 5);
  const BatchShape shape = shapeArguments(info, 1, kName);
  const int precision = encodingPrecisionArgument(info, 4, kName, "precision");
  auto a = batchArgument(info, 0, kName, "a", shape.count, shape.dimension);
  auto constants = typedArrayArgument<int32_t>(info, 3, kName, "constants", shape.count);
  std::vector<uint64_t> plaintexts(shape.count);
  for (std::size_t i = 0; i < shape.count; ++i) plaintexts[i] = tfhe::encodeMessage(constants.Data()[i], precision);
  tfhe::addPlaintextsToLweBatch(a, plaintexts.data());
  return toJs(info.Env(), a);
}

// tfheDotProduct(a, count, lweDimension, weights: Int32Array (outputCount x count),
//                outputCount): Promise<BigUint64Array> of outputCount ciphertexts.
Napi::Value dotProduct(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheDotProduct";
  expectArgumentCount(info, kName, 5);
  Napi::Env env = info.Env();
  const BatchShape shape = shapeArguments(info, 1, kName);
  const std::size_t outputCount = sizeArgument(info, 4, kName, "outputCount", 0, kMaxElements);
  checkedProduct(env, outputCount, shape.dimension + 1, kName, "the output words");
  auto in = std::make_shared<LweCiphertextBatch>(batchArgument(info, 0, kName, "a", shape.count, shape.dimension));
  auto weightsArray = typedArrayArgument<int32_t>(info, 3, kName, "weights",
                                                  checkedProduct(env, outputCount, shape.count, kName, "the weights"));
  auto weights = std::make_shared<std::vector<int32_t>>(weightsArray.Data(), weightsArray.Data() + outputCount * shape.count);
  return resolveBatchAsync(env, [=] {
    LweCiphertextBatch out(outputCount, in->lweDimension());
    tfhe::lweDotProduct(*in, weights->data(), outputCount, out);
    return out;
  });
}

// tfheMeasureFourier(polynomialSize, repetitions): Promise<{ forwardMicroseconds,
// backwardMicroseconds, roundTripsExact }>: processor time per transform with the kernels in
// use, for benchmarks to report the FFT's share. roundTripsExact: every timed backward
// transform gave the input back exactly.
//
// The transforms timed are the blind rotation's own (forwardReal from decomposition digits,
// backwardAddToTorus) on cache-line-aligned buffers like its workspace's. Time is the worker
// thread's CPU time, taken as the fastest of several blocks of repetitions: on a shared machine
// a block that another process disturbed (evicted caches, a migration) only loses the minimum.
// The backward transform leaves its input as unnormalised scratch (transforming that again
// grows the values to infinities after 140 to 340 repetitions), so each timed backward
// transform gets a fresh spectrum from a forward one: backward = fastest (forward + backward)
// block minus fastest forward block.
Napi::Value measureFourier(const Napi::CallbackInfo& info) {
  constexpr const char* kName = "tfheMeasureFourier";
  expectArgumentCount(info, kName, 2);
  const std::size_t size = sizeArgument(info, 0, kName, "polynomialSize", TfheParameters::kMinPolynomialSize,
                                        TfheParameters::kMaxPolynomialSize);
  if (size & (size - 1)) throwRangeError(info.Env(), std::string(kName) + ": polynomialSize must be a power of two");
  const std::size_t repetitions = sizeArgument(info, 1, kName, "repetitions", 1, 1000000);
  struct Timing {
    double forward = 0, backward = 0;
    bool exact = false;
  };
  auto timing = std::make_shared<Timing>();
  return PromiseWorker::start(
      info.Env(),
      [=] {
        const tfhe::FourierTables& tables = tfhe::fourierTables(size);
        const tfhe::FourierKernels& kernels = tfhe::fourierKernels();
        // Digit-sized coefficients (|x| <= 2048, as a decomposition makes), whose round trip
        // through doubles is exact.
        tfhe::CacheAlignedVector<double> digits(size), spectrum(size);
        for (std::size_t i = 0; i < size; ++i) digits[i] = static_cast<double>(i * 2654435761u % 4096) - 2048.0;
        tfhe::CacheAlignedVector<uint64_t> output(size, 0);
        const std::size_t blocks = std::min<std::size_t>(16, repetitions);
        double fastestForward = INFINITY, fastestPair = INFINITY;
        std::size_t backwardCount = 0;
        for (std::size_t block = 0; block < blocks; ++block) {
          // Repetitions spread over the blocks; each block times at least one transform.
          const std::size_t count = repetitions / blocks + (block < repetitions % blocks ? 1 : 0);
          double start = threadCpuMicroseconds();
          for (std::size_t r = 0; r < count; ++r) kernels.forwardReal(tables, digits.data(), spectrum.data());
          fastestForward = std::min(fastestForward, (threadCpuMicroseconds() - start) / count);
          start = threadCpuMicroseconds();
          for (std::size_t r = 0; r < count; ++r) {
            kernels.forwardReal(tables, digits.data(), spectrum.data());
            kernels.backwardAddToTorus(tables, spectrum.data(), output.data());
          }
          fastestPair = std::min(fastestPair, (threadCpuMicroseconds() - start) / count);
          backwardCount += count;
        }
        timing->forward = fastestForward;
        timing->backward = std::max(0.0, fastestPair - fastestForward);
        timing->exact = true;
        for (std::size_t i = 0; i < size; ++i) {
          const uint64_t expected = static_cast<uint64_t>(static_cast<int64_t>(digits[i])) * backwardCount;
          timing->exact = timing->exact && output[i] == expected;
        }
      },
      [=](Napi::Env env, Napi::Array) -> Napi::Value {
        Napi::Object result = Napi::Object::New(env);
        result.Set("forwardMicroseconds", timing->forward);
        result.Set("backwardMicroseconds", timing->backward);
        result.Set("roundTripsExact", timing->exact);
        return result;
      });
}

}  // namespace

void registerTfhe(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> functions[] = {
      {"tfheEncrypt", encrypt},
      {"tfheDecrypt", decrypt},
      {"tfheDecryptPhases", decryptPhases},
      {"tfheLookup", lookup},
      {"tfheKeyswitch", keyswitch},
      {"tfheAdd", addOrSubtract<false>},
      {"tfheSubtract", addOrSubtract<true>},
      {"tfheNegate", negate},
      {"tfheMultiplyByIntegers", multiplyByIntegers},
      {"tfheAddConstants", addConstants},
      {"tfheDotProduct", dotProduct},
      {"tfheMeasureFourier", measureFourier},
  };
  for (const auto& [name, callback] : functions) exports.Set(name, Napi::Function::New(env, callback, name));
}

}  // namespace cq::addon
