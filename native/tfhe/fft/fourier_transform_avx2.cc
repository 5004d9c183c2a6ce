// AVX2+FMA kernels of fourier_transform.h; compiled with -mavx2 -mfma and only called when the
// CPU supports both. They run the scalar path's schedule and formulas (fourier_transform.cc)
// four butterflies per instruction on the split real/imaginary layout; the last two forward
// stages (first two backward), whose butterflies stay inside groups of four entries, run on
// 4x4 transposed blocks. FMA rounds differently from the scalar path, so the two agree to
// within the FFT's floating-point error, not bit for bit (tests compare both with exact
// products).
#include <immintrin.h>

#include "fourier_transform.h"
#include "prefetch_stream.h"

namespace cq::tfhe {

namespace {

struct Complex4 {
  __m256d re, im;
};

// Four doubles from memory, read once. GCC otherwise folds the load into each instruction that
// uses the value (a + c and a - c both read a and c from memory), which doubled the loads of the
// butterfly loops, and loads (with stores) are what bounds them on Zen 3: two per cycle.
inline __m256d loadOnce(const double* p) {
  __m256d x = _mm256_loadu_pd(p);
  asm("" : "+x"(x));  // opaque: the value must come from this one load
  return x;
}

inline Complex4 load(const double* re, const double* im, std::size_t p) {
  return {loadOnce(re + p), loadOnce(im + p)};
}
inline void store(double* re, double* im, std::size_t p, Complex4 x) {
  _mm256_storeu_pd(re + p, x.re);
  _mm256_storeu_pd(im + p, x.im);
}
inline Complex4 add(Complex4 a, Complex4 b) { return {_mm256_add_pd(a.re, b.re), _mm256_add_pd(a.im, b.im)}; }
inline Complex4 sub(Complex4 a, Complex4 b) { return {_mm256_sub_pd(a.re, b.re), _mm256_sub_pd(a.im, b.im)}; }
// a - i b and a + i b.
inline Complex4 subTimesI(Complex4 a, Complex4 b) { return {_mm256_add_pd(a.re, b.im), _mm256_sub_pd(a.im, b.re)}; }
inline Complex4 addTimesI(Complex4 a, Complex4 b) { return {_mm256_sub_pd(a.re, b.im), _mm256_add_pd(a.im, b.re)}; }
// x * w and x * conj(w).
inline Complex4 multiply(Complex4 x, Complex4 w) {
  return {_mm256_fmsub_pd(x.re, w.re, _mm256_mul_pd(x.im, w.im)), _mm256_fmadd_pd(x.re, w.im, _mm256_mul_pd(x.im, w.re))};
}
inline Complex4 multiplyConjugate(Complex4 x, Complex4 w) {
  return {_mm256_fmadd_pd(x.re, w.re, _mm256_mul_pd(x.im, w.im)), _mm256_fmsub_pd(x.im, w.re, _mm256_mul_pd(x.re, w.im))};
}

// Factor `factor` of entries j..j+3 (j a multiple of 4) in a table of `factors` factors per
// entry (FourierTables::factorAt): four real parts, then four imaginary ones.
inline Complex4 loadFactor(const double* table, std::size_t j, std::size_t factor, std::size_t factors) {
  const double* at = table + FourierTables::factorAt(j, factor, factors);
  return {_mm256_loadu_pd(at), _mm256_loadu_pd(at + 4)};
}

// Twiddles W^j, W^2j, W^3j for j..j+3 of a radix-4 pass (layout in FourierTables::Pass).
struct Radix4Twiddles {
  Complex4 w1, w2, w3;
};
inline Radix4Twiddles radix4Twiddles(const double* table, std::size_t j) {
  return {loadFactor(table, j, 0, 3), loadFactor(table, j, 1, 3), loadFactor(table, j, 2, 3)};
}

// See forwardRadix4 in fourier_transform.cc.
inline void forwardRadix4(Complex4& a, Complex4& b, Complex4& c, Complex4& d, const Radix4Twiddles& w) {
  const Complex4 t0 = add(a, c), t2 = sub(a, c), t1 = add(b, d), t3 = sub(b, d);
  a = add(t0, t1);
  b = multiply(sub(t0, t1), w.w2);
  c = multiply(subTimesI(t2, t3), w.w1);
  d = multiply(addTimesI(t2, t3), w.w3);
}
inline void backwardRadix4(Complex4& a, Complex4& b, Complex4& c, Complex4& d, const Radix4Twiddles& w) {
  const Complex4 bb = multiplyConjugate(b, w.w2), cc = multiplyConjugate(c, w.w1), dd = multiplyConjugate(d, w.w3);
  const Complex4 s0 = add(a, bb), s1 = sub(a, bb), s2 = add(cc, dd), s3 = sub(cc, dd);
  a = add(s0, s2);
  b = addTimesI(s1, s3);
  c = sub(s0, s2);
  d = subTimesI(s1, s3);
}

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

// The len-16 radix-4 pass and the len-4/len-2 stages on the 16 entries at p, in registers:
// the radix-4 butterfly's four vectors are the four groups of four that the last stages work
// inside, and one transpose turns lanes into entries. The results stay transposed (entry e of
// group g at p + 4e + g: the spectrum order of fourier_transform.h), which spares the transpose
// back here and the one into the backward transform's first stages.
inline void forwardLastStages(double* re, double* im, std::size_t p, const Radix4Twiddles& w16) {
  Complex4 x[4];
  for (int e = 0; e < 4; ++e) x[e] = load(re, im, p + 4 * e);
  forwardRadix4(x[0], x[1], x[2], x[3], w16);
  transpose4(x[0].re, x[1].re, x[2].re, x[3].re);
  transpose4(x[0].im, x[1].im, x[2].im, x[3].im);
  // Vector e now holds entry e of each group: len 4 (twiddles 1, -i), then len 2.
  const Complex4 y0 = add(x[0], x[2]), y1 = add(x[1], x[3]), y2 = sub(x[0], x[2]), y3 = sub(x[1], x[3]);
  store(re, im, p, add(y0, y1));
  store(re, im, p + 4, sub(y0, y1));
  store(re, im, p + 8, subTimesI(y2, y3));
  store(re, im, p + 12, addTimesI(y2, y3));
}

// The mirror: backward len 2, len 4 (twiddles 1, then 1 and +i) on the transposed block x (the
// 16 entries at p, four per vector), one transpose, then the len-16 radix-4 pass.
inline void backwardFirstStages(Complex4 (&x)[4], double* re, double* im, std::size_t p, const Radix4Twiddles& w16) {
  const Complex4 y0 = add(x[0], x[1]), y1 = sub(x[0], x[1]), y2 = add(x[2], x[3]), y3 = sub(x[2], x[3]);
  x[0] = add(y0, y2);
  x[2] = sub(y0, y2);
  x[1] = addTimesI(y1, y3);
  x[3] = subTimesI(y1, y3);
  transpose4(x[0].re, x[1].re, x[2].re, x[3].re);
  transpose4(x[0].im, x[1].im, x[2].im, x[3].im);
  backwardRadix4(x[0], x[1], x[2], x[3], w16);
  for (int e = 0; e < 4; ++e) store(re, im, p + 4 * e, x[e]);
}

inline Complex4 broadcast(double re, double im) { return {_mm256_set1_pd(re), _mm256_set1_pd(im)}; }

// Forward transform of in[0, M) + i in[M, 2M) into re/im (in may equal re/im): the first pass
// multiplies its inputs by the constants c_s and its outputs by w^j times its twiddles (see
// fourier_transform.h). Every vector loop iteration advances `prefetch` by one step.
void forwardFrom(const FourierTables& t, const double* in, double* re, double* im, PrefetchStream& stream) {
  PrefetchStream prefetch = stream;  // in registers (prefetch_stream.h)
  const std::size_t m = t.halfSize;
  auto input = [&](std::size_t p) { return load(in, in + m, p); };
  const double* factors = t.forwardFactors.data();
  if (t.passes.front().radix == 2) {
    const std::size_t h = m / 2;
    const Complex4 c = broadcast(t.constantReal[2], t.constantImag[2]);
    for (std::size_t j = 0; j < h; j += 4) {
      prefetch.step();
      const Complex4 u = input(j), v = multiply(input(j + h), c);
      store(re, im, j, multiply(add(u, v), loadFactor(factors, j, 0, 2)));
      store(re, im, j + h, multiply(sub(u, v), loadFactor(factors, j, 1, 2)));
    }
  } else {
    const std::size_t q = m / 4;
    const Complex4 c1 = broadcast(t.constantReal[1], t.constantImag[1]);
    const Complex4 c2 = broadcast(t.constantReal[2], t.constantImag[2]);
    const Complex4 c3 = broadcast(t.constantReal[3], t.constantImag[3]);
    for (std::size_t j = 0; j < q; j += 4) {
      prefetch.step();
      const Complex4 y0 = input(j), y1 = multiply(input(j + q), c1), y2 = multiply(input(j + 2 * q), c2),
                     y3 = multiply(input(j + 3 * q), c3);
      const Complex4 t0 = add(y0, y2), t2 = sub(y0, y2), t1 = add(y1, y3), t3 = sub(y1, y3);
      store(re, im, j, multiply(add(t0, t1), loadFactor(factors, j, 0, 4)));
      store(re, im, j + q, multiply(sub(t0, t1), loadFactor(factors, j, 1, 4)));
      store(re, im, j + 2 * q, multiply(subTimesI(t2, t3), loadFactor(factors, j, 2, 4)));
      store(re, im, j + 3 * q, multiply(addTimesI(t2, t3), loadFactor(factors, j, 3, 4)));
    }
  }
  // Passes after the first are radix 4; the last one (len 16) runs with the last stages.
  const std::size_t lastPass = t.passes.size() - 1;
  for (std::size_t pass = 1; pass < lastPass; ++pass) {
    const std::size_t len = t.passes[pass].length, q = len / 4;
    const double* table = t.twiddles.data() + t.passes[pass].offset;
    for (std::size_t start = 0; start < m; start += len) {
      for (std::size_t j = 0; j < q; j += 4) {
        prefetch.step();
        const std::size_t p = start + j;
        Complex4 a = load(re, im, p), b = load(re, im, p + q), c = load(re, im, p + 2 * q), d = load(re, im, p + 3 * q);
        forwardRadix4(a, b, c, d, radix4Twiddles(table, j));
        store(re, im, p, a);
        store(re, im, p + q, b);
        store(re, im, p + 2 * q, c);
        store(re, im, p + 3 * q, d);
      }
    }
  }
  const Radix4Twiddles w16 = radix4Twiddles(t.twiddles.data() + t.passes[lastPass].offset, 0);
  for (std::size_t p = 0; p < m; p += 16) {
    prefetch.step();
    forwardLastStages(re, im, p, w16);
  }
  stream = prefetch;
}

// Backward transform (M times the inverse DFT) of the spectrum whose 16-entry blocks
// `source(p, x)` supplies (x[e] = entries p + 4e .. p + 4e + 3), written to re/im as it goes; the
// last pass hands its results to `emit(positions, values)` instead of storing them: two or four
// groups of four entries per call (values[g] = entries positions[g] .. positions[g] + 3). Every
// vector loop iteration advances `prefetch` by one step.
template <typename Source, typename Emit>
inline void backwardTo(const FourierTables& t, double* re, double* im, PrefetchStream& stream, Source&& source,
                       const Emit& output) {
  PrefetchStream prefetch = stream;  // in registers (prefetch_stream.h)
  // A local copy stays in registers; through the reference, its members (an output pointer and
  // M) would be reloaded after every store through that pointer.
  const Emit emit = output;
  const std::size_t m = t.halfSize;
  const std::size_t lastPass = t.passes.size() - 1;  // len 16, run with the first stages
  const Radix4Twiddles w16 = radix4Twiddles(t.twiddles.data() + t.passes[lastPass].offset, 0);
  for (std::size_t p = 0; p < m; p += 16) {
    prefetch.step();
    Complex4 x[4];
    source(p, x);
    backwardFirstStages(x, re, im, p, w16);
  }
  for (std::size_t pass = lastPass - 1; pass >= 1; --pass) {
    const std::size_t len = t.passes[pass].length, q = len / 4;
    const double* table = t.twiddles.data() + t.passes[pass].offset;
    for (std::size_t start = 0; start < m; start += len) {
      for (std::size_t j = 0; j < q; j += 4) {
        prefetch.step();
        const std::size_t p = start + j;
        Complex4 a = load(re, im, p), b = load(re, im, p + q), c = load(re, im, p + 2 * q), d = load(re, im, p + 3 * q);
        backwardRadix4(a, b, c, d, radix4Twiddles(table, j));
        store(re, im, p, a);
        store(re, im, p + q, b);
        store(re, im, p + 2 * q, c);
        store(re, im, p + 3 * q, d);
      }
    }
  }
  // The last pass, with the untwist and 1/M folded in: inputs times w^-j / M and conjugate
  // twiddles, results times conj(c_s).
  const double* factors = t.backwardFactors.data();
  if (t.passes.front().radix == 2) {
    const std::size_t h = m / 2;
    const Complex4 c = broadcast(t.constantReal[2], t.constantImag[2]);
    for (std::size_t j = 0; j < h; j += 4) {
      prefetch.step();
      const Complex4 a = multiply(load(re, im, j), loadFactor(factors, j, 0, 2));
      const Complex4 b = multiply(load(re, im, j + h), loadFactor(factors, j, 1, 2));
      emit({j, j + h}, {add(a, b), multiplyConjugate(sub(a, b), c)});
    }
  } else {
    const std::size_t q = m / 4;
    const Complex4 c1 = broadcast(t.constantReal[1], t.constantImag[1]);
    const Complex4 c2 = broadcast(t.constantReal[2], t.constantImag[2]);
    const Complex4 c3 = broadcast(t.constantReal[3], t.constantImag[3]);
    for (std::size_t j = 0; j < q; j += 4) {
      prefetch.step();
      const Complex4 a = multiply(load(re, im, j), loadFactor(factors, j, 0, 4));
      const Complex4 b = multiply(load(re, im, j + q), loadFactor(factors, j, 1, 4));
      const Complex4 c = multiply(load(re, im, j + 2 * q), loadFactor(factors, j, 2, 4));
      const Complex4 d = multiply(load(re, im, j + 3 * q), loadFactor(factors, j, 3, 4));
      const Complex4 s0 = add(a, b), s1 = sub(a, b), s2 = add(c, d), s3 = sub(c, d);
      emit({j, j + q, j + 2 * q, j + 3 * q}, {add(s0, s2), multiplyConjugate(addTimesI(s1, s3), c1),
                                              multiplyConjugate(sub(s0, s2), c2), multiplyConjugate(subTimesI(s1, s3), c3)});
    }
  }
  stream = prefetch;
}

// round(x) mod 2^64 for four doubles of any magnitude (AVX2 has no double -> int64), exactly
// as roundToTorus: r = x - 2^64 round(x / 2^64) is exact with |r| <= 2^63; r = h 2^32 + l with
// h = round(r / 2^32), |h| <= 2^31, and l = r - h 2^32 exact, |l| <= 2^31. Adding 2^52 + 2^51
// to a double under 2^51 in magnitude leaves its value rounded to an integer (ties to even, as
// nearbyint) in the low bits of the pattern, so round(r) = h 2^32 + round(l) is
// (bits(h + c) << 32) + bits(l + c) - bits(c), c = 2^52 + 2^51 (whose low 32 bits are zero).
inline __m256i roundToTorusAvx2(__m256d x) {
  constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  const __m256d magic = _mm256_set1_pd(6755399441055744.0);  // 2^52 + 2^51
  const __m256d wraps = _mm256_round_pd(_mm256_mul_pd(x, _mm256_set1_pd(0x1p-64)), kNearest);
  const __m256d r = _mm256_fnmadd_pd(wraps, _mm256_set1_pd(0x1p64), x);
  const __m256d high = _mm256_round_pd(_mm256_mul_pd(r, _mm256_set1_pd(0x1p-32)), kNearest);
  const __m256d low = _mm256_fnmadd_pd(high, _mm256_set1_pd(0x1p32), r);
  const __m256i highBits = _mm256_castpd_si256(_mm256_add_pd(high, magic));
  const __m256i lowBits = _mm256_castpd_si256(_mm256_add_pd(low, magic));
  return _mm256_sub_epi64(_mm256_add_epi64(_mm256_slli_epi64(highBits, 32), lowBits), _mm256_castpd_si256(magic));
}

// static_cast<double> of four int64, exactly: the high halves as signed int32, the low halves
// as unsigned through the 2^52 pattern, and one FMA, whose single rounding of the exact
// high * 2^32 + low is the correctly rounded conversion.
inline __m256d int64ToDouble(__m256i v) {
  const __m256i highHalves = _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(1, 3, 5, 7, 0, 2, 4, 6));
  const __m256d high = _mm256_cvtepi32_pd(_mm256_castsi256_si128(highHalves));
  const __m256i lowBits = _mm256_or_si256(_mm256_and_si256(v, _mm256_set1_epi64x(0xffffffff)),
                                          _mm256_set1_epi64x(0x4330000000000000));  // 2^52 + low
  const __m256d low = _mm256_sub_pd(_mm256_castsi256_pd(lowBits), _mm256_set1_pd(0x1p52));
  return _mm256_fmadd_pd(high, _mm256_set1_pd(0x1p32), low);
}

void forwardRealPrefetchingAvx2(const FourierTables& t, const double* in, double* spectrum, PrefetchStream& prefetch) {
  forwardFrom(t, in, spectrum, spectrum + t.halfSize, prefetch);
}

void forwardRealAvx2(const FourierTables& t, const double* in, double* spectrum) {
  PrefetchStream none;
  forwardFrom(t, in, spectrum, spectrum + t.halfSize, none);
}

void forwardAvx2(const FourierTables& t, const int64_t* in, double* spectrum) {
  for (std::size_t j = 0; j < t.polynomialSize; j += 4) {
    _mm256_storeu_pd(spectrum + j, int64ToDouble(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + j))));
  }
  PrefetchStream none;
  forwardFrom(t, spectrum, spectrum, spectrum + t.halfSize, none);
}

