#include "fourier_transform.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "../../runtime/cpu_features.h"

namespace cq::tfhe {

namespace {

constexpr int kMinLog2Size = 8;
constexpr int kMaxLog2Size = 16;

// scale * exp(i angle) into a factor table at entry j, factor `factor` of `factors`.
void setFactor(double* table, std::size_t j, std::size_t factor, std::size_t factors,
               long double angle, long double scale = 1) {
  const std::size_t at = FourierTables::factorAt(j, factor, factors);
  table[at] = static_cast<double>(cosl(angle) * scale);
  table[at + 4] = static_cast<double>(sinl(angle) * scale);
}

std::unique_ptr<FourierTables> buildTables(std::size_t polynomialSize, int log2Size) {
  auto tables = std::make_unique<FourierTables>();
  const std::size_t m = polynomialSize / 2;
  tables->polynomialSize = polynomialSize;
  tables->halfSize = m;
  // long double keeps the tables accurate to the last bit of a double.
  const long double pi = 3.141592653589793238462643383279502884L;
  const bool firstIsRadix2 = (log2Size - 1) % 2 == 1;  // log2(M) odd
  const std::size_t firstCount = firstIsRadix2 ? m / 2 : m / 4;
  // Output slot s of the first pass is multiplied by w^j W^(powers[s] j) (fourier_transform.h);
  // with W = w^-4 that is w^(j (1 - 4 powers[s])).
  const std::size_t powers[4] = {0, firstIsRadix2 ? 1u : 2u, 1, 3};
  const std::size_t factors = firstIsRadix2 ? 2 : 4;
  tables->forwardFactors.resize(firstCount * 2 * factors);
  tables->backwardFactors.resize(firstCount * 2 * factors);
  for (std::size_t j = 0; j < firstCount; ++j) {
    for (std::size_t slot = 0; slot < factors; ++slot) {
      const long double angle = pi * static_cast<long double>(j) * (1.0L - 4.0L * powers[slot]) / polynomialSize;
      setFactor(tables->forwardFactors.data(), j, slot, factors, angle);
      setFactor(tables->backwardFactors.data(), j, slot, factors, -angle, 1.0L / m);
    }
  }
  for (int s = 0; s < 4; ++s) {
    tables->constantReal[s] = static_cast<double>(cosl(pi * s / 8));
    tables->constantImag[s] = static_cast<double>(sinl(pi * s / 8));
  }
  std::size_t len = m;
  tables->passes.push_back({len, firstIsRadix2 ? 2 : 4, 0});
  len /= firstIsRadix2 ? 2 : 4;
  for (; len >= 16; len /= 4) {
    const std::size_t offset = tables->twiddles.size(), q = len / 4;
    tables->passes.push_back({len, 4, offset});
    tables->twiddles.resize(offset + q * 6);
    for (std::size_t j = 0; j < q; ++j) {
      for (std::size_t power = 1; power <= 3; ++power) {
        const long double angle = -2 * pi * static_cast<long double>(j * power) / static_cast<long double>(len);
        setFactor(tables->twiddles.data() + offset, j, power - 1, 3, angle);
      }
    }
  }
  return tables;  // len == 4 here: the in-register final step
}

// The butterflies below are the reference for the AVX2 kernels, which run the same formulas
// four butterflies at a time (see fourier_transform.h for the schedule).

// x * w and x * conj(w).
inline void multiply(double& re, double& im, double wr, double wi) {
  const double r = re * wr - im * wi;
  im = re * wi + im * wr;
  re = r;
}
inline void multiplyConjugate(double& re, double& im, double wr, double wi) {
  const double r = re * wr + im * wi;
  im = im * wr - re * wi;
  re = r;
}

// Two decimation-in-frequency stages (len, len/2) on a, b, c, d = x[j], x[j+q], x[j+2q],
// x[j+3q], with w^m = exp(-2 pi i m j / len):
//   x[j] = (a+c) + (b+d)        x[j+q]  = ((a+c) - (b+d)) w^2
//   x[j+2q] = ((a-c) - i(b-d)) w  x[j+3q] = ((a-c) + i(b-d)) w^3
struct Radix4Twiddles {
  double w1r, w1i, w2r, w2i, w3r, w3i;
};
inline Radix4Twiddles radix4Twiddles(const double* table, std::size_t j) {
  const double* w = table + FourierTables::factorAt(j, 0, 3);
  return {w[0], w[4], w[8], w[12], w[16], w[20]};
}

inline void forwardRadix4(double* re, double* im, std::size_t p, std::size_t q, const Radix4Twiddles& w) {
  const double t0r = re[p] + re[p + 2 * q], t0i = im[p] + im[p + 2 * q];
  const double t2r = re[p] - re[p + 2 * q], t2i = im[p] - im[p + 2 * q];
  const double t1r = re[p + q] + re[p + 3 * q], t1i = im[p + q] + im[p + 3 * q];
  const double t3r = re[p + q] - re[p + 3 * q], t3i = im[p + q] - im[p + 3 * q];
  double x1r = t0r - t1r, x1i = t0i - t1i;
  double x2r = t2r + t3i, x2i = t2i - t3r;
  double x3r = t2r - t3i, x3i = t2i + t3r;
  multiply(x1r, x1i, w.w2r, w.w2i);
  multiply(x2r, x2i, w.w1r, w.w1i);
  multiply(x3r, x3i, w.w3r, w.w3i);
  re[p] = t0r + t1r;
  im[p] = t0i + t1i;
  re[p + q] = x1r;
  im[p + q] = x1i;
  re[p + 2 * q] = x2r;
  im[p + 2 * q] = x2i;
  re[p + 3 * q] = x3r;
  im[p + 3 * q] = x3i;
}

// The inverse of forwardRadix4 times 4: conjugate twiddles, decimation in time.
//   A = x[j], B = x[j+q] conj(w^2), C = x[j+2q] conj(w), D = x[j+3q] conj(w^3)
//   x[j] = (A+B) + (C+D)   x[j+q] = (A-B) + i(C-D)   x[j+2q] = (A+B) - (C+D)   x[j+3q] = (A-B) - i(C-D)
// `emit(position, re, im)` receives the four results.
template <typename Emit>
inline void backwardRadix4(const double* re, const double* im, std::size_t p, std::size_t q, const Radix4Twiddles& w,
                           Emit&& emit) {
  double br = re[p + q], bi = im[p + q], cr = re[p + 2 * q], ci = im[p + 2 * q], dr = re[p + 3 * q],
         di = im[p + 3 * q];
  multiplyConjugate(br, bi, w.w2r, w.w2i);
  multiplyConjugate(cr, ci, w.w1r, w.w1i);
  multiplyConjugate(dr, di, w.w3r, w.w3i);
  const double s0r = re[p] + br, s0i = im[p] + bi, s1r = re[p] - br, s1i = im[p] - bi;
  const double s2r = cr + dr, s2i = ci + di, s3r = cr - dr, s3i = ci - di;
  emit(p, s0r + s2r, s0i + s2i);
  emit(p + q, s1r - s3i, s1i + s3r);
  emit(p + 2 * q, s0r - s2r, s0i - s2i);
  emit(p + 3 * q, s1r + s3i, s1i - s3r);
}

// Stages len 4 and 2 on x[p..p+3] (twiddles 1, -i, then 1), and their inverse (1, +i).
inline void forwardLastStages(double* re, double* im, std::size_t p) {
  const double y0r = re[p] + re[p + 2], y0i = im[p] + im[p + 2];
  const double y1r = re[p + 1] + re[p + 3], y1i = im[p + 1] + im[p + 3];
  const double y2r = re[p] - re[p + 2], y2i = im[p] - im[p + 2];
  const double y3r = im[p + 1] - im[p + 3], y3i = re[p + 3] - re[p + 1];
  re[p] = y0r + y1r;
  im[p] = y0i + y1i;
  re[p + 1] = y0r - y1r;
  im[p + 1] = y0i - y1i;
  re[p + 2] = y2r + y3r;
  im[p + 2] = y2i + y3i;
  re[p + 3] = y2r - y3r;
  im[p + 3] = y2i - y3i;
}
inline void backwardFirstStages(double* re, double* im, std::size_t p) {
  const double y0r = re[p] + re[p + 1], y0i = im[p] + im[p + 1];
  const double y1r = re[p] - re[p + 1], y1i = im[p] - im[p + 1];
  const double y2r = re[p + 2] + re[p + 3], y2i = im[p + 2] + im[p + 3];
  const double y3r = re[p + 2] - re[p + 3], y3i = im[p + 2] - im[p + 3];
  re[p] = y0r + y2r;
  im[p] = y0i + y2i;
  re[p + 2] = y0r - y2r;
  im[p + 2] = y0i - y2i;
  re[p + 1] = y1r - y3i;
  im[p + 1] = y1i + y3r;
  re[p + 3] = y1r + y3i;
  im[p + 3] = y1i - y3r;
}

// Transposes each block of 16 entries as a 4x4 matrix: entry 4g + e <-> 4e + g, between the
// last stages' natural order and the spectrum order (fourier_transform.h). Its own inverse.
void transposeBlocks(double* re, double* im, std::size_t m) {
  for (std::size_t p = 0; p < m; p += 16) {
    for (std::size_t g = 0; g < 4; ++g) {
      for (std::size_t e = g + 1; e < 4; ++e) {
        std::swap(re[p + 4 * g + e], re[p + 4 * e + g]);
        std::swap(im[p + 4 * g + e], im[p + 4 * e + g]);
      }
    }
  }
}

// Forward transform of the folded polynomial in[0, M) + i in[M, 2M) (in may equal re/im): the
// first pass applies the twist as constants before its butterfly and w^j after it (see
// fourier_transform.h).
void forwardScalarFrom(const FourierTables& t, const double* in, double* re, double* im) {
  const std::size_t m = t.halfSize;
  // y_p c_s, the folded input entry p times a constant.
  auto input = [&](std::size_t p, int s, double& r, double& i) {
    r = in[p];
    i = in[p + m];
    if (s > 0) multiply(r, i, t.constantReal[s], t.constantImag[s]);
  };
  const double* factors = t.forwardFactors.data();
  if (t.passes.front().radix == 2) {
    const std::size_t h = m / 2;
    for (std::size_t j = 0; j < h; ++j) {
      double ur, ui, vr, vi;
      input(j, 0, ur, ui);
      input(j + h, 2, vr, vi);
      const double* f0 = factors + FourierTables::factorAt(j, 0, 2);
      const double* f1 = factors + FourierTables::factorAt(j, 1, 2);
      double sr = ur + vr, si = ui + vi, dr = ur - vr, di = ui - vi;
      multiply(sr, si, f0[0], f0[4]);  // w^j
      multiply(dr, di, f1[0], f1[4]);  // w^j W^j
      re[j] = sr;
      im[j] = si;
      re[j + h] = dr;
      im[j + h] = di;
    }
  } else {
    const std::size_t q = m / 4;
    for (std::size_t j = 0; j < q; ++j) {
      double y[4][2];
      for (int s = 0; s < 4; ++s) input(j + s * q, s, y[s][0], y[s][1]);
      const double t0r = y[0][0] + y[2][0], t0i = y[0][1] + y[2][1], t2r = y[0][0] - y[2][0], t2i = y[0][1] - y[2][1];
      const double t1r = y[1][0] + y[3][0], t1i = y[1][1] + y[3][1], t3r = y[1][0] - y[3][0], t3i = y[1][1] - y[3][1];
      double x[4][2] = {{t0r + t1r, t0i + t1i}, {t0r - t1r, t0i - t1i}, {t2r + t3i, t2i - t3r}, {t2r - t3i, t2i + t3r}};
      // Times w^j, w^j W^2j, w^j W^j, w^j W^3j.
      for (std::size_t s = 0; s < 4; ++s) {
        const double* f = factors + FourierTables::factorAt(j, s, 4);
        multiply(x[s][0], x[s][1], f[0], f[4]);
        re[j + s * q] = x[s][0];
        im[j + s * q] = x[s][1];
      }
    }
  }
  for (std::size_t pass = 1; pass < t.passes.size(); ++pass) {
    const std::size_t len = t.passes[pass].length, q = len / 4;
    const double* table = t.twiddles.data() + t.passes[pass].offset;
    for (std::size_t start = 0; start < m; start += len) {
      for (std::size_t j = 0; j < q; ++j) forwardRadix4(re, im, start + j, q, radix4Twiddles(table, j));
    }
  }
  for (std::size_t p = 0; p < m; p += 4) forwardLastStages(re, im, p);
  transposeBlocks(re, im, m);
}

// Backward transform of the spectrum with the untwist and 1/M folded into its last pass (see
// fourier_transform.h), which hands each result to `emit(position, re, im)`: coefficient
// `position` is re, coefficient position + M is im.
template <typename Emit>
void backwardScalarTo(const FourierTables& t, double* re, double* im, Emit&& emit) {
  const std::size_t m = t.halfSize;
  transposeBlocks(re, im, m);
  for (std::size_t p = 0; p < m; p += 4) backwardFirstStages(re, im, p);
  auto store = [&](std::size_t p, double r, double i) {
    re[p] = r;
    im[p] = i;
  };
  for (std::size_t pass = t.passes.size() - 1; pass >= 1; --pass) {
    const std::size_t len = t.passes[pass].length, q = len / 4;
    const double* table = t.twiddles.data() + t.passes[pass].offset;
    for (std::size_t start = 0; start < m; start += len) {
      for (std::size_t j = 0; j < q; ++j) backwardRadix4(re, im, start + j, q, radix4Twiddles(table, j), store);
    }
  }
  // Results times conj(c_s), the constants the forward pass multiplied its inputs by.
  auto emitUnconstant = [&](std::size_t p, int s, double r, double i) {
    if (s > 0) multiplyConjugate(r, i, t.constantReal[s], t.constantImag[s]);
    emit(p, r, i);
  };
  const double* factors = t.backwardFactors.data();
  if (t.passes.front().radix == 2) {
    const std::size_t h = m / 2;
    for (std::size_t j = 0; j < h; ++j) {
      double ar = re[j], ai = im[j], br = re[j + h], bi = im[j + h];
      const double* f0 = factors + FourierTables::factorAt(j, 0, 2);
      const double* f1 = factors + FourierTables::factorAt(j, 1, 2);
      multiply(ar, ai, f0[0], f0[4]);  // w^-j / M
      multiply(br, bi, f1[0], f1[4]);  // w^-j conj(W^j) / M
      emitUnconstant(j, 0, ar + br, ai + bi);
      emitUnconstant(j + h, 2, ar - br, ai - bi);
    }
  } else {
    const std::size_t q = m / 4;
    for (std::size_t j = 0; j < q; ++j) {
      // Inputs times the conjugates of w^j, w^j W^2j, w^j W^j, w^j W^3j, divided by M.
      double x[4][2];
      for (std::size_t s = 0; s < 4; ++s) {
        const double* f = factors + FourierTables::factorAt(j, s, 4);
        x[s][0] = re[j + s * q];
        x[s][1] = im[j + s * q];
        multiply(x[s][0], x[s][1], f[0], f[4]);
      }
      const double s0r = x[0][0] + x[1][0], s0i = x[0][1] + x[1][1], s1r = x[0][0] - x[1][0], s1i = x[0][1] - x[1][1];
      const double s2r = x[2][0] + x[3][0], s2i = x[2][1] + x[3][1], s3r = x[2][0] - x[3][0], s3i = x[2][1] - x[3][1];
      emitUnconstant(j, 0, s0r + s2r, s0i + s2i);
      emitUnconstant(j + q, 1, s1r - s3i, s1i + s3r);
      emitUnconstant(j + 2 * q, 2, s0r - s2r, s0i - s2i);
      emitUnconstant(j + 3 * q, 3, s1r + s3i, s1i - s3r);
    }
  }
}

void forwardScalar(const FourierTables& t, const int64_t* in, double* spectrum) {
  for (std::size_t j = 0; j < t.polynomialSize; ++j) spectrum[j] = static_cast<double>(in[j]);
  forwardScalarFrom(t, spectrum, spectrum, spectrum + t.halfSize);
}

void forwardRealScalar(const FourierTables& t, const double* in, double* spectrum) {
  forwardScalarFrom(t, in, spectrum, spectrum + t.halfSize);
}

void backwardAddToTorusScalar(const FourierTables& t, double* spectrum, uint64_t* out) {
  const std::size_t m = t.halfSize;
  // Results land in entries the last pass has already read, so none is overwritten early.
  backwardScalarTo(t, spectrum, spectrum + m, [&](std::size_t p, double low, double high) {
    out[p] += roundToTorus(low);
    out[p + m] += roundToTorus(high);
  });
}

void backwardToRealScalar(const FourierTables& t, double* spectrum, double* out) {
  const std::size_t m = t.halfSize;
  backwardScalarTo(t, spectrum, spectrum + m, [&](std::size_t p, double low, double high) {
    out[p] = low;
    out[p + m] = high;
  });
}

void multiplyAccumulateScalar(double* acc, const double* a, const double* b, std::size_t m) {
  for (std::size_t j = 0; j < m; ++j) {
    const double ar = a[j], ai = a[j + m], br = b[j], bi = b[j + m];
    acc[j] += ar * br - ai * bi;
    acc[j + m] += ar * bi + ai * br;
  }
}

void forwardRealPrefetchingScalar(const FourierTables& t, const double* in, double* spectrum, PrefetchStream&) {
  forwardRealScalar(t, in, spectrum);
}

void backwardAddToTorusPrefetchingScalar(const FourierTables& t, double* spectrum, uint64_t* out, PrefetchStream&) {
  backwardAddToTorusScalar(t, spectrum, out);
}

void backwardProductAddToTorusScalar(const FourierTables& t, const double* spectra, std::size_t rows,
                                     const double* keyColumn, double* scratch, uint64_t* out, PrefetchStream&) {
  const std::size_t n = t.polynomialSize, m = t.halfSize;
  constexpr std::size_t kBlock = 16;  // fourier_bootstrap_key.h
  for (std::size_t j = 0; j < m; ++j) {
    const double* block = keyColumn + (j / kBlock) * rows * 2 * kBlock + j % kBlock;
    double re = 0, im = 0;
    for (std::size_t row = 0; row < rows; ++row) {
      const double ar = spectra[row * n + j], ai = spectra[row * n + m + j];
      const double br = block[row * 2 * kBlock], bi = block[row * 2 * kBlock + kBlock];
      re += ar * br - ai * bi;
      im += ar * bi + ai * br;
    }
    scratch[j] = re;
    scratch[j + m] = im;
  }
  backwardAddToTorusScalar(t, scratch, out);
}

}  // namespace

const FourierKernels kScalarFourierKernels = {forwardScalar,
                                              forwardRealScalar,
                                              backwardAddToTorusScalar,
                                              backwardToRealScalar,
                                              multiplyAccumulateScalar,
                                              forwardRealPrefetchingScalar,
                                              backwardAddToTorusPrefetchingScalar,
                                              backwardProductAddToTorusScalar};

std::size_t prefetchStepsPerTransform(const FourierTables& tables) {
  // The AVX2 loops run four butterflies per iteration: the first pass, the middle radix-4
  // passes, then the len-16 pass merged with the last stages, one iteration per 16 entries.
  const std::size_t m = tables.halfSize;
  const std::size_t first = tables.passes.front().radix == 2 ? m / 8 : m / 16;
  return first + (tables.passes.size() - 2) * (m / 16) + m / 16;
}

const FourierKernels& fourierKernels() {
  static const FourierKernels& kernels = simdEnabled() ? kAvx2FourierKernels : kScalarFourierKernels;
  return kernels;
}

const FourierTables& fourierTables(std::size_t polynomialSize) {
  int log2Size = 0;
  while ((std::size_t{1} << log2Size) < polynomialSize) ++log2Size;
  if ((std::size_t{1} << log2Size) != polynomialSize || log2Size < kMinLog2Size || log2Size > kMaxLog2Size) {
    throw std::invalid_argument("FFT: polynomial size must be a power of two in [256, 65536]");
  }
  static std::once_flag once[kMaxLog2Size + 1];
  static std::unique_ptr<FourierTables> tables[kMaxLog2Size + 1];
  std::call_once(once[log2Size], [&] { tables[log2Size] = buildTables(polynomialSize, log2Size); });
  return *tables[log2Size];
}

uint64_t roundToTorus(double value) {
  const double rounded = std::nearbyint(value);
  uint64_t bits;
  std::memcpy(&bits, &rounded, sizeof(bits));
  const int exponent = static_cast<int>((bits >> 52) & 0x7ff);
  if (exponent == 0) return 0;  // zero (subnormals cannot survive rounding)
  const uint64_t mantissa = (bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1} << 52);
  // value = mantissa * 2^(exponent - 1075); anything shifted past bit 63 is a multiple of 2^64.
  const int shift = exponent - 1075;
  uint64_t magnitude;
  if (shift >= 64 || shift <= -64) {
    magnitude = 0;
  } else if (shift >= 0) {
    magnitude = mantissa << shift;
  } else {
    magnitude = mantissa >> -shift;  // exact: the value is an integer
  }
  return (bits >> 63) ? 0 - magnitude : magnitude;
}

