// Parameters, LWE encryption, linear operations and the keyswitch key's kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../tfhe/csprng/random_generator.h"
#include "../tfhe/decomposition.h"
#include "../tfhe/lwe_encryption.h"
#include "../tfhe/lwe_linear_algebra.h"
#include "../tfhe/named_parameters.h"
#include "../tfhe/secret_keys.h"

namespace cq::tfhe {
namespace {

TEST(TfheParameters, AcceptsTheNamedSets) {
  EXPECT_EQ(tuniform22Pfail2m128().bigLweDimension(), 2048u);
  EXPECT_EQ(tuniform11Pfail2m128().bigLweDimension(), 2048u);
  EXPECT_EQ(tuniform33Pfail2m128().maxPrecision(), 12);
}

TEST(TfheParameters, RejectsInvalidFields) {
  const auto tu = NoiseDistribution::tuniform(10);
  const auto cb = ModulusSwitchKind::CenteredBinary;
  EXPECT_THROW(makeParameters(0, 1, 2048, 23, 1, 4, 4, tu, tu, cb), std::invalid_argument);       // n = 0
  EXPECT_THROW(makeParameters(918, 0, 2048, 23, 1, 4, 4, tu, tu, cb), std::invalid_argument);     // k = 0
  EXPECT_THROW(makeParameters(918, 1, 2000, 23, 1, 4, 4, tu, tu, cb), std::invalid_argument);     // not 2^x
  EXPECT_THROW(makeParameters(918, 1, 128, 23, 1, 4, 4, tu, tu, cb), std::invalid_argument);      // below 256
  EXPECT_THROW(makeParameters(918, 1, 131072, 23, 1, 4, 4, tu, tu, cb), std::invalid_argument);   // above 65536
  EXPECT_THROW(makeParameters(918, 1, 2048, 23, 3, 4, 4, tu, tu, cb), std::invalid_argument);     // 69 bits
  EXPECT_THROW(makeParameters(918, 1, 2048, 23, 1, 13, 5, tu, tu, cb), std::invalid_argument);    // 65 bits
  EXPECT_THROW(makeParameters(918, 1, 2048, 0, 1, 4, 4, tu, tu, cb), std::invalid_argument);      // base 0
  EXPECT_THROW(makeParameters(918, 1, 2048, 23, 0, 4, 4, tu, tu, cb), std::invalid_argument);     // level 0
  EXPECT_THROW(makeParameters(918, 1, 2048, 23, 1, 4, 4, NoiseDistribution::tuniform(63), tu, cb),
               std::invalid_argument);
  EXPECT_THROW(makeParameters(918, 1, 2048, 23, 1, 4, 4, tu, NoiseDistribution::gaussian(0), cb), std::invalid_argument);
  EXPECT_NO_THROW(makeParameters(918, 1, 2048, 32, 2, 4, 16, tu, tu, cb));  // exactly 64 bits
}

TEST(Encoding, RoundTripsEverySignedMessageWithNoise) {
  for (int precision = 1; precision <= 8; ++precision) {
    const int64_t limit = int64_t{1} << precision;
    const uint64_t quarterBox = uint64_t{1} << (61 - precision);
    for (int64_t m = -limit; m < limit; ++m) {
      EXPECT_EQ(decodeMessage(encodeMessage(m, precision), precision), m);
      EXPECT_EQ(decodeMessage(encodeMessage(m, precision) + quarterBox, precision), m);
      EXPECT_EQ(decodeMessage(encodeMessage(m, precision) - quarterBox, precision), m);
    }
  }
}

TEST(Decomposition, RecomposesToTheRoundedValue) {
  RandomGenerator random(insecureFixedSeedForTests(20));
  for (DecompositionParameters d : {DecompositionParameters{23, 1}, {4, 4}, {15, 2}, {3, 7}, {8, 8}, {63, 1}}) {
    const int totalBits = d.baseLog * d.level;
    for (int trial = 0; trial < 1000; ++trial) {
      const uint64_t x = random.nextU64();
      int64_t digits[64];
      decompose(x, d, digits, 1);
      uint64_t recomposed = 0;
      for (int j = 0; j < d.level; ++j) {
        EXPECT_GE(digits[j], -(int64_t{1} << (d.baseLog - 1)));
        EXPECT_LT(digits[j], int64_t{1} << (d.baseLog - 1));
        recomposed += static_cast<uint64_t>(digits[j]) * gadgetFactor(d, j);
      }
      // The error is the rounding to the closest multiple of 2^(64 - totalBits).
      const double error = static_cast<double>(static_cast<int64_t>(x - recomposed));
      EXPECT_LE(std::fabs(error), totalBits >= 64 ? 0.0 : std::ldexp(1.0, 63 - totalBits));
    }
  }
}

TEST(Decomposition, PolynomialToRealMatchesTheScalarDigits) {
  RandomGenerator random(insecureFixedSeedForTests(25));
  const std::size_t n = 512;
  std::vector<uint64_t> polynomial(n), state(n);
  random.fillU64(polynomial.data(), n);
  for (DecompositionParameters d : {DecompositionParameters{23, 1}, {15, 2}, {4, 4}, {11, 3}}) {
    std::vector<int64_t> digits(d.level * n);
    std::vector<double> real(d.level * n);
    decomposePolynomial(polynomial.data(), n, d, digits.data());
    decomposePolynomialToReal(polynomial.data(), n, d, state.data(), real.data());
    for (std::size_t i = 0; i < digits.size(); ++i) ASSERT_EQ(static_cast<double>(digits[i]), real[i]) << i;
  }
}

TEST(LweEncryption, DecryptsEveryMessageAndNoiseHasTheRightSpread) {
  RandomGenerator random(insecureFixedSeedForTests(21));
  LweSecretKey key(918);
  generateLweSecretKey(key, random);
  const auto noise = NoiseDistribution::tuniform(45);
  const int precision = 4;
  std::vector<uint64_t> plaintexts;
  for (int m = -16; m < 16; ++m) plaintexts.push_back(encodeMessage(m, precision));
  const int repeats = 100;
  double sumSquares = 0;
  for (int r = 0; r < repeats; ++r) {
    auto batch = encryptLweBatch(key.view(), plaintexts.data(), plaintexts.size(), noise, random);
    std::vector<uint64_t> phases(batch.count());
    decryptLweBatchPhases(key.view(), batch, phases.data());
    for (std::size_t i = 0; i < phases.size(); ++i) {
      EXPECT_EQ(decodeMessage(phases[i], precision), static_cast<int64_t>(i) - 16);
      const double error = static_cast<double>(static_cast<int64_t>(phases[i] - plaintexts[i]));
      sumSquares += error * error;
    }
  }
  const double measured = sumSquares / (repeats * plaintexts.size()) * std::ldexp(1.0, -128);
  EXPECT_NEAR(measured / noise.variance(), 1.0, 0.1);
}

TEST(LweEncryption, SecretKeyBitsAreBinaryAndBalanced) {
  RandomGenerator random(insecureFixedSeedForTests(22));
  LweSecretKey key(10000);
  generateLweSecretKey(key, random);
  std::size_t ones = 0;
  for (std::size_t i = 0; i < key.dimension(); ++i) {
    ASSERT_LE(key.bits()[i], 1u);
    ones += key.bits()[i];
  }
  EXPECT_NEAR(static_cast<double>(ones), 5000, 300);
}

class LweLinearAlgebra : public ::testing::Test {
 protected:
  static constexpr int kPrecision = 6;
  RandomGenerator random{insecureFixedSeedForTests(23)};
  LweSecretKey key{700};
  NoiseDistribution noise = NoiseDistribution::tuniform(20);
  void SetUp() override { generateLweSecretKey(key, random); }