// The spectrum's own blocks, for backwardTo.
struct SpectrumSource {
  const double* re;
  const double* im;
  void operator()(std::size_t p, Complex4 (&x)[4]) const {
    for (int e = 0; e < 4; ++e) x[e] = load(re, im, p + 4 * e);
  }
};

// out[p..p+3] += the real parts, out[p+M..p+M+3] the imaginary ones, rounded to the torus, for
// each group. All loads come before the first store: the groups lie q = M/4 entries apart, so
// out[p] and out[p + 2q] (or p + M) share their address modulo 4 KB, and a load issued after a
// store to such an address waits for it (4K aliasing), which made this loop twice as slow.
struct AddToTorus {
  uint64_t* out;
  std::size_t m;
  template <std::size_t Groups>
  void operator()(const std::size_t (&positions)[Groups], const Complex4 (&values)[Groups]) const {
    __m256i low[Groups], high[Groups];
    for (std::size_t g = 0; g < Groups; ++g) {
      low[g] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(out + positions[g]));
      high[g] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(out + positions[g] + m));
    }
    for (std::size_t g = 0; g < Groups; ++g) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + positions[g]),
                          _mm256_add_epi64(low[g], roundToTorusAvx2(values[g].re)));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + positions[g] + m),
                          _mm256_add_epi64(high[g], roundToTorusAvx2(values[g].im)));
    }
  }
};

