// Blind rotation: multiplies a lookup polynomial by X^(-phase) under encryption, one CMux per
// small-key bit, with external products against the Fourier-domain bootstrap key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fft/fourier_transform.h"
#include "fourier_bootstrap_key.h"

namespace cq::tfhe {

// Scratch memory of one blind rotation, reused across calls on the same thread, and the FFT
// kernels it runs (the process's choice unless a test picks a code path).
struct BlindRotationWorkspace {
  BlindRotationWorkspace(std::size_t glweDimension, std::size_t polynomialSize, int level,
                         const FourierKernels& kernels = fourierKernels());
  const FourierKernels* kernels;
  std::vector<uint64_t> difference;      // (k + 1) * N: X^a ACC - ACC
  std::vector<uint64_t> decompositionState;  // N: the not-yet-decomposed part of each coefficient
  std::vector<double> digits;                // level * N: one polynomial's digits, as doubles
  std::vector<double> digitSpectra;      // (k + 1) * level * N: their Fourier transforms
  std::vector<double> productSpectrum;   // N: one output polynomial before its inverse FFT
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

// The LWE ciphertext (dimension k * N, under the flattened GLWE key) of coefficient 0 of a
// GLWE ciphertext's phase.
void extractSample(const uint64_t* glwe, std::size_t glweDimension, std::size_t polynomialSize, uint64_t* lwe);

}  // namespace cq::tfhe
