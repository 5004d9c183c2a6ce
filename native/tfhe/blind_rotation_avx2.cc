// AVX2+FMA external-product kernels of blind_rotation.h; compiled with -mavx2 -mfma and only
// called when the CPU supports both.
#include <immintrin.h>

#include <algorithm>

#include "blind_rotation.h"

namespace cq::tfhe {

namespace {

// Balanced digits of four coefficients at once: the steps of decompose() (decomposition.h) on
// 64-bit lanes, with the level count fixed at compile time where it is known (0: at run time).
template <int Level>
class Decomposer4 {
 public:
  explicit Decomposer4(DecompositionParameters decomposition)
      : baseLog_(decomposition.baseLog),
        level_(Level > 0 ? Level : decomposition.level),
        dropped_(std::max(0, 64 - decomposition.baseLog * decomposition.level)),
        roundingHalf_(_mm256_set1_epi64x(dropped_ > 0 ? int64_t{1} << (dropped_ - 1) : 0)),
        mask_(_mm256_set1_epi64x(static_cast<int64_t>((uint64_t{1} << decomposition.baseLog) - 1))),
        half_(_mm256_set1_epi64x(int64_t{1} << (decomposition.baseLog - 1))),
        magicMinusHalf_(_mm256_sub_epi64(_mm256_set1_epi64x(kMagicBits), half_)) {}

  // digits[j * stride], j < level, for coefficients x (four lanes).
  void decompose(__m256i x, double* digits, std::size_t stride) const {
    // x rounded to the closest multiple of q / B^level, in units of it. Adding half a unit may
    // wrap past 2^64, which only drops the B^level that the top digit discards anyway.
    __m256i state = shiftRight(_mm256_add_epi64(x, roundingHalf_), dropped_);
    for (int j = level_ - 1; j >= 0; --j) {
      // With one level, the shift above already left just the digit's baseLog bits.
      const __m256i digit = Level == 1 ? state : _mm256_and_si256(state, mask_);
      // The balanced digit is the baseLog-bit field read as signed, (digit ^ B/2) - B/2; the
      // subtraction of B/2 folds into the conversion constant below.
      const __m256i flipped = _mm256_xor_si256(digit, half_);
      _mm256_storeu_pd(digits + static_cast<std::size_t>(j) * stride, toDouble(flipped));
      if (j > 0) {
        // A digit in the upper half is negative and carries one into the next level up.
        const __m256i carry = shiftRight(digit, baseLog_ - 1);
        state = _mm256_add_epi64(shiftRight(state, baseLog_), carry);
      }
    }
  }

  // The exact int64 -> double conversion below needs |digit| <= 2^51.
  static bool supports(DecompositionParameters decomposition) { return decomposition.baseLog <= 52; }

 private:
  // The double 2^52 + 2^51 + v has the bit pattern kMagicBits + v for |v| < 2^51.
  static constexpr int64_t kMagicBits = 0x4338000000000000;

  static __m256i shiftRight(__m256i x, int count) { return _mm256_srl_epi64(x, _mm_cvtsi32_si128(count)); }
  // AVX2 has no int64 -> double instruction: the pattern of 2^52 + 2^51 + (flipped - B/2), minus
  // that double's offset, is the digit flipped - B/2 exactly.
  __m256d toDouble(__m256i flipped) const {
    const __m256d offset = _mm256_castsi256_pd(_mm256_set1_epi64x(kMagicBits));
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(flipped, magicMinusHalf_)), offset);
  }

  int baseLog_, level_, dropped_;
  __m256i roundingHalf_, mask_, half_, magicMinusHalf_;
};

inline __m256i load(const uint64_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// Digits of X^shift * in - in (Negate: of -X^shift * in - in) for the coefficients i in
// [0, N), N a multiple of 4. Coefficients below `shift` wrapped around X^N = -1 and come back
// negated; only the group of four that straddles `shift` needs assembling lane by lane.
template <int Level, bool Negate>
void decomposeRotatedDifference(const uint64_t* in, std::size_t n, std::size_t shift,
                                const Decomposer4<Level>& decomposer, double* digits) {
  const __m256i zero = _mm256_setzero_si256();
  auto process = [&](std::size_t i, __m256i rotated) {
    decomposer.decompose(_mm256_sub_epi64(rotated, load(in + i)), digits + i, n);
  };
  std::size_t i = 0;
  for (; i + 4 <= shift; i += 4) {
    const __m256i wrapped = load(in + i + n - shift);
    process(i, Negate ? wrapped : _mm256_sub_epi64(zero, wrapped));
  }
  if (i < shift) {
    alignas(32) uint64_t straddling[4];
    for (std::size_t e = 0; e < 4; ++e) {
      const uint64_t value = i + e >= shift ? in[i + e - shift] : 0 - in[i + e + n - shift];
      straddling[e] = Negate ? 0 - value : value;
    }
    process(i, load(straddling));
    i += 4;
  }
  for (; i < n; i += 4) {
    const __m256i shifted = load(in + i - shift);
    process(i, Negate ? _mm256_sub_epi64(zero, shifted) : shifted);
  }
}

template <int Level>
void decomposeRotatedDifference(const uint64_t* in, std::size_t polynomialSize, std::size_t exponent,
                                DecompositionParameters decomposition, double* digits) {
  const std::size_t n = polynomialSize;
  exponent %= 2 * n;
  const Decomposer4<Level> decomposer(decomposition);
  // X^N = -1: a shift by e in [N, 2N) is a shift by e - N with every sign flipped.
  if (exponent >= n) {
    decomposeRotatedDifference<Level, true>(in, n, exponent - n, decomposer, digits);
  } else {
    decomposeRotatedDifference<Level, false>(in, n, exponent, decomposer, digits);
  }
}

void decomposeRotatedDifferenceAvx2(const uint64_t* in, std::size_t polynomialSize, std::size_t exponent,
                                    DecompositionParameters decomposition, double* digits) {
  if (!Decomposer4<0>::supports(decomposition)) {
    kScalarExternalProductKernels.decomposeRotatedDifference(in, polynomialSize, exponent, decomposition, digits);
    return;
  }
  switch (decomposition.level) {  // the named sets use 1 to 3 levels
    case 1: decomposeRotatedDifference<1>(in, polynomialSize, exponent, decomposition, digits); break;
    case 2: decomposeRotatedDifference<2>(in, polynomialSize, exponent, decomposition, digits); break;
    case 3: decomposeRotatedDifference<3>(in, polynomialSize, exponent, decomposition, digits); break;
    default: decomposeRotatedDifference<0>(in, polynomialSize, exponent, decomposition, digits); break;
  }
}

}  // namespace

const ExternalProductKernels kAvx2ExternalProductKernels = {decomposeRotatedDifferenceAvx2};

}  // namespace cq::tfhe