void backwardAddToTorusPrefetchingAvx2(const FourierTables& t, double* spectrum, uint64_t* out,
                                       PrefetchStream& prefetch) {
  const std::size_t m = t.halfSize;
  backwardTo(t, spectrum, spectrum + m, prefetch, SpectrumSource{spectrum, spectrum + m}, AddToTorus{out, m});
}

// Blocks of sum_r spectra_r * key_r, formed as backwardTo asks for them (rows in order, the
// formulas of the scalar path's products with FMA).
struct ProductSource {
  const double* spectra;
  std::size_t rows, n, m;
  const double* keyColumn;
  void operator()(std::size_t p, Complex4 (&x)[4]) const {
    const double* block = keyColumn + (p / 16) * rows * 32;
    for (int e = 0; e < 4; ++e) x[e] = {_mm256_setzero_pd(), _mm256_setzero_pd()};
    for (std::size_t row = 0; row < rows; ++row, block += 32) {
      const double* a = spectra + row * n + p;
      for (int e = 0; e < 4; ++e) {
        const __m256d ar = _mm256_loadu_pd(a + 4 * e), ai = _mm256_loadu_pd(a + m + 4 * e);
        const __m256d br = _mm256_loadu_pd(block + 4 * e), bi = _mm256_loadu_pd(block + 16 + 4 * e);
        x[e].re = _mm256_fnmadd_pd(ai, bi, _mm256_fmadd_pd(ar, br, x[e].re));
        x[e].im = _mm256_fmadd_pd(ai, br, _mm256_fmadd_pd(ar, bi, x[e].im));
      }
    }
  }
};

