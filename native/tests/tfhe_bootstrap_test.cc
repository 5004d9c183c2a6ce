// Keyswitch, modulus switch, external product and programmable bootstrap: exact on every
// message, on both FFT code paths, with the fast insecure TEST set and the real 2_2 set.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../tfhe/bootstrap_key_generation.h"
#include "../tfhe/decomposition.h"
#include "../tfhe/glwe_encryption.h"
#include "../tfhe/key_generation.h"
#include "../tfhe/keyswitch.h"
#include "../tfhe/lwe_encryption.h"
#include "../tfhe/modulus_switch.h"
#include "../tfhe/named_parameters.h"
#include "../tfhe/programmable_bootstrap.h"

namespace cq::tfhe {
namespace {

struct KeyPair {
  std::unique_ptr<ClientKey> client;
  std::unique_ptr<EvaluationKeys> evaluation;
};

KeyPair makeKeys(const TfheParameters& params, uint64_t seed) {
  KeyPair keys;
  keys.client = generateClientKey(params, insecureFixedSeedForTests(seed));
  keys.evaluation = generateEvaluationKeys(*keys.client, insecureFixedSeedForTests(seed + 1));
  return keys;
}

LweCiphertextBatch encryptMessages(const ClientKey& key, const std::vector<int64_t>& messages, int precision,
                                   RandomGenerator& random) {
  std::vector<uint64_t> plaintexts;
  for (int64_t m : messages) plaintexts.push_back(encodeMessage(m, precision));
  return encryptLweBatch(key.glweKey.asLweKey(), plaintexts.data(), plaintexts.size(), key.parameters.glweNoise(),
                         random);
}

std::vector<int64_t> decryptMessages(const ClientKey& key, const LweCiphertextBatch& batch, int precision) {
  std::vector<uint64_t> phases(batch.count());
  decryptLweBatchPhases(key.glweKey.asLweKey(), batch, phases.data());
  std::vector<int64_t> messages;
  for (uint64_t phase : phases) messages.push_back(decodeMessage(phase, precision));
  return messages;
}

double torusError(uint64_t got, uint64_t expected) {
  return std::ldexp(static_cast<double>(static_cast<int64_t>(got - expected)), -64);
}

// The tables every precision goes through.
std::vector<std::pair<const char*, std::function<int64_t(int64_t, int)>>> namedTables() {
  return {
      {"identity", [](int64_t m, int) { return m; }},
      {"negation", [](int64_t m, int) { return -m; }},
      {"relu of the p-bit two's complement value",
       [](int64_t m, int p) {
         const int64_t value = m >= (int64_t{1} << (p - 1)) ? m - (int64_t{1} << p) : m;
         return value > 0 ? value : 0;
       }},
  };
}

TEST(Keyswitch, KeepsTheMessageAndAddsTheModelsNoise) {
  const TfheParameters params = tuniform22Pfail2m128();
  auto client = generateClientKey(params, insecureFixedSeedForTests(30));
  // The storage the evaluation keys use for this set (Compact32): its rounding must not show.
  ASSERT_EQ(keyswitchKeyStorageFor(params), KeyswitchKeyStorage::Compact32);
  KeyswitchKey ksk(params.bigLweDimension(), params.lweDimension(), params.keyswitchDecomposition(),
                   keyswitchKeyStorageFor(params));
  generateKeyswitchKey(client->glweKey.asLweKey(), client->lweKey.view(), params.lweNoise(), insecureFixedSeedForTests(31),
                       ksk);
  RandomGenerator random(insecureFixedSeedForTests(32));
  const int precision = 4, repeats = 64;
  std::vector<int64_t> messages;
  for (int r = 0; r < repeats; ++r) {
    for (int64_t m = 0; m < 16; ++m) messages.push_back(m);
  }
  auto big = encryptMessages(*client, messages, precision, random);
  auto small = keyswitchLweBatch(ksk, big);
  ASSERT_EQ(small.lweDimension(), params.lweDimension());
  double sumSquares = 0;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const uint64_t phase = decryptLwePhase(client->lweKey.view(), small.ciphertext(i));
    EXPECT_EQ(decodeMessage(phase, precision), messages[i]);
    const double error = torusError(phase, encodeMessage(messages[i], precision));
    sumSquares += error * error;
  }
  // tfhe.md: s2_KS = kN [ (2^(-2 B l) / 12 - q^-2 / 12) / 2 + q^-2 / 16 + l s2_ksk (B^2 + 2) / 12 ],
  // plus the input's own (tiny) GLWE noise.
  const double base = 16, level = 4, kN = 2048;
  const double predicted = kN * ((std::pow(2.0, -2 * 4 * 4) / 12) / 2 +
                                 level * params.lweNoise().variance() * (base * base + 2) / 12) +
                           params.glweNoise().variance();
  const double measured = sumSquares / messages.size();
  // 1024 samples: the sample variance's relative std is ~sqrt(2/1024) = 4.4%.
  EXPECT_NEAR(measured / predicted, 1.0, 0.15) << "log2 measured " << std::log2(measured) << " predicted "
                                              << std::log2(predicted);
}

// Keyswitching is integer arithmetic: both code paths, single and grouped, give exactly the
// words of the definition applied to the stored key, for both storages, level counts that split
// into the AVX2 kernels' sweeps, an output length with a scalar tail, and base logs up to and
// beyond the 32-bit multiplies.
TEST(Keyswitch, BothCodePathsGiveTheDefinitionsWords) {
  RandomGenerator random(insecureFixedSeedForTests(33));
  const std::size_t inputDimension = 50, outputDimension = 77;
  const DecompositionParameters decompositions[] = {{4, 4}, {5, 3}, {3, 7}, {2, 9}, {31, 2}, {32, 2}, {40, 1}};
  std::vector<const KeyswitchKernels*> kernels = {&kScalarKeyswitchKernels};
  if (detectCpuFeatures().avx2 && detectCpuFeatures().fma) kernels.push_back(&kAvx2KeyswitchKernels);
  for (const KeyswitchKeyStorage storage : {KeyswitchKeyStorage::Full, KeyswitchKeyStorage::Compact32}) {
    for (const DecompositionParameters decomposition : decompositions) {
      KeyswitchKey key(inputDimension, outputDimension, decomposition, storage);
      std::vector<uint64_t> row(outputDimension + 1);
      for (std::size_t i = 0; i < inputDimension; ++i) {
        for (int j = 0; j < decomposition.level; ++j) {
          random.fillU64(row.data(), row.size());
          key.setCiphertext(i, static_cast<std::size_t>(j), row.data());
        }
      }
      std::vector<std::vector<uint64_t>> inputs(3, std::vector<uint64_t>(inputDimension + 1));
      for (auto& input : inputs) random.fillU64(input.data(), input.size());
      inputs[1][0] = uint64_t{1} << 63;  // digits at the extremes
      inputs[1][1] = ~uint64_t{0};
      const std::string where = std::string(storage == KeyswitchKeyStorage::Full ? "full" : "compact") + " base log " +
                                std::to_string(decomposition.baseLog) + " level " + std::to_string(decomposition.level);
      for (const auto& input : inputs) {
        std::vector<uint64_t> expected(outputDimension + 1, 0);
        expected[outputDimension] = input[inputDimension];
        int64_t digits[64];
        for (std::size_t i = 0; i < inputDimension; ++i) {
          decompose(input[i], decomposition, digits, 1);
          for (int j = 0; j < decomposition.level; ++j) {
            key.readCiphertext(i, static_cast<std::size_t>(j), row.data());
            for (std::size_t w = 0; w <= outputDimension; ++w) expected[w] -= static_cast<uint64_t>(digits[j]) * row[w];
          }
        }
        for (const KeyswitchKernels* path : kernels) {
          std::vector<uint64_t> got(outputDimension + 1);
          keyswitchLwe(key, input.data(), got.data(), *path);
          EXPECT_EQ(got, expected) << where;
        }
      }
      for (const KeyswitchKernels* path : kernels) {
        std::vector<std::vector<uint64_t>> outputs(3, std::vector<uint64_t>(outputDimension + 1));
        const uint64_t* in[3] = {inputs[0].data(), inputs[1].data(), inputs[2].data()};
        uint64_t* out[3] = {outputs[0].data(), outputs[1].data(), outputs[2].data()};
        keyswitchLweGroup(key, in, out, 3, *path);
        for (std::size_t g = 0; g < 3; ++g) {
          std::vector<uint64_t> single(outputDimension + 1);
          keyswitchLwe(key, inputs[g].data(), single.data(), kScalarKeyswitchKernels);
          EXPECT_EQ(outputs[g], single) << "grouped, " << where;
        }
      }
    }
  }
}

// Compact32 keeps each word rounded to the nearest multiple of 2^32 (ties up); the named sets
// use it, the INSECURE test set (whose tiny key noise the rounding would swamp) keeps 64 bits.
TEST(Keyswitch, CompactStorageRoundsToTheNearestMultipleOf2To32) {
  KeyswitchKey key(1, 6, {4, 4}, KeyswitchKeyStorage::Compact32);
  const uint64_t words[7] = {0, (uint64_t{1} << 31) - 1, uint64_t{1} << 31, (uint64_t{5} << 32) + 7,
                             ~uint64_t{0}, (uint64_t{3} << 32) - 1, 0x8000000080000000};
  key.setCiphertext(0, 1, words);
  uint64_t stored[7];
  key.readCiphertext(0, 1, stored);
  const uint64_t expected[7] = {0, 0, uint64_t{1} << 32, uint64_t{5} << 32, 0, uint64_t{3} << 32,
                                0x8000000100000000};
  for (int w = 0; w < 7; ++w) EXPECT_EQ(stored[w], expected[w]) << "word " << w;
  EXPECT_EQ(key.sizeInBytes(), 4u * 4 * 7);
  EXPECT_EQ(keyswitchKeyStorageFor(tuniform22Pfail2m128()), KeyswitchKeyStorage::Compact32);
  EXPECT_EQ(keyswitchKeyStorageFor(tuniform11Pfail2m128()), KeyswitchKeyStorage::Compact32);
  EXPECT_EQ(keyswitchKeyStorageFor(tuniform33Pfail2m128()), KeyswitchKeyStorage::Compact32);
  EXPECT_EQ(keyswitchKeyStorageFor(insecureTestParameters()), KeyswitchKeyStorage::Full);
}

// Phase after the switch (modulo 2N) minus the exact phase scaled to 2N, in steps.
double switchedPhaseError(const uint32_t* switched, const LweSecretKey& key, uint64_t exactPhase, std::size_t n,
                          std::size_t polynomialSize) {
  const std::size_t twoN = 2 * polynomialSize;
  int64_t phase = switched[n];
  for (std::size_t i = 0; i < n; ++i) phase -= static_cast<int64_t>(switched[i] * key.bits()[i]);
  phase %= static_cast<int64_t>(twoN);
  const double exact = std::ldexp(static_cast<double>(exactPhase), -64) * twoN;
  double error = static_cast<double>(phase) - exact;
  error -= std::round(error / twoN) * twoN;
  return error;
}

TEST(ModulusSwitch, CenteredVariantHalvesTheKeyDependentVariance) {
  const std::size_t n = 918, polynomialSize = 2048;
  RandomGenerator random(insecureFixedSeedForTests(33));
  LweSecretKey key(n);
  generateLweSecretKey(key, random);
  const int samples = 4000;
  double standardMean = 0, standardSquares = 0, centeredMean = 0, centeredSquares = 0;
  std::vector<uint64_t> ciphertext(n + 1);
  std::vector<uint32_t> switched(n + 1);
  for (int s = 0; s < samples; ++s) {
    const uint64_t plaintext = random.nextU64();
    encryptLwe(key.view(), plaintext, NoiseDistribution::tuniform(0), random, ciphertext.data());
    const uint64_t exactPhase = decryptLwePhase(key.view(), ciphertext.data());
    modulusSwitchStandard(ciphertext.data(), n, polynomialSize, switched.data());
    const double standard = switchedPhaseError(switched.data(), key, exactPhase, n, polynomialSize);
    modulusSwitchCenteredBinary(ciphertext.data(), n, polynomialSize, switched.data());
    // Undo the deliberate half-step shift to compare the spread around the true phase.
    const double centered = switchedPhaseError(switched.data(), key, exactPhase, n, polynomialSize) + 0.5;
    standardMean += standard;
    standardSquares += standard * standard;
    centeredMean += centered;
    centeredSquares += centered * centered;
  }
  standardMean /= samples;
  centeredMean /= samples;
  const double standardVariance = standardSquares / samples - standardMean * standardMean;
  const double centeredVariance = centeredSquares / samples - centeredMean * centeredMean;
  // In steps^2: standard 1/12 + n/24 (+ the key's own imbalance), centered 1/12 + n/48.
  double weight = 0;
  for (std::size_t i = 0; i < n; ++i) weight += static_cast<double>(key.bits()[i]);
  EXPECT_NEAR(standardVariance / (1.0 / 12 + weight / 12), 1.0, 0.1);
  EXPECT_NEAR(centeredVariance / (1.0 / 12 + n / 48.0), 1.0, 0.1);
  EXPECT_NEAR(centeredMean, 0.0, 0.1);
  EXPECT_NEAR(standardMean, 0.0, 0.5);
}

TEST(ExternalProduct, MultipliesThePhaseByTheEncryptedBit) {
  const TfheParameters params = insecureTestParameters();
  const std::size_t k = params.glweDimension(), n = params.polynomialSize();
  RandomGenerator random(insecureFixedSeedForTests(34));
  GlweSecretKey key(k, n);
  generateGlweSecretKey(key, random);
  FourierBootstrapKey ggsws(2, k, n, params.bootstrapDecomposition());
  LweSecretKey bits(2);
  bits.bits()[0] = 0;
  bits.bits()[1] = 1;
  generateFourierBootstrapKey(bits.view(), key, params.glweNoise(), insecureFixedSeedForTests(35), ggsws);
  std::vector<uint64_t> message(n), glwe((k + 1) * n), phase(n);
  for (std::size_t j = 0; j < n; ++j) message[j] = encodeMessage(static_cast<int64_t>(j % 16), 4);
  encryptGlwe(key, message.data(), params.glweNoise(), random, glwe.data());
  BlindRotationWorkspace workspace(k, n, params.bootstrapDecomposition().level);
  for (std::size_t bit = 0; bit < 2; ++bit) {
    std::vector<uint64_t> out((k + 1) * n, 0);
    externalProductAdd(ggsws, bit, glwe.data(), out.data(), workspace);
    decryptGlwePhase(key, out.data(), phase.data());
    for (std::size_t j = 0; j < n; ++j) {
      ASSERT_EQ(decodeMessage(phase[j], 4), bit ? static_cast<int64_t>(j % 16) : 0) << "bit " << bit << " j " << j;
    }
  }
}

TEST(LookupTablePolynomial, PlacesEachEntryInItsHalfBoxOffsetBox) {
  const std::vector<int64_t> table = {3, -1, 0, 2};
  const auto polynomial = lookupTablePolynomial(table.data(), 2, 256);
  // Boxes of 64 coefficients centred on 0, 64, 128, 192; the first half box of entry 0
  // (coefficients 224..255) is stored negated.
  EXPECT_EQ(polynomial[0], encodeMessage(3, 2));
  EXPECT_EQ(polynomial[31], encodeMessage(3, 2));
  EXPECT_EQ(polynomial[32], encodeMessage(-1, 2));
  EXPECT_EQ(polynomial[95], encodeMessage(-1, 2));
  EXPECT_EQ(polynomial[96], encodeMessage(0, 2));
  EXPECT_EQ(polynomial[160], encodeMessage(2, 2));
  EXPECT_EQ(polynomial[223], encodeMessage(2, 2));
  EXPECT_EQ(polynomial[224], 0 - encodeMessage(3, 2));
  EXPECT_EQ(polynomial[255], 0 - encodeMessage(3, 2));
  EXPECT_THROW(lookupTablePolynomial(table.data(), 8, 256), std::invalid_argument);
}

TEST(LookupTablePolynomial, EncodesEntriesAtTheOutputPrecisionAndBoxesAtTheInputPrecision) {
  const std::vector<int64_t> table = {700, -1000, 0, 1023};
  const auto polynomial = lookupTablePolynomial(table.data(), 2, 10, 256);
  // Boxes are those of a 2-bit input (64 coefficients); the entries are scaled by 2^(63 - 10).
  EXPECT_EQ(polynomial[0], uint64_t{700} << 53);
  EXPECT_EQ(polynomial[31], uint64_t{700} << 53);
  EXPECT_EQ(polynomial[32], static_cast<uint64_t>(int64_t{-1000}) << 53);
  EXPECT_EQ(polynomial[96], 0u);
  EXPECT_EQ(polynomial[223], uint64_t{1023} << 53);
  EXPECT_EQ(polynomial[224], 0 - (uint64_t{700} << 53));
  // Narrower outputs than inputs: a 5-bit input box layout with 1-bit outputs.
  std::vector<int64_t> wide(32);
  for (int64_t m = 0; m < 32; ++m) wide[m] = (m % 3) - 1;
  const auto narrow = lookupTablePolynomial(wide.data(), 5, 1, 256);
  for (std::size_t i = 0; i < 252; ++i) EXPECT_EQ(narrow[i], encodeMessage(wide[(i + 4) / 8], 1)) << i;
  // The same polynomial as the single-precision form when both precisions agree.
  EXPECT_EQ(lookupTablePolynomial(table.data(), 2, 2, 256), lookupTablePolynomial(table.data(), 2, 256));
  EXPECT_THROW(lookupTablePolynomial(table.data(), 2, 0, 256), std::invalid_argument);
  EXPECT_THROW(lookupTablePolynomial(table.data(), 2, kMaxOutputPrecision + 1, 256), std::invalid_argument);
  EXPECT_THROW(lookupTablePolynomial(table.data(), 8, 4, 256), std::invalid_argument);  // 2^9 > N
}

// Runs every message of each precision through the named tables and a random one, on the
// given FFT kernels, and checks the results exactly.
void expectExactLookups(const KeyPair& keys, int minPrecision, int maxPrecision, const FourierKernels& kernels,
                        uint64_t seed) {
  const TfheParameters& params = keys.client->parameters;
  RandomGenerator random(insecureFixedSeedForTests(seed));
  BlindRotationWorkspace workspace(params.glweDimension(), params.polynomialSize(),
                                   params.bootstrapDecomposition().level, kernels);
  for (int p = minPrecision; p <= maxPrecision; ++p) {
    const int64_t entries = int64_t{1} << p;
    auto tables = namedTables();
    std::vector<int64_t> randomTable(entries);
    for (auto& value : randomTable) value = static_cast<int64_t>(random.nextU64() % (2 * entries)) - entries;
    tables.push_back({"random", [&](int64_t m, int) { return randomTable[m]; }});
    std::vector<int64_t> messages(entries);
    for (int64_t m = 0; m < entries; ++m) messages[m] = m;
    auto inputs = encryptMessages(*keys.client, messages, p, random);
    for (const auto& [name, function] : tables) {
      std::vector<int64_t> table(entries);
      for (int64_t m = 0; m < entries; ++m) table[m] = function(m, p);
      const auto polynomial = lookupTablePolynomial(table.data(), p, params.polynomialSize());
      LweCiphertextBatch out(entries, params.bigLweDimension());
      for (int64_t m = 0; m < entries; ++m) {
        programmableBootstrap(*keys.evaluation, inputs.ciphertext(m), polynomial.data(), out.ciphertext(m), workspace);
      }
      EXPECT_EQ(decryptMessages(*keys.client, out, p), table) << name << " table, precision " << p;
    }
  }
}

std::vector<const FourierKernels*> availableKernels() {
  std::vector<const FourierKernels*> kernels = {&kScalarFourierKernels};
  if (detectCpuFeatures().avx2 && detectCpuFeatures().fma) kernels.push_back(&kAvx2FourierKernels);
  return kernels;
}

TEST(ProgrammableBootstrap, ExactForEveryMessageUpTo6BitsOnTheTestSet) {
  const KeyPair keys = makeKeys(insecureTestParameters(), 40);
  for (const FourierKernels* kernels : availableKernels()) expectExactLookups(keys, 1, 6, *kernels, 41);
}

TEST(ProgrammableBootstrap, ExactWithTheStandardModulusSwitch) {
  const KeyPair keys = makeKeys(insecureTestParameters(ModulusSwitchKind::Standard), 42);
  expectExactLookups(keys, 1, 5, kScalarFourierKernels, 43);
}

TEST(ProgrammableBootstrap, ExactForEvery4BitMessageOnTheDefault22Set) {
  const KeyPair keys = makeKeys(tuniform22Pfail2m128(), 44);
  for (const FourierKernels* kernels : availableKernels()) expectExactLookups(keys, 4, 4, *kernels, 45);
}

// Several ciphertexts per pass over the key give the one-at-a-time results word for word, on
// both code paths, including a CMux skipped for one ciphertext of the batch (a_i = 0).
TEST(ProgrammableBootstrap, BatchedBootstrapMatchesOneAtATimeWordForWord) {
  const TfheParameters params = insecureTestParameters();
  const KeyPair keys = makeKeys(params, 48);
  RandomGenerator random(insecureFixedSeedForTests(49));
  const int p = 3;
  const std::vector<int64_t> messages = {0, 7, 3, 5, 1};
  auto inputs = encryptMessages(*keys.client, messages, p, random);
  LweCiphertextBatch small = keyswitchLweBatch(keys.evaluation->keyswitchKey, inputs);
  small.ciphertext(2)[0] = 0;  // modulus-switches to 0: that CMux is skipped for this one only
  std::vector<int64_t> table = {3, 1, 4, 1, 5, 9, 2, 6};
  const auto first = lookupTablePolynomial(table.data(), p, params.polynomialSize());
  std::reverse(table.begin(), table.end());
  const auto second = lookupTablePolynomial(table.data(), p, params.polynomialSize());
  for (const FourierKernels* kernels : availableKernels()) {
    BlindRotationWorkspace workspace(params.glweDimension(), params.polynomialSize(),
                                     params.bootstrapDecomposition().level, *kernels);
    LweCiphertextBatch batched(messages.size(), params.bigLweDimension());
    LweCiphertextBatch single(messages.size(), params.bigLweDimension());
    std::vector<const uint64_t*> in, tables;
    std::vector<uint64_t*> out;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      in.push_back(small.ciphertext(i));
      tables.push_back(i % 2 ? second.data() : first.data());
      out.push_back(batched.ciphertext(i));
      bootstrapSmallKeyCiphertext(*keys.evaluation, small.ciphertext(i), tables.back(), single.ciphertext(i),
                                  workspace);
    }
    bootstrapSmallKeyCiphertexts(*keys.evaluation, in.data(), tables.data(), out.data(), messages.size(), workspace);
    EXPECT_EQ(batched.data(), single.data());
  }
}

