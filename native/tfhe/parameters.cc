#include "parameters.h"

#include <cmath>
#include <stdexcept>

namespace cq::tfhe {

namespace {

bool isPowerOfTwo(std::size_t value) { return value != 0 && (value & (value - 1)) == 0; }

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument("TFHE parameters: " + message); }

void checkPositive(std::size_t value, std::size_t max, const char* name) {
  if (value == 0 || value > max) {
    fail(std::string(name) + " must be in [1, " + std::to_string(max) + "], got " + std::to_string(value));
  }
}

void checkDecomposition(const DecompositionParameters& decomposition, const char* name) {
  // A 64-bit digit would leave no room for its sign, so base log stops at 63.
  if (decomposition.baseLog <= 0 || decomposition.baseLog > 63 || decomposition.level <= 0) {
    fail(std::string(name) + " base log must be in [1, 63] and level positive, got " +
         std::to_string(decomposition.baseLog) + " and " + std::to_string(decomposition.level));
  }
  if (decomposition.baseLog * decomposition.level > 64) {
    fail(std::string(name) + " base log * level must be <= 64, got " + std::to_string(decomposition.baseLog) + " * " +
         std::to_string(decomposition.level));
  }
}

void checkNoise(const NoiseDistribution& noise, const char* name) {
  if (noise.kind == NoiseDistribution::Kind::TUniform) {
    if (noise.boundLog2 < 0 || noise.boundLog2 > 62) {
      fail(std::string(name) + " TUniform bound log2 must be in [0, 62], got " + std::to_string(noise.boundLog2));
    }
  } else if (!(noise.std > 0 && noise.std < 0.5)) {
    fail(std::string(name) + " Gaussian std must be in (0, 0.5) of the torus");
  }
}

}  // namespace

double NoiseDistribution::variance() const {
  if (kind == Kind::Gaussian) return std * std;
  return (std::ldexp(1.0, 2 * boundLog2 + 1) + 1) / 6 * std::ldexp(1.0, -128);
}

TfheParameters::TfheParameters(const TfheParameterFields& fields) : fields_(fields) {
  checkPositive(fields.lweDimension, kMaxLweDimension, "lweDimension");
  checkPositive(fields.glweDimension, kMaxGlweDimension, "glweDimension");
  if (!isPowerOfTwo(fields.polynomialSize) || fields.polynomialSize < kMinPolynomialSize ||
      fields.polynomialSize > kMaxPolynomialSize) {
    fail("polynomialSize must be a power of two in [256, 65536], got " + std::to_string(fields.polynomialSize));
  }
  checkDecomposition(fields.bootstrap, "bootstrap");
  checkDecomposition(fields.keyswitch, "keyswitch");
  checkNoise(fields.lweNoise, "lweNoise");
  checkNoise(fields.glweNoise, "glweNoise");
  if (fields.modulusSwitch != ModulusSwitchKind::Standard && fields.modulusSwitch != ModulusSwitchKind::CenteredBinary) {
    fail("unknown modulus switch");
  }
}

int TfheParameters::maxPrecision() const {
  int log2N = 0;
  while ((std::size_t{1} << log2N) < fields_.polynomialSize) ++log2N;
  // The lookup box of each message spans N / 2^p >= 2 coefficients, so that the half-box
  // offset is a whole number of coefficients.
  return log2N - 1;
}

}  // namespace cq::tfhe
