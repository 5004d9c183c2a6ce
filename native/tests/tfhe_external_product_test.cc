// The external product's kernels (rotated-difference decomposition, products with a key column
// inside the backward transform) and the key's layout, against direct definitions, on both
// code paths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../tfhe/blind_rotation.h"
#include "../tfhe/csprng/random_generator.h"
#include "../tfhe/decomposition.h"
#include "../tfhe/fft/fourier_transform.h"
#include "../tfhe/fourier_bootstrap_key.h"

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

// The key's blocked layout (fourier_bootstrap_key.h): a polynomial reads back as stored, and a
// column is, block of 16 entries by block, each row's 16 real then 16 imaginary parts.
TEST(FourierBootstrapKeyLayout, ColumnsHoldEachRowsBlocksInTurn) {
  RandomGenerator random(insecureFixedSeedForTests(62));
  const std::size_t n = 256, m = n / 2, k = 2;
  FourierBootstrapKey key(2, k, n, {15, 2});
  const std::size_t rows = key.rowsPerGgsw();
  std::vector<std::vector<double>> spectra;
  for (std::size_t row = 0; row < rows; ++row) {
    for (std::size_t column = 0; column <= k; ++column) {
      spectra.emplace_back(n);
      for (auto& v : spectra.back()) v = static_cast<double>(random.nextU64() >> 20);
      key.setPolynomial(1, row, column, spectra.back().data());
    }
  }
  for (std::size_t row = 0; row < rows; ++row) {
    for (std::size_t column = 0; column <= k; ++column) {
      const std::vector<double>& spectrum = spectra[row * (k + 1) + column];
      std::vector<double> back(n);
      key.readPolynomial(1, row, column, back.data());
      EXPECT_EQ(back, spectrum);
      const double* stream = key.column(1, column);
      for (std::size_t j = 0; j < m; ++j) {
        const double* block = stream + ((j / 16) * rows + row) * 32;
        ASSERT_EQ(block[j % 16], spectrum[j]) << "row " << row << " column " << column << " entry " << j;
        ASSERT_EQ(block[16 + j % 16], spectrum[m + j]) << "row " << row << " column " << column << " entry " << j;
      }
    }
  }
  // GGSW 0 untouched.
  for (std::size_t i = 0; i < key.ggswSize(); ++i) ASSERT_EQ(key.ggsw(0)[i], 0.0);
}

// The products with a key column inside the backward transform: out + the inverse transform of
// the pointwise products summed over rows, on both code paths, for several row counts.
TEST(ExternalProductKernels, BackwardProductAddsTheInverseTransformOfTheProducts) {
  RandomGenerator random(insecureFixedSeedForTests(61));
  const std::size_t n = 256, m = n / 2;
  const FourierTables& tables = fourierTables(n);
  std::vector<const FourierKernels*> paths = {&kScalarFourierKernels};
  if (detectCpuFeatures().avx2 && detectCpuFeatures().fma) paths.push_back(&kAvx2FourierKernels);
  auto uniform = [&] { return static_cast<double>(static_cast<int64_t>(random.nextU64()) >> 43) / 64.0; };
  const std::pair<std::size_t, int> shapes[] = {{1, 1}, {2, 1}, {1, 2}, {4, 1}};  // (k, level)
  for (const auto& [k, level] : shapes) {
    FourierBootstrapKey key(1, k, n, {10, level});
    const std::size_t rows = key.rowsPerGgsw();
    std::vector<double> spectra(rows * n), keySpectra(rows * (k + 1) * n);
    for (auto& v : spectra) v = uniform();
    for (auto& v : keySpectra) v = uniform();
    for (std::size_t row = 0; row < rows; ++row) {
      for (std::size_t column = 0; column <= k; ++column) {
        key.setPolynomial(0, row, column, keySpectra.data() + (row * (k + 1) + column) * n);
      }
    }
    std::vector<uint64_t> start(n);
    random.fillU64(start.data(), n);
    for (std::size_t column = 0; column <= k; ++column) {
      // The definition: products in long double, then the scalar inverse transform.
      std::vector<double> product(n), coefficients(n);
      for (std::size_t j = 0; j < m; ++j) {
        long double re = 0, im = 0;
        for (std::size_t row = 0; row < rows; ++row) {
          const double* b = keySpectra.data() + (row * (k + 1) + column) * n;
          const long double ar = spectra[row * n + j], ai = spectra[row * n + m + j];
          re += ar * b[j] - ai * b[m + j];
          im += ar * b[m + j] + ai * b[j];
        }
        product[j] = static_cast<double>(re);
        product[m + j] = static_cast<double>(im);
      }
      kScalarFourierKernels.backwardToReal(tables, product.data(), coefficients.data());
      for (const FourierKernels* path : paths) {
        std::vector<uint64_t> out = start;
        std::vector<double> scratch(n);
        PrefetchStream none;
        path->backwardProductAddToTorus(tables, spectra.data(), rows, key.column(0, column), scratch.data(), out.data(),
                                        none);
        for (std::size_t i = 0; i < n; ++i) {
          const int64_t added = static_cast<int64_t>(out[i] - start[i]);
          // Coefficients of magnitude ~2^20: the transforms' rounding is far below one unit.
          ASSERT_LE(std::llabs(added - std::llround(coefficients[i])), 1)
              << "k " << k << " level " << level << " column " << column << " coefficient " << i
              << (path == &kScalarFourierKernels ? " scalar" : " avx2");
        }
      }
    }
  }
}

}  // namespace
}  // namespace cq::tfhe