TEST(ProgrammableBootstrap, BatchRunsSeveralTablesOverTheSameInputs) {
  const TfheParameters params = insecureTestParameters();
  const KeyPair keys = makeKeys(params, 46);
  RandomGenerator random(insecureFixedSeedForTests(47));
  const int p = 3;
  const std::vector<int64_t> messages = {0, 1, 2, 3, 4, 5, 6, 7, 5, 2};
  auto inputs = encryptMessages(*keys.client, messages, p, random);
  // Table t maps m to (m * (t + 1)) mod 8 - 4.
  const std::size_t tableCount = 3;
  std::vector<int64_t> tables(tableCount * 8);
  for (std::size_t t = 0; t < tableCount; ++t) {
    for (int64_t m = 0; m < 8; ++m) tables[t * 8 + m] = (m * static_cast<int64_t>(t + 1)) % 8 - 4;
  }
  std::vector<LookupJob> jobs;
  std::vector<int64_t> expected;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    for (std::size_t t = 0; t < tableCount; ++t) {
      if ((i + t) % 2 == 0) continue;  // a sparse pattern: not every input through every table
      jobs.push_back({i, t});
      expected.push_back(tables[t * 8 + messages[i]]);
    }
  }
  auto out = applyLookupTables(*keys.evaluation, inputs, tables.data(), tableCount, p, jobs);
  EXPECT_EQ(decryptMessages(*keys.client, out, p), expected);
  EXPECT_THROW(applyLookupTables(*keys.evaluation, inputs, tables.data(), tableCount, p, {{messages.size(), 0}}),
               std::invalid_argument);
  EXPECT_THROW(applyLookupTables(*keys.evaluation, inputs, tables.data(), tableCount, p, {{0, tableCount}}),
               std::invalid_argument);
}

