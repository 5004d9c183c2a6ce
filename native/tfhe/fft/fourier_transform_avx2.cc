// AVX2+FMA kernels of fourier_transform.h; compiled with -mavx2 -mfma and only called when the
// CPU supports both. Radix-2 stages run four butterflies per instruction on the split
// real/imaginary layout; the last two forward stages (and the first two backward ones), whose
// butterflies stay inside groups of four entries, run as one radix-4 step on 4x4 transposed
// blocks. FMA rounds differently from the scalar path, so the two agree to within the FFT's
// floating-point error, not bit for bit (tests compare them against exact products).
#include <immintrin.h>

#include "fourier_transform.h"

namespace cq::tfhe {

namespace {

inline void transpose4(__m256d& a, __m256d& b, __m256d& c, __m256d& d) {
  const __m256d t0 = _mm256_unpacklo_pd(a, b);
  const __m256d t1 = _mm256_unpackhi_pd(a, b);
  const __m256d t2 = _mm256_unpacklo_pd(c, d);
  const __m256d t3 = _mm256_unpackhi_pd(c, d);
  a = _mm256_permute2f128_pd(t0, t2, 0x20);
  b = _mm256_permute2f128_pd(t1, t3, 0x20);
  c = _mm256_permute2f128_pd(t0, t2, 0x31);
  d = _mm256_permute2f128_pd(t1, t3, 0x31);
}

// Forward stages len = 4 and len = 2 on 4 groups of 4 entries at [base, base + 16).
inline void forwardLastStages(double* re, double* im) {
  __m256d r0 = _mm256_loadu_pd(re), r1 = _mm256_loadu_pd(re + 4), r2 = _mm256_loadu_pd(re + 8),
          r3 = _mm256_loadu_pd(re + 12);
  __m256d i0 = _mm256_loadu_pd(im), i1 = _mm256_loadu_pd(im + 4), i2 = _mm256_loadu_pd(im + 8),
          i3 = _mm256_loadu_pd(im + 12);
  // After the transpose, vector e holds entry e of each of the four groups.
  transpose4(r0, r1, r2, r3);
  transpose4(i0, i1, i2, i3);
  // len 4: y0 = x0 + x2, y1 = x1 + x3, y2 = x0 - x2, y3 = (x1 - x3) * (-i)
  const __m256d y0r = _mm256_add_pd(r0, r2), y0i = _mm256_add_pd(i0, i2);
  const __m256d y1r = _mm256_add_pd(r1, r3), y1i = _mm256_add_pd(i1, i3);
  const __m256d y2r = _mm256_sub_pd(r0, r2), y2i = _mm256_sub_pd(i0, i2);
  const __m256d y3r = _mm256_sub_pd(i1, i3), y3i = _mm256_sub_pd(r3, r1);
  // len 2: z0 = y0 + y1, z1 = y0 - y1, z2 = y2 + y3, z3 = y2 - y3
  r0 = _mm256_add_pd(y0r, y1r);
  i0 = _mm256_add_pd(y0i, y1i);
  r1 = _mm256_sub_pd(y0r, y1r);
  i1 = _mm256_sub_pd(y0i, y1i);
  r2 = _mm256_add_pd(y2r, y3r);
  i2 = _mm256_add_pd(y2i, y3i);
  r3 = _mm256_sub_pd(y2r, y3r);
  i3 = _mm256_sub_pd(y2i, y3i);
  transpose4(r0, r1, r2, r3);
  transpose4(i0, i1, i2, i3);
  _mm256_storeu_pd(re, r0);
  _mm256_storeu_pd(re + 4, r1);
  _mm256_storeu_pd(re + 8, r2);
  _mm256_storeu_pd(re + 12, r3);
  _mm256_storeu_pd(im, i0);
  _mm256_storeu_pd(im + 4, i1);
  _mm256_storeu_pd(im + 8, i2);
  _mm256_storeu_pd(im + 12, i3);
}

// Backward stages len = 2 and len = 4 (conjugate twiddles: 1 and +i).
inline void backwardFirstStages(double* re, double* im) {
  __m256d r0 = _mm256_loadu_pd(re), r1 = _mm256_loadu_pd(re + 4), r2 = _mm256_loadu_pd(re + 8),
          r3 = _mm256_loadu_pd(re + 12);
  __m256d i0 = _mm256_loadu_pd(im), i1 = _mm256_loadu_pd(im + 4), i2 = _mm256_loadu_pd(im + 8),
          i3 = _mm256_loadu_pd(im + 12);
  transpose4(r0, r1, r2, r3);
  transpose4(i0, i1, i2, i3);
  // len 2: y0 = x0 + x1, y1 = x0 - x1, y2 = x2 + x3, y3 = x2 - x3
  const __m256d y0r = _mm256_add_pd(r0, r1), y0i = _mm256_add_pd(i0, i1);
  const __m256d y1r = _mm256_sub_pd(r0, r1), y1i = _mm256_sub_pd(i0, i1);
  const __m256d y2r = _mm256_add_pd(r2, r3), y2i = _mm256_add_pd(i2, i3);
  const __m256d y3r = _mm256_sub_pd(r2, r3), y3i = _mm256_sub_pd(i2, i3);
  // len 4: z0 = y0 + y2, z2 = y0 - y2, z1 = y1 + i y3, z3 = y1 - i y3; i y3 = (-y3i, y3r)
  r0 = _mm256_add_pd(y0r, y2r);
  i0 = _mm256_add_pd(y0i, y2i);
  r2 = _mm256_sub_pd(y0r, y2r);
  i2 = _mm256_sub_pd(y0i, y2i);
  r1 = _mm256_sub_pd(y1r, y3i);
  i1 = _mm256_add_pd(y1i, y3r);
  r3 = _mm256_add_pd(y1r, y3i);
  i3 = _mm256_sub_pd(y1i, y3r);
  transpose4(r0, r1, r2, r3);
  transpose4(i0, i1, i2, i3);
  _mm256_storeu_pd(re, r0);
  _mm256_storeu_pd(re + 4, r1);
  _mm256_storeu_pd(re + 8, r2);
  _mm256_storeu_pd(re + 12, r3);
  _mm256_storeu_pd(im, i0);
  _mm256_storeu_pd(im + 4, i1);
  _mm256_storeu_pd(im + 8, i2);
  _mm256_storeu_pd(im + 12, i3);
}

// Radix-2 stages down to len 8, then the fused radix-4 on groups of four.
void forwardButterfliesAvx2(const FourierTables& t, double* re, double* im) {
  const std::size_t m = t.halfSize;
  for (std::size_t len = m; len >= 8; len /= 2) {
    const std::size_t half = len / 2;
    const double* twr = t.twiddleReal.data() + t.twiddleOffset(len);
    const double* twi = t.twiddleImag.data() + t.twiddleOffset(len);
    for (std::size_t start = 0; start < m; start += len) {
      double* pr = re + start;
      double* pi = im + start;
      for (std::size_t j = 0; j < half; j += 4) {
        const __m256d ur = _mm256_loadu_pd(pr + j), ui = _mm256_loadu_pd(pi + j);
        const __m256d vr = _mm256_loadu_pd(pr + j + half), vi = _mm256_loadu_pd(pi + j + half);
        const __m256d wr = _mm256_loadu_pd(twr + j), wi = _mm256_loadu_pd(twi + j);
        _mm256_storeu_pd(pr + j, _mm256_add_pd(ur, vr));
        _mm256_storeu_pd(pi + j, _mm256_add_pd(ui, vi));
        const __m256d dr = _mm256_sub_pd(ur, vr), di = _mm256_sub_pd(ui, vi);
        _mm256_storeu_pd(pr + j + half, _mm256_fmsub_pd(dr, wr, _mm256_mul_pd(di, wi)));
        _mm256_storeu_pd(pi + j + half, _mm256_fmadd_pd(dr, wi, _mm256_mul_pd(di, wr)));
      }
    }
  }
  for (std::size_t start = 0; start < m; start += 16) forwardLastStages(re + start, im + start);
}

inline void twistStore(const FourierTables& t, std::size_t j, __m256d a, __m256d b, double* re, double* im) {
  const __m256d wr = _mm256_loadu_pd(t.twistReal.data() + j);
  const __m256d wi = _mm256_loadu_pd(t.twistImag.data() + j);
  _mm256_storeu_pd(re + j, _mm256_fmsub_pd(a, wr, _mm256_mul_pd(b, wi)));
  _mm256_storeu_pd(im + j, _mm256_fmadd_pd(a, wi, _mm256_mul_pd(b, wr)));
}

void forwardAvx2(const FourierTables& t, const int64_t* in, double* spectrum) {
  const std::size_t m = t.halfSize;
  double* re = spectrum;
  double* im = spectrum + m;
  for (std::size_t j = 0; j < m; j += 4) {
    // Signed 64-bit to double has no AVX2 instruction; this path only serves key generation.
    const __m256d a = _mm256_setr_pd(static_cast<double>(in[j]), static_cast<double>(in[j + 1]),
                                     static_cast<double>(in[j + 2]), static_cast<double>(in[j + 3]));
    const __m256d b = _mm256_setr_pd(static_cast<double>(in[j + m]), static_cast<double>(in[j + m + 1]),
                                     static_cast<double>(in[j + m + 2]), static_cast<double>(in[j + m + 3]));
    twistStore(t, j, a, b, re, im);
  }
  forwardButterfliesAvx2(t, re, im);
}

void forwardRealAvx2(const FourierTables& t, const double* in, double* spectrum) {
  const std::size_t m = t.halfSize;
  double* re = spectrum;
  double* im = spectrum + m;
  for (std::size_t j = 0; j < m; j += 4) twistStore(t, j, _mm256_loadu_pd(in + j), _mm256_loadu_pd(in + j + m), re, im);
  forwardButterfliesAvx2(t, re, im);
}

void backwardButterfliesAvx2(const FourierTables& t, double* re, double* im) {
  const std::size_t m = t.halfSize;
  for (std::size_t start = 0; start < m; start += 16) backwardFirstStages(re + start, im + start);
  for (std::size_t len = 8; len <= m; len *= 2) {
    const std::size_t half = len / 2;
    const double* twr = t.twiddleReal.data() + t.twiddleOffset(len);
    const double* twi = t.twiddleImag.data() + t.twiddleOffset(len);
    for (std::size_t start = 0; start < m; start += len) {
      double* pr = re + start;
      double* pi = im + start;
      for (std::size_t j = 0; j < half; j += 4) {
        const __m256d xr = _mm256_loadu_pd(pr + j + half), xi = _mm256_loadu_pd(pi + j + half);
        const __m256d wr = _mm256_loadu_pd(twr + j), wi = _mm256_loadu_pd(twi + j);
        const __m256d vr = _mm256_fmadd_pd(xr, wr, _mm256_mul_pd(xi, wi));
        const __m256d vi = _mm256_fmsub_pd(xi, wr, _mm256_mul_pd(xr, wi));
        const __m256d ur = _mm256_loadu_pd(pr + j), ui = _mm256_loadu_pd(pi + j);
        _mm256_storeu_pd(pr + j, _mm256_add_pd(ur, vr));
        _mm256_storeu_pd(pi + j, _mm256_add_pd(ui, vi));
        _mm256_storeu_pd(pr + j + half, _mm256_sub_pd(ur, vr));
        _mm256_storeu_pd(pi + j + half, _mm256_sub_pd(ui, vi));
      }
    }
  }
}

// round(x) mod 2^64 for four doubles: the same bit manipulation as roundToTorus, where the
// variable shifts give 0 for any count outside [0, 63], which covers both out-of-range cases.
inline __m256i roundToTorusAvx2(__m256d x) {
  const __m256d rounded = _mm256_round_pd(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256i bits = _mm256_castpd_si256(rounded);
  const __m256i exponent = _mm256_and_si256(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(0x7ff));
  const __m256i mantissa = _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi64x((int64_t{1} << 52) - 1)),
                                           _mm256_set1_epi64x(int64_t{1} << 52));
  const __m256i leftShift = _mm256_sub_epi64(exponent, _mm256_set1_epi64x(1075));
  const __m256i rightShift = _mm256_sub_epi64(_mm256_set1_epi64x(1075), exponent);
  __m256i magnitude = _mm256_or_si256(_mm256_sllv_epi64(mantissa, leftShift), _mm256_srlv_epi64(mantissa, rightShift));
  // A zero exponent is the value 0 (the right shift of 1075 already gives 0).
  const __m256i negative = _mm256_cmpgt_epi64(_mm256_setzero_si256(), bits);
  return _mm256_sub_epi64(_mm256_xor_si256(magnitude, negative), negative);
}

void backwardAddToTorusAvx2(const FourierTables& t, double* spectrum, uint64_t* out) {
  const std::size_t m = t.halfSize;
  double* re = spectrum;
  double* im = spectrum + m;
  backwardButterfliesAvx2(t, re, im);
  for (std::size_t j = 0; j < m; j += 4) {
    const __m256d xr = _mm256_loadu_pd(re + j), xi = _mm256_loadu_pd(im + j);
    const __m256d wr = _mm256_loadu_pd(t.untwistReal.data() + j), wi = _mm256_loadu_pd(t.untwistImag.data() + j);
    const __m256d low = _mm256_fmsub_pd(xr, wr, _mm256_mul_pd(xi, wi));
    const __m256d high = _mm256_fmadd_pd(xr, wi, _mm256_mul_pd(xi, wr));
    __m256i* lowOut = reinterpret_cast<__m256i*>(out + j);
    __m256i* highOut = reinterpret_cast<__m256i*>(out + j + m);
    _mm256_storeu_si256(lowOut, _mm256_add_epi64(_mm256_loadu_si256(lowOut), roundToTorusAvx2(low)));
    _mm256_storeu_si256(highOut, _mm256_add_epi64(_mm256_loadu_si256(highOut), roundToTorusAvx2(high)));
  }
}

void backwardToRealAvx2(const FourierTables& t, double* spectrum, double* out) {
  const std::size_t m = t.halfSize;
  double* re = spectrum;
  double* im = spectrum + m;
  backwardButterfliesAvx2(t, re, im);
  for (std::size_t j = 0; j < m; j += 4) {
    const __m256d xr = _mm256_loadu_pd(re + j), xi = _mm256_loadu_pd(im + j);
    const __m256d wr = _mm256_loadu_pd(t.untwistReal.data() + j), wi = _mm256_loadu_pd(t.untwistImag.data() + j);
    _mm256_storeu_pd(out + j, _mm256_fmsub_pd(xr, wr, _mm256_mul_pd(xi, wi)));
    _mm256_storeu_pd(out + j + m, _mm256_fmadd_pd(xr, wi, _mm256_mul_pd(xi, wr)));
  }
}

void multiplyAccumulateAvx2(double* acc, const double* a, const double* b, std::size_t m) {
  for (std::size_t j = 0; j < m; j += 4) {
    const __m256d ar = _mm256_loadu_pd(a + j), ai = _mm256_loadu_pd(a + j + m);
    const __m256d br = _mm256_loadu_pd(b + j), bi = _mm256_loadu_pd(b + j + m);
    __m256d accR = _mm256_loadu_pd(acc + j), accI = _mm256_loadu_pd(acc + j + m);
    accR = _mm256_fnmadd_pd(ai, bi, _mm256_fmadd_pd(ar, br, accR));
    accI = _mm256_fmadd_pd(ai, br, _mm256_fmadd_pd(ar, bi, accI));
    _mm256_storeu_pd(acc + j, accR);
    _mm256_storeu_pd(acc + j + m, accI);
  }
}

}  // namespace

const FourierKernels kAvx2FourierKernels = {forwardAvx2, forwardRealAvx2, backwardAddToTorusAvx2, backwardToRealAvx2,
                                            multiplyAccumulateAvx2};

}  // namespace cq::tfhe
