// The negacyclic FFT product against exact integer products, on both code paths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../tfhe/csprng/random_generator.h"
#include "../tfhe/fft/fourier_transform.h"

namespace cq::tfhe {
namespace {

// Exact product in Z_(2^64)[X]/(X^N + 1), the schoolbook way.
std::vector<uint64_t> schoolbookNegacyclic(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  const std::size_t n = a.size();
  std::vector<uint64_t> out(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const uint64_t product = a[i] * b[j];
      if (i + j < n) out[i + j] += product;
      else out[i + j - n] -= product;
    }
  }
  return out;
}

std::vector<const FourierKernels*> availableKernels() {
  std::vector<const FourierKernels*> kernels = {&kScalarFourierKernels};
  if (detectCpuFeatures().avx2 && detectCpuFeatures().fma) kernels.push_back(&kAvx2FourierKernels);
  return kernels;
}

// a * b through the FFT with the given kernels, rounded modulo 2^64.
std::vector<uint64_t> fourierNegacyclic(const FourierKernels& kernels, const std::vector<uint64_t>& a,
                                        const std::vector<uint64_t>& b) {
  const std::size_t n = a.size();
  const FourierTables& tables = fourierTables(n);
  std::vector<double> sa(n), sb(n), product(n, 0.0);
  kernels.forward(tables, reinterpret_cast<const int64_t*>(a.data()), sa.data());
  kernels.forward(tables, reinterpret_cast<const int64_t*>(b.data()), sb.data());
  kernels.multiplyAccumulate(product.data(), sa.data(), sb.data(), n / 2);
  std::vector<uint64_t> out(n, 0);
  kernels.backwardAddToTorus(tables, product.data(), out.data());
  return out;
}

std::vector<uint64_t> smallSigned(RandomGenerator& random, std::size_t n, int bits) {
  std::vector<uint64_t> values(n);
  for (auto& value : values) value = static_cast<uint64_t>(static_cast<int64_t>(random.nextU64()) >> (64 - bits));
  return values;
}

TEST(FourierTransform, SmallProductsAreExactForEverySizeAndPath) {
  RandomGenerator random(insecureFixedSeedForTests(10));
  for (std::size_t n = 256; n <= 65536; n *= 2) {
    // 10-bit by 10-bit coefficients: products sum to well under 2^40, far inside double precision.
    const auto a = smallSigned(random, n, 10);
    const auto b = smallSigned(random, n, 10);
    std::vector<uint64_t> expected;
    if (n <= 4096) {
      expected = schoolbookNegacyclic(a, b);
    } else {
      // Beyond that the schoolbook product is slow; check a few coefficients directly.
      expected.assign(n, 0);
      for (std::size_t k : {std::size_t{0}, std::size_t{1}, n / 2, n - 1}) {
        uint64_t sum = 0;
        for (std::size_t i = 0; i < n; ++i) {
          const std::size_t j = (k + n - i) % n;
          const uint64_t product = a[i] * b[j];
          sum += i <= k ? product : 0 - product;
        }
        expected[k] = sum;
      }
    }
    for (const FourierKernels* kernels : availableKernels()) {
      const auto got = fourierNegacyclic(*kernels, a, b);
      if (n <= 4096) {
        EXPECT_EQ(got, expected) << "N=" << n;
      } else {
        for (std::size_t k : {std::size_t{0}, std::size_t{1}, n / 2, n - 1}) EXPECT_EQ(got[k], expected[k]) << "N=" << n;
      }
    }
  }
}

// A decomposed digit polynomial (|digits| <= 2^22) times a uniform torus polynomial, the
// product of every external product: the error must stay within the noise model's FFT term
// for one polynomial product, 2^-2.577 * 2^(2 * (64 - 53)) * B^2 * N^2 (in units of q^2).
TEST(FourierTransform, TorusProductErrorStaysWithinTheNoiseModel) {
  RandomGenerator random(insecureFixedSeedForTests(11));
  const std::size_t n = 2048;
  const int baseLog = 23;
  const double modelVariance = std::pow(2.0, -2.57722494 + 22 + 2 * baseLog + 2 * std::log2(double(n)));
  for (const FourierKernels* kernels : availableKernels()) {
    double sumSquares = 0;
    std::size_t count = 0;
    for (int trial = 0; trial < 3; ++trial) {
      const auto digits = smallSigned(random, n, baseLog);
      std::vector<uint64_t> torus(n);
      random.fillU64(torus.data(), n);
      const auto expected = schoolbookNegacyclic(digits, torus);
      const auto got = fourierNegacyclic(*kernels, digits, torus);
      for (std::size_t i = 0; i < n; ++i) {
        const double error = static_cast<double>(static_cast<int64_t>(got[i] - expected[i]));
        sumSquares += error * error;
        ++count;
      }
    }
    const double measured = sumSquares / count;
    RecordProperty("log2MeasuredVariance", std::to_string(std::log2(measured)));
    EXPECT_LT(measured, modelVariance) << "log2 measured " << std::log2(measured) << " vs model " << std::log2(modelVariance);
    EXPECT_GT(measured, 0);  // the check is not vacuous: a double FFT cannot be exact here
  }
}

TEST(FourierTransform, ScalarAndAvx2PathsAgree) {
  if (!(detectCpuFeatures().avx2 && detectCpuFeatures().fma)) GTEST_SKIP() << "no AVX2+FMA";
  RandomGenerator random(insecureFixedSeedForTests(12));
  for (std::size_t n : {256, 2048, 65536}) {
    const FourierTables& tables = fourierTables(n);
    std::vector<uint64_t> input(n);
    random.fillU64(input.data(), n);
    std::vector<double> scalar(n), avx2(n);
    kScalarFourierKernels.forward(tables, reinterpret_cast<const int64_t*>(input.data()), scalar.data());
    kAvx2FourierKernels.forward(tables, reinterpret_cast<const int64_t*>(input.data()), avx2.data());
    double scale = 0, difference = 0;
    for (std::size_t i = 0; i < n; ++i) {
      scale = std::max(scale, std::fabs(scalar[i]));
      difference = std::max(difference, std::fabs(scalar[i] - avx2[i]));
    }
    EXPECT_LT(difference, scale * 1e-13) << "N=" << n;
    // The double-input entry point gives exactly what the integer one gives.
    std::vector<double> asReal(input.begin(), input.end()), viaReal(n);
    for (std::size_t i = 0; i < n; ++i) asReal[i] = static_cast<double>(static_cast<int64_t>(input[i]));
    kAvx2FourierKernels.forwardReal(tables, asReal.data(), viaReal.data());
    EXPECT_EQ(viaReal, avx2) << "N=" << n;
    kScalarFourierKernels.forwardReal(tables, asReal.data(), viaReal.data());
    EXPECT_EQ(viaReal, scalar) << "N=" << n;
    // Round trip: backward(forward(x)) = x up to rounding, on each path.
    std::vector<uint64_t> scalarOut(n, 0), avx2Out(n, 0);
    kScalarFourierKernels.backwardAddToTorus(tables, scalar.data(), scalarOut.data());
    kAvx2FourierKernels.backwardAddToTorus(tables, avx2.data(), avx2Out.data());
    for (std::size_t i = 0; i < n; ++i) {
      // Inputs near 2^63 lose their low ~11 bits in a double; both paths must keep the rest.
      EXPECT_LT(std::fabs(static_cast<double>(static_cast<int64_t>(scalarOut[i] - input[i]))), 1 << 14) << i;
      EXPECT_LT(std::fabs(static_cast<double>(static_cast<int64_t>(avx2Out[i] - input[i]))), 1 << 14) << i;
    }
  }
}

TEST(FourierTransform, RoundToTorusWrapsLikeIntegers) {
  EXPECT_EQ(roundToTorus(0.0), 0u);
  EXPECT_EQ(roundToTorus(-0.0), 0u);
  EXPECT_EQ(roundToTorus(0.4), 0u);
  EXPECT_EQ(roundToTorus(1.6), 2u);
  EXPECT_EQ(roundToTorus(-1.0), ~uint64_t{0});
  EXPECT_EQ(roundToTorus(std::ldexp(1.0, 63)), uint64_t{1} << 63);
  EXPECT_EQ(roundToTorus(std::ldexp(1.0, 64)), 0u);
  EXPECT_EQ(roundToTorus(std::ldexp(3.0, 63)), uint64_t{1} << 63);
  EXPECT_EQ(roundToTorus(std::ldexp(1.0, 100) + std::ldexp(1.0, 60)), uint64_t{1} << 60);
  EXPECT_EQ(roundToTorus(-std::ldexp(1.0, 100) - std::ldexp(1.0, 60)), 0 - (uint64_t{1} << 60));
  EXPECT_EQ(roundToTorus(std::ldexp(1.0, 1000)), 0u);
}

// Each path's rounded output is exactly roundToTorus of its own unrounded output, for spectra
// whose coefficients range from fractions to far beyond 2^64 (where only the wrap remains).
TEST(FourierTransform, BackwardRoundingIsExactAtEveryMagnitude) {
  RandomGenerator random(insecureFixedSeedForTests(14));
  const std::size_t n = 2048;
  const FourierTables& tables = fourierTables(n);
  for (const FourierKernels* kernels : availableKernels()) {
    for (int scaleLog2 : {-20, 0, 40, 52, 62, 63, 64, 65, 80, 100, 140}) {
      std::vector<double> spectrum(n), copy(n), real(n);
      for (auto& value : spectrum) {
        value = std::ldexp(static_cast<double>(static_cast<int64_t>(random.nextU64())), scaleLog2 - 63 + 11);
      }
      copy = spectrum;
      kernels->backwardToReal(tables, copy.data(), real.data());
      std::vector<uint64_t> rounded(n, 0);
      kernels->backwardAddToTorus(tables, spectrum.data(), rounded.data());
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(rounded[i], roundToTorus(real[i])) << "scale 2^" << scaleLog2 << " coefficient " << i;
      }
    }
  }
}

TEST(FourierTransform, ExactProductByBinaryMatchesSchoolbook) {
  RandomGenerator random(insecureFixedSeedForTests(13));
  for (std::size_t n : {256, 1024, 2048}) {
    std::vector<uint64_t> a(n), binary(n);
    random.fillU64(a.data(), n);
    for (auto& bit : binary) bit = random.nextU64() & 1;
    std::vector<uint64_t> got(n);
    exactNegacyclicProductByBinary(a.data(), binary.data(), got.data(), n);
    EXPECT_EQ(got, schoolbookNegacyclic(a, binary)) << "N=" << n;
  }
}

TEST(FourierTransform, RejectsUnsupportedSizes) {
  EXPECT_THROW(fourierTables(128), std::invalid_argument);
  EXPECT_THROW(fourierTables(3000), std::invalid_argument);
  EXPECT_THROW(fourierTables(131072), std::invalid_argument);
}

}  // namespace
}  // namespace cq::tfhe
