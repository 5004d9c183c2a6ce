// Blind rotation: multiplies a lookup polynomial by X^(-phase) under encryption, one CMux per
// small-key bit, with external products against the Fourier-domain bootstrap key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fft/fourier_transform.h"
#include "fourier_bootstrap_key.h"
#include "parameters.h"

namespace cq::tfhe {

// The arithmetic of an external product besides the Fourier transforms (and the products with
// the key, which the backward transforms form: FourierKernels::backwardProductAddToTorus), per
// code path. Both paths give the same digits, bit for bit.
struct ExternalProductKernels {
  // digits[j * N + i], j < level: the balanced digits (decomposition.h) of coefficient i of
  // X^exponent * in - in (exponent modulo 2N), as doubles ready for the FFT.
  void (*decomposeRotatedDifference)(const uint64_t* in, std::size_t polynomialSize, std::size_t exponent,
                                     DecompositionParameters decomposition, double* digits);
};

extern const ExternalProductKernels kScalarExternalProductKernels;
extern const ExternalProductKernels kAvx2ExternalProductKernels;  // only when cq::simdEnabled()

// Scratch memory of one blind rotation, reused across calls on the same thread, and the kernels
// it runs (the process's choice unless a test picks a code path: the AVX2 FFT goes with the
// AVX2 external-product kernels, anything else with the scalar ones).
struct BlindRotationWorkspace {
  BlindRotationWorkspace(std::size_t glweDimension, std::size_t polynomialSize, int level,
                         const FourierKernels& kernels = fourierKernels());
  const FourierKernels* kernels;
  const ExternalProductKernels* productKernels;
  CacheAlignedVector<double> digitSpectra;  // (k + 1) * level * N: the digits, then their transforms in place
  CacheAlignedVector<double> products;      // N: one output polynomial's inverse FFT in progress
};

// out = X^exponent * in in Z_(2^64)[X]/(X^N + 1), exponent taken modulo 2N.
void multiplyByMonomial(const uint64_t* in, std::size_t polynomialSize, std::size_t exponent, uint64_t* out);

// glweOut += GGSW(mu) [external product] glweIn, whose phase is mu * phase(glweIn) plus noise.
// `ggsw` is GGSW `index` of a Fourier bootstrap key.
void externalProductAdd(const FourierBootstrapKey& key, std::size_t index, const uint64_t* glweIn, uint64_t* glweOut,
                        BlindRotationWorkspace& workspace);

// accumulator <- (mask, body) = (0, X^(-b) * lookupTable) rotated by X^(sum a_i s_i): its phase
// is X^(-phase) * lookupTable, where (a, b) = `switched`, n + 1 values modulo 2N.
// accumulator: (k + 1) * N words; lookupTable: N words.
void blindRotate(const FourierBootstrapKey& key, const uint32_t* switched, const uint64_t* lookupTable,
                 uint64_t* accumulator, BlindRotationWorkspace& workspace);

// blindRotate for `count` ciphertexts in one pass over the key: CMux i runs for each of them
// while GGSW i is in cache, so the key streams from memory once per batch instead of once per
// ciphertext (60 MB per pass for the 2_2 set). Results are those of blindRotate, word for word.
void blindRotateBatch(const FourierBootstrapKey& key, const uint32_t* const* switched,
                      const uint64_t* const* lookupTables, uint64_t* const* accumulators, std::size_t count,
                      BlindRotationWorkspace& workspace);

// The LWE ciphertext (dimension k * N, under the flattened GLWE key) of coefficient 0 of a
// GLWE ciphertext's phase.
void extractSample(const uint64_t* glwe, std::size_t glweDimension, std::size_t polynomialSize, uint64_t* lwe);

}  // namespace cq::tfhe
