// AVX2 keyswitch kernel of keyswitch.h; compiled with -mavx2 -mfma and only called when the
// CPU supports both.
#include <immintrin.h>

#include "keyswitch.h"

namespace cq::tfhe {

namespace {

inline __m256i load(const uint64_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// AVX2 multiplies only 32 x 32 -> 64 bits. For a digit d with |d| < 2^31 and x = xh 2^32 + xl,
// with u = d mod 2^32: x d = xl d + (xh d mod 2^32) 2^32 (mod 2^64), where xl u = xl d + xl 2^32
// when d < 0 and xh u = xh d (mod 2^32). So x d = xl u + ((xh u - [d < 0] xl) << 32): the low
// products, the high products and the corrections add up separately over all levels, and the
// shift happens once per word.
template <int Levels>
void subtractLevels(uint64_t* out, const uint64_t* rows, std::size_t rowStride, const int64_t* digits, std::size_t size,
                    PrefetchStream& stream) {
  PrefetchStream prefetch = stream;  // in registers (fft/prefetch_stream.h)
  __m256i multiplier[Levels], negative[Levels];
  for (int j = 0; j < Levels; ++j) {
    multiplier[j] = _mm256_set1_epi64x(static_cast<int64_t>(static_cast<uint32_t>(digits[j])));
    negative[j] = _mm256_set1_epi64x(digits[j] < 0 ? -1 : 0);
  }
  std::size_t w = 0;
  for (; w + 4 <= size; w += 4) {
    prefetch.step();
    __m256i low = _mm256_setzero_si256(), high = low, correction = low;
    for (int j = 0; j < Levels; ++j) {
      const __m256i x = load(rows + static_cast<std::size_t>(j) * rowStride + w);
      low = _mm256_add_epi64(low, _mm256_mul_epu32(x, multiplier[j]));
      high = _mm256_add_epi64(high, _mm256_mul_epu32(_mm256_srli_epi64(x, 32), multiplier[j]));
      correction = _mm256_add_epi64(correction, _mm256_and_si256(x, negative[j]));
    }
    const __m256i sum = _mm256_add_epi64(low, _mm256_slli_epi64(_mm256_sub_epi64(high, correction), 32));
    __m256i* target = reinterpret_cast<__m256i*>(out + w);
    _mm256_storeu_si256(target, _mm256_sub_epi64(_mm256_loadu_si256(target), sum));
  }
  for (; w < size; ++w) {
    for (int j = 0; j < Levels; ++j) out[w] -= static_cast<uint64_t>(digits[j]) * rows[static_cast<std::size_t>(j) * rowStride + w];
  }
  stream = prefetch;
}

void subtractDigitCombinationAvx2(uint64_t* out, const uint64_t* rows, std::size_t rowStride, const int64_t* digits,
                                  int levels, std::size_t size, PrefetchStream& prefetch) {
  for (int j = 0; j < levels; ++j) {
    if (digits[j] >= (int64_t{1} << 31) || digits[j] < -(int64_t{1} << 31)) {  // base logs above 32
      kScalarKeyswitchKernels.subtractDigitCombination(out, rows, rowStride, digits, levels, size, prefetch);
      return;
    }
  }
  // Up to four levels per sweep over `out` (the named sets use 3 to 7).
  for (int first = 0; first < levels; first += 4) {
    const uint64_t* group = rows + static_cast<std::size_t>(first) * rowStride;
    switch (levels - first) {
      case 1: subtractLevels<1>(out, group, rowStride, digits + first, size, prefetch); break;
      case 2: subtractLevels<2>(out, group, rowStride, digits + first, size, prefetch); break;
      case 3: subtractLevels<3>(out, group, rowStride, digits + first, size, prefetch); break;
      default: subtractLevels<4>(out, group, rowStride, digits + first, size, prefetch); break;
    }
  }
}

// Compact32 keys: eight words per vector and one 32 x 32 -> 32-bit multiply per word and level,
// which is exact modulo 2^32 for any digit (only its residue matters).
template <int Levels>
void subtractLevels32(uint32_t* out, const uint32_t* rows, std::size_t rowStride, const int64_t* digits,
                      std::size_t size, PrefetchStream& stream) {
  PrefetchStream prefetch = stream;  // in registers (fft/prefetch_stream.h)
  __m256i multiplier[Levels];
  for (int j = 0; j < Levels; ++j) multiplier[j] = _mm256_set1_epi32(static_cast<int32_t>(static_cast<uint32_t>(digits[j])));
  std::size_t w = 0;
  for (; w + 8 <= size; w += 8) {
    prefetch.step();
    __m256i sum = _mm256_mullo_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows + w)), multiplier[0]);
    for (int j = 1; j < Levels; ++j) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows + static_cast<std::size_t>(j) * rowStride + w));
      sum = _mm256_add_epi32(sum, _mm256_mullo_epi32(x, multiplier[j]));
    }
    __m256i* target = reinterpret_cast<__m256i*>(out + w);
    _mm256_storeu_si256(target, _mm256_sub_epi32(_mm256_loadu_si256(target), sum));
  }
  for (; w < size; ++w) {
    for (int j = 0; j < Levels; ++j) {
      out[w] -= static_cast<uint32_t>(digits[j]) * rows[static_cast<std::size_t>(j) * rowStride + w];
    }
  }
  stream = prefetch;
}

void subtractDigitCombination32Avx2(uint32_t* out, const uint32_t* rows, std::size_t rowStride, const int64_t* digits,
                                    int levels, std::size_t size, PrefetchStream& prefetch) {
  // Up to eight levels per sweep over `out` (the named sets use 3 to 7): one pass of loads.
  for (int first = 0; first < levels; first += 8) {
    const uint32_t* group = rows + static_cast<std::size_t>(first) * rowStride;
    const int64_t* d = digits + first;
    switch (levels - first) {
      case 1: subtractLevels32<1>(out, group, rowStride, d, size, prefetch); break;
      case 2: subtractLevels32<2>(out, group, rowStride, d, size, prefetch); break;
      case 3: subtractLevels32<3>(out, group, rowStride, d, size, prefetch); break;
      case 4: subtractLevels32<4>(out, group, rowStride, d, size, prefetch); break;
      case 5: subtractLevels32<5>(out, group, rowStride, d, size, prefetch); break;
      case 6: subtractLevels32<6>(out, group, rowStride, d, size, prefetch); break;
      case 7: subtractLevels32<7>(out, group, rowStride, d, size, prefetch); break;
      default: subtractLevels32<8>(out, group, rowStride, d, size, prefetch); break;
    }
  }
}

}  // namespace

const KeyswitchKernels kAvx2KeyswitchKernels = {subtractDigitCombinationAvx2, subtractDigitCombination32Avx2};

}  // namespace cq::tfhe
