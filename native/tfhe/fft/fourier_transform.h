// Negacyclic polynomial products in Z[X]/(X^N + 1) through a complex FFT of size N/2
// (ePrint 2021/480): a real polynomial a is folded into N/2 complex numbers
// z_j = (a_j + i a_{j+N/2}) * w^j, w = exp(i pi / N), so that reduction modulo X^(N/2) - i
// becomes a cyclic convolution of size N/2, which the FFT diagonalises. Real polynomials lose
// nothing: the other factor X^(N/2) + i only sees the complex conjugate.
//
// A spectrum is N doubles: N/2 real parts, then N/2 imaginary parts, in the bit-reversed order
// the decimation-in-frequency forward transform leaves them in, except that each block of 16
// entries is stored as a transposed 4x4 matrix (entry 4g + e at 4e + g): the order the AVX2
// kernels' last stages produce in registers. Products are taken pointwise in that order and the
// backward transform reads it directly, so no permutation is ever done on the AVX2 path.
//
// Both code paths run the same schedule of passes over memory: forward = the first pass with
// the twist folded in (below), radix-4 passes (each two radix-2 stages in one sweep over memory,
// 3 complex multiplications per 4 points instead of 4; the first pass is radix 2 when log2(N/2)
// is odd), and the last two stages (len 4 and 2, twiddles 1 and -i) in registers with the
// len-16 pass; backward = the exact mirror, the untwist and the 1/(N/2) folded into its last pass.
//
// Folding the twist: the first pass's butterfly reads z_p = y_p w^p at p = j + s q (q = M/4, s <
// 4; y_p = a_p + i a_(p+M)). As w^(j + s q) = w^j c_s with c_s = w^(s q) = exp(i pi s / 8), it
// multiplies y by the constants c_s and applies the common factor w^j after the (linear)
// butterfly, merged with the twiddles: the outputs at j, j + q, j + 2q, j + 3q are multiplied by
// w^j, w^j W^2j, w^j W^j, w^j W^3j (W = exp(-2 pi i / M)), read from one table (16 KB for
// N = 2048; forming the products from tables of w^j and W^j in the loop took a chain of three
// dependent complex multiplications per iteration and cost more than the reads). The backward
// transform's last pass mirrors it with conj(factor) / M before its butterfly and conj(c_s)
// after. A radix-2 first pass (h = M/2) does the same with c = w^h = exp(i pi / 4) and the
// factors w^j, w^j W^j.
//
// Tables are laid out for the AVX2 loops, which read them sequentially: for each group of four
// consecutive j, the real parts of the group's four entries then their imaginary parts, factor
// after factor (FourierTables::factorAt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cache_aligned_vector.h"
#include "prefetch_stream.h"

namespace cq::tfhe {

// Precomputed twist factors and twiddles for one polynomial size.
struct FourierTables {
  std::size_t polynomialSize = 0;  // N
  std::size_t halfSize = 0;        // M = N/2, the complex FFT size
  // The first (forward) and last (backward) pass's output factors, for j < M/4 (radix 4: four
  // factors) or M/2 (radix 2: two), w = exp(i pi / N), W = exp(-2 pi i / M):
  //   forward, radix 4: w^j, w^j W^2j, w^j W^j, w^j W^3j (for the outputs j, j + q, j + 2q, j + 3q);
  //   forward, radix 2: w^j, w^j W^j; backward: the conjugates divided by M.
  CacheAlignedVector<double> forwardFactors, backwardFactors;
  // c_s = exp(i pi s / 8), s < 4: the radix-4 first pass's input constants; c_2 = exp(i pi / 4)
  // is the radix-2 one's.
  double constantReal[4], constantImag[4];
  // One entry per butterfly pass over memory, in forward order (the backward transform runs
  // them in reverse with conjugate twiddles). The final len-4/len-2 step needs no table.
  struct Pass {
    std::size_t length;  // len: butterflies pair entries len/2 (radix 2) or len/4 (radix 4) apart
    int radix;           // 2 or 4 (only the first pass may be radix 2)
    // Offset in `twiddles`, for the passes after the first (radix 4, q = len/4): the three
    // factors W^j, W^2j, W^3j for j < q, W = exp(-2 pi i / len).
    std::size_t offset;
  };
  std::vector<Pass> passes;
  CacheAlignedVector<double> twiddles;