void backwardProductAddToTorusAvx2(const FourierTables& t, const double* spectra, std::size_t rows,
                                   const double* keyColumn, double* scratch, uint64_t* out, PrefetchStream& prefetch) {
  const std::size_t m = t.halfSize;
  backwardTo(t, scratch, scratch + m, prefetch, ProductSource{spectra, rows, t.polynomialSize, m, keyColumn},
             AddToTorus{out, m});
}

// out[p..p+3] = the real parts, out[p+M..p+M+3] the imaginary ones, for each group.
struct StoreReal {
  double* out;
  std::size_t m;
  template <std::size_t Groups>
  void operator()(const std::size_t (&positions)[Groups], const Complex4 (&values)[Groups]) const {
    for (std::size_t g = 0; g < Groups; ++g) {
      _mm256_storeu_pd(out + positions[g], values[g].re);
      _mm256_storeu_pd(out + positions[g] + m, values[g].im);
    }
  }
};

void backwardAddToTorusAvx2(const FourierTables& t, double* spectrum, uint64_t* out) {
  PrefetchStream none;
  backwardAddToTorusPrefetchingAvx2(t, spectrum, out, none);
}

void backwardToRealAvx2(const FourierTables& t, double* spectrum, double* out) {
  const std::size_t m = t.halfSize;
  PrefetchStream none;
  backwardTo(t, spectrum, spectrum + m, none, SpectrumSource{spectrum, spectrum + m}, StoreReal{out, m});
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

const FourierKernels kAvx2FourierKernels = {forwardAvx2,
                                            forwardRealAvx2,
                                            backwardAddToTorusAvx2,
                                            backwardToRealAvx2,
                                            multiplyAccumulateAvx2,
                                            forwardRealPrefetchingAvx2,
                                            backwardAddToTorusPrefetchingAvx2,
                                            backwardProductAddToTorusAvx2};

}  // namespace cq::tfhe
