#include "blind_rotation.h"

#include <algorithm>

#include "decomposition.h"
#include "fft/fourier_transform.h"

namespace cq::tfhe {

namespace {

void decomposeRotatedDifferenceScalar(const uint64_t* in, std::size_t polynomialSize, std::size_t exponent,
                                      DecompositionParameters decomposition, double* digits) {
  const std::size_t n = polynomialSize;
  exponent %= 2 * n;
  // X^N = -1: a shift by e in [N, 2N) is a shift by e - N with every sign flipped.
  const uint64_t sign = exponent >= n ? ~uint64_t{0} : 0;  // x ^ sign - sign negates when all ones
  const std::size_t shift = exponent >= n ? exponent - n : exponent;
  int64_t levels[64];
  for (std::size_t i = 0; i < n; ++i) {
    // Coefficients that wrap around X^N come back negated.
    const uint64_t rotated = i >= shift ? in[i - shift] : 0 - in[i + n - shift];
    decompose(((rotated ^ sign) - sign) - in[i], decomposition, levels, 1);
    for (int j = 0; j < decomposition.level; ++j) digits[static_cast<std::size_t>(j) * n + i] = static_cast<double>(levels[j]);
  }
}

// glweOut += the inverse transforms of the products of the workspace's digit spectra (already
// transformed) with GGSW `index`.
void multiplyAndAddBack(const FourierBootstrapKey& key, std::size_t index, uint64_t* glweOut,
                        BlindRotationWorkspace& workspace, PrefetchStream& prefetch) {
  const std::size_t columns = key.glweDimension() + 1, n = key.polynomialSize();
  const FourierTables& tables = fourierTables(n);
  for (std::size_t c = 0; c < columns; ++c) {
    workspace.kernels->backwardProductAddToTorus(tables, workspace.digitSpectra.data(), key.rowsPerGgsw(),
                                                 key.column(index, c), workspace.products.data(), glweOut + c * n,
                                                 prefetch);
  }
}

}  // namespace

const ExternalProductKernels kScalarExternalProductKernels = {decomposeRotatedDifferenceScalar};

BlindRotationWorkspace::BlindRotationWorkspace(std::size_t glweDimension, std::size_t polynomialSize, int level,
                                               const FourierKernels& fourier)
    : kernels(&fourier),
      productKernels(&fourier == &kAvx2FourierKernels ? &kAvx2ExternalProductKernels : &kScalarExternalProductKernels),
      digitSpectra((glweDimension + 1) * static_cast<std::size_t>(level) * polynomialSize),
      products(polynomialSize) {}

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
  const std::size_t k = key.glweDimension(), n = key.polynomialSize();
  const DecompositionParameters decomposition = key.decomposition();
  const std::size_t level = static_cast<std::size_t>(decomposition.level);
  const FourierTables& tables = fourierTables(n);
  double* spectra = workspace.digitSpectra.data();
  int64_t levels[64];
  for (std::size_t r = 0; r <= k; ++r) {
    double* digits = spectra + r * level * n;
    for (std::size_t i = 0; i < n; ++i) {
      decompose(glweIn[r * n + i], decomposition, levels, 1);
      for (std::size_t j = 0; j < level; ++j) digits[j * n + i] = static_cast<double>(levels[j]);
    }
    for (std::size_t j = 0; j < level; ++j) workspace.kernels->forwardReal(tables, digits + j * n, digits + j * n);
  }
  PrefetchStream none;
  multiplyAndAddBack(key, index, glweOut, workspace, none);
}

void blindRotate(const FourierBootstrapKey& key, const uint32_t* switched, const uint64_t* lookupTable,
                 uint64_t* accumulator, BlindRotationWorkspace& workspace) {
  blindRotateBatch(key, &switched, &lookupTable, &accumulator, 1, workspace);
}

void blindRotateBatch(const FourierBootstrapKey& key, const uint32_t* const* switched,
                      const uint64_t* const* lookupTables, uint64_t* const* accumulators, std::size_t count,
                      BlindRotationWorkspace& workspace) {
  const std::size_t k = key.glweDimension(), n = key.polynomialSize(), twoN = 2 * n;
  const DecompositionParameters decomposition = key.decomposition();
  const std::size_t level = static_cast<std::size_t>(decomposition.level);
  const FourierTables& tables = fourierTables(n);
  double* spectra = workspace.digitSpectra.data();
  // Each CMux runs (k + 1) * level forward and k + 1 backward transforms, over which the next
  // GGSW's fetch is spread (fft/prefetch_stream.h).
  const std::size_t prefetchSteps = count * ((k + 1) * level + (k + 1)) * prefetchStepsPerTransform(tables);
  const std::size_t ggswBytes = key.ggswSize() * sizeof(double);
  for (std::size_t b = 0; b < count; ++b) {
    std::fill_n(accumulators[b], k * n, uint64_t{0});
    const std::size_t body = switched[b][key.lweDimension()];
    multiplyByMonomial(lookupTables[b], n, (twoN - body) % twoN, accumulators[b] + k * n);
  }
  for (std::size_t i = 0; i < key.lweDimension(); ++i) {
    PrefetchStream nextGgsw;
    if (i + 1 < key.lweDimension()) nextGgsw = PrefetchStream(key.ggsw(i + 1), ggswBytes, prefetchSteps);
    for (std::size_t b = 0; b < count; ++b) {
      const std::size_t exponent = switched[b][i];
      if (exponent == 0) continue;  // X^0 ACC - ACC = 0: the CMux would add only noise
      // CMux(s_i, ACC, X^(a_i) ACC) = ACC + GGSW(s_i) [x] (X^(a_i) ACC - ACC).
      uint64_t* accumulator = accumulators[b];
      for (std::size_t r = 0; r <= k; ++r) {
        double* digits = spectra + r * level * n;
        workspace.productKernels->decomposeRotatedDifference(accumulator + r * n, n, exponent, decomposition, digits);
        for (std::size_t j = 0; j < level; ++j) {
          workspace.kernels->forwardRealPrefetching(tables, digits + j * n, digits + j * n, nextGgsw);
        }
      }
      multiplyAndAddBack(key, i, accumulator, workspace, nextGgsw);
    }
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
