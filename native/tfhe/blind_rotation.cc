#include "blind_rotation.h"

#include <algorithm>

#include "decomposition.h"
#include "fft/fourier_transform.h"

namespace cq::tfhe {

BlindRotationWorkspace::BlindRotationWorkspace(std::size_t glweDimension, std::size_t polynomialSize, int level,
                                               const FourierKernels& fourier)
    : kernels(&fourier),
      difference((glweDimension + 1) * polynomialSize),
      decompositionState(polynomialSize),
      digits(static_cast<std::size_t>(level) * polynomialSize),
      digitSpectra((glweDimension + 1) * static_cast<std::size_t>(level) * polynomialSize),
      productSpectrum(polynomialSize) {}

void multiplyByMonomial(const uint64_t* in, std::size_t polynomialSize, std::size_t exponent, uint64_t* out) {
  const std::size_t n = polynomialSize;
  exponent %= 2 * n;
  // X^N = -1: a shift by e in [N, 2N) is a shift by e - N with every sign flipped.
  const bool negateAll = exponent >= n;
  const std::size_t shift = negateAll ? exponent - n : exponent;
  const uint64_t sign = negateAll ? ~uint64_t{0} : 0;  // x ^ sign - sign negates when sign is all ones
  for (std::size_t i = 0; i < n - shift; ++i) out[i + shift] = (in[i] ^ sign) - sign;
  for (std::size_t i = n - shift; i < n; ++i) out[i + shift - n] = 0 - ((in[i] ^ sign) - sign);
}

void externalProductAdd(const FourierBootstrapKey& key, std::size_t index, const uint64_t* glweIn, uint64_t* glweOut,
                        BlindRotationWorkspace& workspace) {
  const std::size_t k = key.glweDimension(), n = key.polynomialSize(), half = n / 2;
  const DecompositionParameters decomposition = key.decomposition();
  const std::size_t level = static_cast<std::size_t>(decomposition.level);
  const FourierTables& tables = fourierTables(n);
  const FourierKernels& kernels = *workspace.kernels;
  for (std::size_t r = 0; r <= k; ++r) {
    decomposePolynomialToReal(glweIn + r * n, n, decomposition, workspace.decompositionState.data(),
                              workspace.digits.data());
    for (std::size_t j = 0; j < level; ++j) {
      kernels.forwardReal(tables, workspace.digits.data() + j * n, workspace.digitSpectra.data() + (r * level + j) * n);
    }
  }
  const std::size_t rows = (k + 1) * level;
  for (std::size_t column = 0; column <= k; ++column) {
    double* product = workspace.productSpectrum.data();
    std::fill_n(product, n, 0.0);
    for (std::size_t row = 0; row < rows; ++row) {
      kernels.multiplyAccumulate(product, workspace.digitSpectra.data() + row * n, key.polynomial(index, row, column),
                                 half);
    }
    kernels.backwardAddToTorus(tables, product, glweOut + column * n);
  }
}

void blindRotate(const FourierBootstrapKey& key, const uint32_t* switched, const uint64_t* lookupTable,
                 uint64_t* accumulator, BlindRotationWorkspace& workspace) {
  const std::size_t k = key.glweDimension(), n = key.polynomialSize(), twoN = 2 * n;
  std::fill_n(accumulator, k * n, uint64_t{0});
  const std::size_t body = switched[key.lweDimension()];
  multiplyByMonomial(lookupTable, n, (twoN - body) % twoN, accumulator + k * n);
  for (std::size_t i = 0; i < key.lweDimension(); ++i) {
    const std::size_t exponent = switched[i];
    if (exponent == 0) continue;  // X^0 ACC - ACC = 0: the CMux would add only noise
    // CMux(s_i, ACC, X^(a_i) ACC) = ACC + GGSW(s_i) [x] (X^(a_i) ACC - ACC).
    for (std::size_t r = 0; r <= k; ++r) {
      uint64_t* difference = workspace.difference.data() + r * n;
      const uint64_t* current = accumulator + r * n;
      multiplyByMonomial(current, n, exponent, difference);
      for (std::size_t j = 0; j < n; ++j) difference[j] -= current[j];
    }
    externalProductAdd(key, i, workspace.difference.data(), accumulator, workspace);
  }
}

void extractSample(const uint64_t* glwe, std::size_t glweDimension, std::size_t polynomialSize, uint64_t* lwe) {
  const std::size_t n = polynomialSize;
  // Coefficient 0 of A_r * S_r is A_r[0] S_r[0] - sum_{j >= 1} A_r[N - j] S_r[j].
  for (std::size_t r = 0; r < glweDimension; ++r) {
    const uint64_t* mask = glwe + r * n;
    uint64_t* out = lwe + r * n;
    out[0] = mask[0];
    for (std::size_t j = 1; j < n; ++j) out[j] = 0 - mask[n - j];
  }
  lwe[glweDimension * n] = glwe[glweDimension * n];
}

}  // namespace cq::tfhe