// Lookups that read at one precision and write at another, both ways, through the batched
// entry point: every input message, tables of random entries filling the output range.
TEST(ProgrammableBootstrap, ExactWhenTheOutputPrecisionDiffersFromTheInputPrecision) {
  const TfheParameters params = insecureTestParameters();
  const KeyPair keys = makeKeys(params, 48);
  RandomGenerator random(insecureFixedSeedForTests(49));
  const std::pair<int, int> precisions[] = {{2, 9}, {3, 20}, {1, 12}, {6, 2}, {5, 1}, {4, 4}};
  for (const auto& [inputPrecision, outputPrecision] : precisions) {
    const int64_t entries = int64_t{1} << inputPrecision;
    const int64_t span = int64_t{2} << outputPrecision;
    std::vector<int64_t> messages;
    for (int64_t m = 0; m < entries; ++m) messages.push_back(m);
    auto inputs = encryptMessages(*keys.client, messages, inputPrecision, random);
    std::vector<int64_t> tables(2 * entries);
    for (auto& value : tables) value = static_cast<int64_t>(random.nextU64() % span) - span / 2;
    tables[0] = -span / 2;  // both ends of the output range
    tables[entries - 1] = span / 2 - 1;
    std::vector<LookupJob> jobs;
    std::vector<int64_t> expected;
    for (int64_t m = 0; m < entries; ++m) {
      for (std::size_t t = 0; t < 2; ++t) {
        jobs.push_back({static_cast<std::size_t>(m), t});
        expected.push_back(tables[t * entries + m]);
      }
    }
    const auto out = applyLookupTables(*keys.evaluation, inputs, tables.data(), 2, inputPrecision, outputPrecision, jobs);
    EXPECT_EQ(decryptMessages(*keys.client, out, outputPrecision), expected)
        << "input precision " << inputPrecision << ", output precision " << outputPrecision;
  }
  std::vector<int64_t> table(4, 0);
  auto one = encryptMessages(*keys.client, {0}, 2, random);
  EXPECT_THROW(applyLookupTables(*keys.evaluation, one, table.data(), 1, 2, 0, {{0, 0}}), std::invalid_argument);
  EXPECT_THROW(applyLookupTables(*keys.evaluation, one, table.data(), 1, 2, 32, {{0, 0}}), std::invalid_argument);
}

}  // namespace
}  // namespace cq::tfhe
