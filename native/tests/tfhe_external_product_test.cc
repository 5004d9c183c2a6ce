// The external product's kernels (rotated-difference decomposition, multiplication by a GGSW)
// against direct definitions, on both code paths.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../tfhe/blind_rotation.h"
#include "../tfhe/csprng/random_generator.h"
#include "../tfhe/decomposition.h"

namespace cq::tfhe {
namespace {

std::vector<const ExternalProductKernels*> availableKernels() {
  std::vector<const ExternalProductKernels*> kernels = {&kScalarExternalProductKernels};
  if (detectCpuFeatures().avx2 && detectCpuFeatures().fma) kernels.push_back(&kAvx2ExternalProductKernels);
  return kernels;
}

TEST(ExternalProductKernels, DecomposeTheRotatedDifferenceExactly) {
  RandomGenerator random(insecureFixedSeedForTests(60));
  const std::size_t n = 256;
  std::vector<uint64_t> polynomial(n), rotated(n);
  random.fillU64(polynomial.data(), n);
  // Coefficients at the extremes of the rounding and of the balanced digits.
  polynomial[0] = 0;
  polynomial[1] = ~uint64_t{0};
  polynomial[2] = uint64_t{1} << 63;
  polynomial[3] = (uint64_t{1} << 63) - 1;
  const DecompositionParameters decompositions[] = {{23, 1}, {15, 2}, {11, 3}, {4, 4}, {52, 1}, {60, 1}, {16, 4}, {1, 1}};
  const std::size_t exponents[] = {0, 1, 3, 4, 5, 127, n - 1, n, n + 1, n + 6, 2 * n - 1, 2 * n + 5, 333};
  for (const DecompositionParameters decomposition : decompositions) {
    const std::size_t level = static_cast<std::size_t>(decomposition.level);
    for (const std::size_t exponent : exponents) {
      multiplyByMonomial(polynomial.data(), n, exponent, rotated.data());
      std::vector<double> expected(level * n);
      int64_t digits[64];
      for (std::size_t i = 0; i < n; ++i) {
        decompose(rotated[i] - polynomial[i], decomposition, digits, 1);
        for (std::size_t j = 0; j < level; ++j) expected[j * n + i] = static_cast<double>(digits[j]);
      }
      for (const ExternalProductKernels* kernels : availableKernels()) {
        std::vector<double> got(level * n, -1.0);
        kernels->decomposeRotatedDifference(polynomial.data(), n, exponent, decomposition, got.data());
        EXPECT_EQ(got, expected) << "base log " << decomposition.baseLog << " level " << level << " exponent "
                                 << exponent << (kernels == &kScalarExternalProductKernels ? " scalar" : " avx2");
      }
    }
  }
}

TEST(ExternalProductKernels, MultiplyByGgswMatchesTheDefinition) {
  RandomGenerator random(insecureFixedSeedForTests(61));
  const std::size_t n = 256, m = n / 2;
  auto uniform = [&] { return static_cast<double>(static_cast<int64_t>(random.nextU64()) >> 11) / 1024.0; };
  for (std::size_t rows : {1, 2, 3, 5}) {
    for (std::size_t columns : {1, 2, 3, 4, 5, 6, 7, 11}) {
      std::vector<double> spectra(rows * n), ggsw(rows * columns * n);
      for (auto& v : spectra) v = uniform();
      for (auto& v : ggsw) v = uniform();
      // Complex products summed over rows, in long double, and the sum of the terms' magnitudes
      // that bounds a double computation's rounding error.
      std::vector<long double> expected(columns * n), magnitude(columns * n);
      for (std::size_t c = 0; c < columns; ++c) {
        for (std::size_t j = 0; j < m; ++j) {
          long double re = 0, im = 0, size = 0;
          for (std::size_t row = 0; row < rows; ++row) {
            const long double ar = spectra[row * n + j], ai = spectra[row * n + j + m];
            const long double br = ggsw[(row * columns + c) * n + j], bi = ggsw[(row * columns + c) * n + j + m];
            re += ar * br - ai * bi;
            im += ar * bi + ai * br;
            size += std::fabs(ar) * (std::fabs(br) + std::fabs(bi)) + std::fabs(ai) * (std::fabs(br) + std::fabs(bi));
          }
          expected[c * n + j] = re;
          expected[c * n + j + m] = im;
          magnitude[c * n + j] = magnitude[c * n + j + m] = size;
        }
      }
      for (const ExternalProductKernels* kernels : availableKernels()) {
        {
          std::vector<double> got(columns * n, -1.0);
          kernels->multiplyByGgsw(spectra.data(), ggsw.data(), rows, columns, n, got.data());
          double worst = 0;
          for (std::size_t i = 0; i < got.size(); ++i) {
            worst = std::max(worst, static_cast<double>(std::fabs(got[i] - expected[i]) / magnitude[i]));
          }
          // At most 2 * rows roundings, each within 2^-53 of the terms' total magnitude.
          EXPECT_LT(worst, 2.0 * rows * std::ldexp(1.0, -53)) << "rows " << rows << " columns " << columns;
        }
      }
    }
  }
}

}  // namespace
}  // namespace cq::tfhe
