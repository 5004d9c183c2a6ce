// ChaCha20 against RFC 8439's published vectors, and the noise samplers' moments.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "../tfhe/csprng/chacha20.h"
#include "../tfhe/csprng/noise_samplers.h"
#include "../tfhe/csprng/random_generator.h"

namespace cq::tfhe {
namespace {

std::vector<uint8_t> fromHex(const std::string& hex) {
  std::vector<uint8_t> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

ChaCha20Key rfcKey() {  // 00 01 02 ... 1f, little-endian words
  ChaCha20Key key;
  for (int i = 0; i < 8; ++i) {
    key[i] = static_cast<uint32_t>(4 * i) | static_cast<uint32_t>(4 * i + 1) << 8 | static_cast<uint32_t>(4 * i + 2) << 16 |
             static_cast<uint32_t>(4 * i + 3) << 24;
  }
  return key;
}

// RFC 8439 section 2.3.2: nonce 00:00:00:09:00:00:00:4a:00:00:00:00, counter 1.
TEST(ChaCha20, BlockFunctionMatchesRfc8439Section232) {
  const ChaCha20Nonce nonce = {0x09000000, 0x4a000000, 0x00000000};
  uint8_t block[64];
  chacha20Block(rfcKey(), 1, nonce, block);
  const auto expected = fromHex(
      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
      "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
  EXPECT_EQ(std::vector<uint8_t>(block, block + 64), expected);
}

// RFC 8439 section 2.4.2: the "sunscreen" plaintext, nonce 00:00:00:00:00:00:00:4a:00:00:00:00,
// initial counter 1.
TEST(ChaCha20, EncryptionMatchesRfc8439Section242) {
  const std::string plaintext =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
  std::vector<uint8_t> data(plaintext.begin(), plaintext.end());
  const ChaCha20Nonce nonce = {0x00000000, 0x4a000000, 0x00000000};
  chacha20Xor(rfcKey(), 1, nonce, data.data(), data.size());
  const auto expected = fromHex(
      "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
      "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
      "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
      "5af90bbf74a35be6b40b8eedf2785e42874d");
  EXPECT_EQ(data, expected);
  chacha20Xor(rfcKey(), 1, nonce, data.data(), data.size());
  EXPECT_EQ(std::string(data.begin(), data.end()), plaintext);
}

TEST(RandomGenerator, FixedSeedIsReproducibleAndSeedsDiffer) {
  RandomGenerator a(insecureFixedSeedForTests(7)), b(insecureFixedSeedForTests(7)), c(insecureFixedSeedForTests(8));
  bool anyDifferent = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.nextU64();
    EXPECT_EQ(x, b.nextU64());
    anyDifferent |= x != c.nextU64();
  }
  EXPECT_TRUE(anyDifferent);
}

TEST(RandomGenerator, OperatingSystemSeedsAreDistinct) {
  const Seed first = seedFromOperatingSystem();
  const Seed second = seedFromOperatingSystem();
  EXPECT_NE(first.bytes, second.bytes);
}

TEST(RandomGenerator, BitsAreBalanced) {
  RandomGenerator random(insecureFixedSeedForTests(1));
  const int samples = 100000;
  std::vector<int> ones(64, 0);
  for (int i = 0; i < samples; ++i) {
    const uint64_t x = random.nextU64();
    for (int bit = 0; bit < 64; ++bit) ones[bit] += (x >> bit) & 1;
  }
  // Each count is Binomial(1e5, 1/2): std 158; 6 std is never reached by a sound generator.
  for (int bit = 0; bit < 64; ++bit) EXPECT_NEAR(ones[bit], samples / 2, 950) << "bit " << bit;
}

TEST(NoiseSamplers, TUniformHasItsSupportMeanAndVariance) {
  RandomGenerator random(insecureFixedSeedForTests(2));
  for (int boundLog2 : {0, 1, 3, 17, 45}) {
    const double bound = std::ldexp(1.0, boundLog2);
    const int samples = 400000;
    double sum = 0, sumSquares = 0;
    int atUpperEnd = 0, atLowerEnd = 0;
    for (int i = 0; i < samples; ++i) {
      const int64_t x = sampleTUniform(random, boundLog2);
      ASSERT_LE(std::fabs(static_cast<double>(x)), bound);
      atUpperEnd += static_cast<double>(x) == bound;
      atLowerEnd += static_cast<double>(x) == -bound;
      sum += static_cast<double>(x);
      sumSquares += static_cast<double>(x) * static_cast<double>(x);
    }
    const double expectedVariance = (std::ldexp(1.0, 2 * boundLog2 + 1) + 1) / 6;
    const double mean = sum / samples;
    const double variance = sumSquares / samples - mean * mean;
    EXPECT_NEAR(mean, 0, 5 * std::sqrt(expectedVariance / samples)) << "b=" << boundLog2;
    // The sample variance of a bounded distribution has relative std ~ sqrt(0.8 * 2 / samples) = 0.2%.
    EXPECT_NEAR(variance / expectedVariance, 1, 0.02) << "b=" << boundLog2;
    if (boundLog2 == 0) {  // values -1, 0, 1 with probabilities 1/4, 1/2, 1/4
      EXPECT_NEAR(atUpperEnd / static_cast<double>(samples), 0.25, 0.005);
      EXPECT_NEAR(atLowerEnd / static_cast<double>(samples), 0.25, 0.005);
    }
  }
}

TEST(NoiseSamplers, GaussianHasItsMeanAndVariance) {
  RandomGenerator random(insecureFixedSeedForTests(3));
  for (double std : {2.845267479601915e-15, 2.046151696979124e-6}) {
    const double stdUnits = std::ldexp(std, 64);
    const int samples = 400000;
    double sum = 0, sumSquares = 0, sumFourth = 0;
    for (int i = 0; i < samples; ++i) {
      const double x = static_cast<double>(static_cast<int64_t>(sampleGaussian(random, std))) / stdUnits;
      sum += x;
      sumSquares += x * x;
      sumFourth += x * x * x * x;
    }
    EXPECT_NEAR(sum / samples, 0, 5 / std::sqrt(samples));
    EXPECT_NEAR(sumSquares / samples, 1, 0.02);
    EXPECT_NEAR(sumFourth / samples, 3, 0.15);  // a Gaussian's kurtosis
  }
}

TEST(NoiseSamplers, NoiseDistributionVarianceMatchesTheFormula) {
  EXPECT_DOUBLE_EQ(NoiseDistribution::tuniform(17).variance(), (std::ldexp(1.0, 35) + 1) / 6 * std::ldexp(1.0, -128));
  EXPECT_DOUBLE_EQ(NoiseDistribution::gaussian(0.001).variance(), 1e-6);
}

}  // namespace
}  // namespace cq::tfhe