  LweCiphertextBatch encrypt(const std::vector<int64_t>& messages) {
    std::vector<uint64_t> plaintexts;
    for (int64_t m : messages) plaintexts.push_back(encodeMessage(m, kPrecision));
    return encryptLweBatch(key.view(), plaintexts.data(), plaintexts.size(), noise, random);
  }
  std::vector<int64_t> decrypt(const LweCiphertextBatch& batch) {
    std::vector<uint64_t> phases(batch.count());
    decryptLweBatchPhases(key.view(), batch, phases.data());
    std::vector<int64_t> messages;
    for (uint64_t phase : phases) messages.push_back(decodeMessage(phase, kPrecision));
    return messages;
  }
};

TEST_F(LweLinearAlgebra, ElementwiseOperationsFollowTheMessages) {
  const std::vector<int64_t> a = {0, 5, -7, 31, -32, 12}, b = {3, -5, 20, -31, 10, 1};
  auto ca = encrypt(a), cb = encrypt(b);
  LweCiphertextBatch out(a.size(), key.dimension());
  addLweBatches(ca, cb, out);
  EXPECT_EQ(decrypt(out), (std::vector<int64_t>{3, 0, 13, 0, -22, 13}));
  subtractLweBatches(ca, cb, out);
  EXPECT_EQ(decrypt(out), (std::vector<int64_t>{-3, 10, -27, 62, -42, 11}));
  negateLweBatch(ca, out);
  EXPECT_EQ(decrypt(out), (std::vector<int64_t>{0, -5, 7, -31, 32, -12}));
  // Precision 6 with its padding bit holds 7-bit signed values: 40 + 30 wraps to 70 - 128.
  auto big = encrypt({40}), alsoBig = encrypt({30});
  LweCiphertextBatch sum(1, key.dimension());
  addLweBatches(big, alsoBig, sum);
  EXPECT_EQ(decrypt(sum), (std::vector<int64_t>{-58}));
  const std::vector<int64_t> factors = {7, -3, 2, 1, 0, -2};
  multiplyLweBatchByIntegers(ca, factors.data());
  EXPECT_EQ(decrypt(ca), (std::vector<int64_t>{0, -15, -14, 31, 0, -24}));
  std::vector<uint64_t> constants;
  for (int64_t c : {1, 2, 3, -4, 5, 6}) constants.push_back(encodeMessage(c, kPrecision));
  addPlaintextsToLweBatch(ca, constants.data());
  EXPECT_EQ(decrypt(ca), (std::vector<int64_t>{1, -13, -11, 27, 5, -18}));
}

TEST_F(LweLinearAlgebra, DotProductMatchesTheClearProduct) {
  const std::size_t inputs = 9, outputs = 6;
  std::vector<int64_t> messages;
  for (std::size_t i = 0; i < inputs; ++i) messages.push_back(static_cast<int64_t>(i % 5) - 2);
  std::vector<int32_t> weights(outputs * inputs);
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<int32_t>(random.nextU64() % 7) - 3;
  auto in = encrypt(messages);
  LweCiphertextBatch out(outputs, key.dimension());
  lweDotProduct(in, weights.data(), outputs, out);
  std::vector<int64_t> expected;
  for (std::size_t o = 0; o < outputs; ++o) {
    int64_t sum = 0;
    for (std::size_t i = 0; i < inputs; ++i) sum += weights[o * inputs + i] * messages[i];
    sum = ((sum % 128) + 128 + 64) % 128 - 64;  // the 7-bit signed range of precision 6
    expected.push_back(sum);
  }
  EXPECT_EQ(decrypt(out), expected);
}

TEST(AccumulateScaled, ScalarAndAvx2AgreeExactly) {
  if (!(detectCpuFeatures().avx2 && detectCpuFeatures().fma)) GTEST_SKIP() << "no AVX2";
  RandomGenerator random(insecureFixedSeedForTests(24));
  for (int64_t factor : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{7}, int64_t{-8}, int64_t{2147483647},
                         int64_t{-2147483648LL}, int64_t{4294967295LL}, int64_t{1} << 40, -(int64_t{1} << 50)}) {
    for (std::size_t size : {1, 4, 919, 2049}) {
      std::vector<uint64_t> values(size), a(size), b(size);
      random.fillU64(values.data(), size);
      random.fillU64(a.data(), size);
      b = a;
      accumulateScaledScalar(a.data(), values.data(), factor, size);
      accumulateScaledAvx2(b.data(), values.data(), factor, size);
      EXPECT_EQ(a, b) << "factor " << factor << " size " << size;
      EXPECT_EQ(a[0], b[0]);
    }
  }
}

}  // namespace
}  // namespace cq::tfhe