void exactNegacyclicProductByBinary(const uint64_t* a, const uint64_t* binary, uint64_t* out,
                                    std::size_t polynomialSize) {
  const FourierTables& tables = fourierTables(polynomialSize);
  const FourierKernels& kernels = fourierKernels();
  const std::size_t n = polynomialSize;
  std::vector<int64_t> integers(n);
  std::vector<double> binarySpectrum(n), limbSpectrum(n), product(n), real(n);
  for (std::size_t j = 0; j < n; ++j) integers[j] = static_cast<int64_t>(binary[j] & 1);
  kernels.forward(tables, integers.data(), binarySpectrum.data());
  std::memset(out, 0, n * sizeof(uint64_t));
  // Each limb product has coefficients below 2^16 * N <= 2^32, so the FFT's error (relative
  // ~1e-16 times log N) stays many orders of magnitude below the 1/2 that rounding tolerates.
  for (int limb = 0; limb < 4; ++limb) {
    for (std::size_t j = 0; j < n; ++j) integers[j] = static_cast<int64_t>((a[j] >> (16 * limb)) & 0xffff);
    kernels.forward(tables, integers.data(), limbSpectrum.data());
    std::fill(product.begin(), product.end(), 0.0);
    kernels.multiplyAccumulate(product.data(), limbSpectrum.data(), binarySpectrum.data(), n / 2);
    kernels.backwardToReal(tables, product.data(), real.data());
    for (std::size_t j = 0; j < n; ++j) {
      out[j] += static_cast<uint64_t>(std::llround(real[j])) << (16 * limb);
    }
  }
}

}  // namespace cq::tfhe
