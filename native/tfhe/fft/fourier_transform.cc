#include "fourier_transform.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "../../runtime/cpu_features.h"

namespace cq::tfhe {

namespace {

constexpr int kMinLog2Size = 8;
constexpr int kMaxLog2Size = 16;

std::unique_ptr<FourierTables> buildTables(std::size_t polynomialSize) {
  auto tables = std::make_unique<FourierTables>();
  const std::size_t m = polynomialSize / 2;
  tables->polynomialSize = polynomialSize;
  tables->halfSize = m;
  tables->twistReal.resize(m);
  tables->twistImag.resize(m);
  tables->untwistReal.resize(m);
  tables->untwistImag.resize(m);
  // long double keeps the tables accurate to the last bit of a double.
  const long double pi = 3.141592653589793238462643383279502884L;
  for (std::size_t j = 0; j < m; ++j) {
    const long double angle = pi * static_cast<long double>(j) / static_cast<long double>(polynomialSize);
    tables->twistReal[j] = static_cast<double>(cosl(angle));
    tables->twistImag[j] = static_cast<double>(sinl(angle));
    tables->untwistReal[j] = static_cast<double>(cosl(angle) / m);
    tables->untwistImag[j] = static_cast<double>(-sinl(angle) / m);
  }
  tables->twiddleReal.resize(m);
  tables->twiddleImag.resize(m);
  for (std::size_t len = m; len >= 2; len /= 2) {
    const std::size_t offset = tables->twiddleOffset(len);
    for (std::size_t j = 0; j < len / 2; ++j) {
      const long double angle = -2 * pi * static_cast<long double>(j) / static_cast<long double>(len);
      tables->twiddleReal[offset + j] = static_cast<double>(cosl(angle));
      tables->twiddleImag[offset + j] = static_cast<double>(sinl(angle));
    }
  }
  return tables;
}

template <typename T>
void twistInput(const FourierTables& t, const T* in, double* re, double* im) {
  const std::size_t m = t.halfSize;
  for (std::size_t j = 0; j < m; ++j) {
    const double a = static_cast<double>(in[j]);
    const double b = static_cast<double>(in[j + m]);
    re[j] = a * t.twistReal[j] - b * t.twistImag[j];
    im[j] = a * t.twistImag[j] + b * t.twistReal[j];
  }
}

// Decimation in frequency: natural order in, bit-reversed order out.
void forwardButterfliesScalar(const FourierTables& t, double* re, double* im) {
  const std::size_t m = t.halfSize;
  for (std::size_t len = m; len >= 2; len /= 2) {
    const std::size_t half = len / 2;
    const double* wr = t.twiddleReal.data() + t.twiddleOffset(len);
    const double* wi = t.twiddleImag.data() + t.twiddleOffset(len);
    for (std::size_t start = 0; start < m; start += len) {
      for (std::size_t j = 0; j < half; ++j) {
        const std::size_t p = start + j, q = p + half;
        const double ur = re[p], ui = im[p], vr = re[q], vi = im[q];
        re[p] = ur + vr;
        im[p] = ui + vi;
        const double dr = ur - vr, di = ui - vi;
        re[q] = dr * wr[j] - di * wi[j];
        im[q] = dr * wi[j] + di * wr[j];
      }
    }
  }
}

// Decimation in time with conjugate twiddles: bit-reversed order in, natural order out,
// M times the inverse DFT.
void backwardButterfliesScalar(const FourierTables& t, double* re, double* im) {
  const std::size_t m = t.halfSize;
  for (std::size_t len = 2; len <= m; len *= 2) {
    const std::size_t half = len / 2;
    const double* wr = t.twiddleReal.data() + t.twiddleOffset(len);
    const double* wi = t.twiddleImag.data() + t.twiddleOffset(len);
    for (std::size_t start = 0; start < m; start += len) {
      for (std::size_t j = 0; j < half; ++j) {
        const std::size_t p = start + j, q = p + half;
        const double xr = re[q], xi = im[q];
        const double vr = xr * wr[j] + xi * wi[j];  // x * conj(w)
        const double vi = xi * wr[j] - xr * wi[j];
        const double ur = re[p], ui = im[p];
        re[p] = ur + vr;
        im[p] = ui + vi;
        re[q] = ur - vr;
        im[q] = ui - vi;
      }
    }
  }
}

void forwardScalar(const FourierTables& t, const int64_t* in, double* spectrum) {
  double* re = spectrum;
  double* im = spectrum + t.halfSize;
  twistInput(t, in, re, im);
  forwardButterfliesScalar(t, re, im);
}

void forwardRealScalar(const FourierTables& t, const double* in, double* spectrum) {
  double* re = spectrum;
  double* im = spectrum + t.halfSize;
  twistInput(t, in, re, im);
  forwardButterfliesScalar(t, re, im);
}

void backwardAddToTorusScalar(const FourierTables& t, double* spectrum, uint64_t* out) {
  const std::size_t m = t.halfSize;
  double* re = spectrum;
  double* im = spectrum + m;
  backwardButterfliesScalar(t, re, im);
  for (std::size_t j = 0; j < m; ++j) {
    const double low = re[j] * t.untwistReal[j] - im[j] * t.untwistImag[j];
    const double high = re[j] * t.untwistImag[j] + im[j] * t.untwistReal[j];
    out[j] += roundToTorus(low);
    out[j + m] += roundToTorus(high);
  }
}

void backwardToRealScalar(const FourierTables& t, double* spectrum, double* out) {
  const std::size_t m = t.halfSize;
  double* re = spectrum;
  double* im = spectrum + m;
  backwardButterfliesScalar(t, re, im);
  for (std::size_t j = 0; j < m; ++j) {
    out[j] = re[j] * t.untwistReal[j] - im[j] * t.untwistImag[j];
    out[j + m] = re[j] * t.untwistImag[j] + im[j] * t.untwistReal[j];
  }
}

void multiplyAccumulateScalar(double* acc, const double* a, const double* b, std::size_t m) {
  for (std::size_t j = 0; j < m; ++j) {
    const double ar = a[j], ai = a[j + m], br = b[j], bi = b[j + m];
    acc[j] += ar * br - ai * bi;
    acc[j + m] += ar * bi + ai * br;
  }
}

}  // namespace

const FourierKernels kScalarFourierKernels = {forwardScalar, forwardRealScalar, backwardAddToTorusScalar, backwardToRealScalar,
                                              multiplyAccumulateScalar};

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
  std::call_once(once[log2Size], [&] { tables[log2Size] = buildTables(polynomialSize); });
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