  // Index of the real part of factor `factor` of entry j in a table of `factors` factors per
  // entry (the imaginary part follows 4 doubles later): groups of four entries, each holding its
  // factors in turn as four real then four imaginary parts.
  static std::size_t factorAt(std::size_t j, std::size_t factor, std::size_t factors) {
    return (j / 4) * 8 * factors + factor * 8 + j % 4;
  }
};

// Kernels of one code path (scalar or AVX2+FMA). All sizes come from the tables.
struct FourierKernels {
  // spectrum <- FFT(twist(in)); `in` holds N signed coefficients.
  void (*forward)(const FourierTables& tables, const int64_t* in, double* spectrum);
  // The same from N coefficients already converted to doubles (decomposed digits). `in` may be
  // `spectrum` itself.
  void (*forwardReal)(const FourierTables& tables, const double* in, double* spectrum);
  // out[j] += round(coefficient j) mod 2^64, for the N coefficients of the inverse transform.
  // `spectrum` is used as scratch and left unspecified.
  void (*backwardAddToTorus)(const FourierTables& tables, double* spectrum, uint64_t* out);
  // out <- the N real coefficients of the inverse transform (unrounded); `spectrum` is scratch.
  void (*backwardToReal)(const FourierTables& tables, double* spectrum, double* out);
  // accumulator += a * b, pointwise over the N/2 complex entries of the spectra.
  void (*multiplyAccumulate)(double* accumulator, const double* a, const double* b, std::size_t halfSize);
  // forwardReal and backwardAddToTorus that also advance `prefetch` one step per loop iteration
  // (prefetchStepsPerTransform steps per call on the AVX2 path; the scalar path, whose loops are
  // slower than memory anyway, ignores it).
  void (*forwardRealPrefetching)(const FourierTables& tables, const double* in, double* spectrum,
                                 PrefetchStream& prefetch);
  void (*backwardAddToTorusPrefetching)(const FourierTables& tables, double* spectrum, uint64_t* out,
                                        PrefetchStream& prefetch);
  // The external product's last step for one GLWE column: out += the inverse transform of
  // P = sum over r < rows of spectra[r * N, (r + 1) * N) times row r of `keyColumn` (pointwise,
  // rows summed in order), rounded modulo 2^64 as backwardAddToTorus. `keyColumn` is in the
  // blocked layout of fourier_bootstrap_key.h. The AVX2 path forms P block by block inside the
  // transform's first loop, so P never goes through memory; `scratch` (N doubles) holds the
  // transform in progress. Advances `prefetch` as backwardAddToTorusPrefetching.
  void (*backwardProductAddToTorus)(const FourierTables& tables, const double* spectra, std::size_t rows,
                                    const double* keyColumn, double* scratch, uint64_t* out, PrefetchStream& prefetch);
};

// The PrefetchStream::step() calls one forward or backward transform makes on the AVX2 path.
std::size_t prefetchStepsPerTransform(const FourierTables& tables);

extern const FourierKernels kScalarFourierKernels;
extern const FourierKernels kAvx2FourierKernels;  // call only when cq::simdEnabled()

// The kernels in use in this process (AVX2+FMA when enabled, else scalar).
const FourierKernels& fourierKernels();

// Tables for N, a power of two in [256, 65536]; built on first use and kept (thread-safe).
// Throws std::invalid_argument for any other size.
const FourierTables& fourierTables(std::size_t polynomialSize);

// Convenience wrappers over fourierKernels().
inline void forwardFourier(const FourierTables& tables, const int64_t* in, double* spectrum) {
  fourierKernels().forward(tables, in, spectrum);
}
inline void forwardFourierTorus(const FourierTables& tables, const uint64_t* in, double* spectrum) {
  // A torus element read as a signed integer is its centred representative, which keeps the
  // magnitudes (and so the floating-point error) as small as possible.
  fourierKernels().forward(tables, reinterpret_cast<const int64_t*>(in), spectrum);
}
inline void backwardFourierAddToTorus(const FourierTables& tables, double* spectrum, uint64_t* out) {
  fourierKernels().backwardAddToTorus(tables, spectrum, out);
}

// The residue modulo 2^64 of round(value), for any finite double (the bit pattern is read
// directly, so values far beyond 2^64 wrap exactly as integers would).
uint64_t roundToTorus(double value);

// out = a * b in Z_(2^64)[X]/(X^N + 1), exactly, for a binary polynomial b (each coefficient 0
// or 1): a is split into 16-bit limbs so that every floating-point product stays far below 2^53.
// Used where exactness matters more than speed (key generation, reference checks).
void exactNegacyclicProductByBinary(const uint64_t* a, const uint64_t* binary, uint64_t* out, std::size_t polynomialSize);

}  // namespace cq::tfhe
