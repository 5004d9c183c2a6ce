// A TFHE parameter set (q = 2^64), checked when it is made: a value of this type is always
// usable by every algorithm in native/tfhe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace cq::tfhe {

// TUniform(b): integers in [-2^b, 2^b] (in units of q, endpoints at half weight); Gaussian: a
// standard deviation as a fraction of q.
struct NoiseDistribution {
  enum class Kind { TUniform, Gaussian };
  Kind kind = Kind::TUniform;
  int boundLog2 = 0;
  double std = 0;

  static NoiseDistribution tuniform(int boundLog2) { return {Kind::TUniform, boundLog2, 0}; }
  static NoiseDistribution gaussian(double std) { return {Kind::Gaussian, 0, std}; }
  // Variance on the torus (normalised by q^2).
  double variance() const;
};

// Rounding of the keyswitched ciphertext to Z/2N before blind rotation (see modulus_switch.h).
enum class ModulusSwitchKind { Standard, CenteredBinary };

// A gadget decomposition: `level` signed digits of `baseLog` bits, from the most significant.
struct DecompositionParameters {
  int baseLog = 0;
  int level = 0;
};

struct TfheParameterFields {
  std::size_t lweDimension = 0;    // n, the small key
  std::size_t glweDimension = 0;   // k
  std::size_t polynomialSize = 0;  // N
  DecompositionParameters bootstrap;
  DecompositionParameters keyswitch;
  NoiseDistribution lweNoise;
  NoiseDistribution glweNoise;
  ModulusSwitchKind modulusSwitch = ModulusSwitchKind::CenteredBinary;
};

class TfheParameters {
 public:
  // Polynomial sizes the FFT supports.
  static constexpr std::size_t kMinPolynomialSize = 256;
  static constexpr std::size_t kMaxPolynomialSize = 65536;
  static constexpr std::size_t kMaxLweDimension = 1 << 14;
  static constexpr std::size_t kMaxGlweDimension = 16;

  // Throws std::invalid_argument naming the field when the set is unusable: dimensions must be
  // positive (and bounded), N a power of two in [256, 65536], each base log in [1, 63] with
  // base_log * level <= 64, noise bounds in range.
  explicit TfheParameters(const TfheParameterFields& fields);

  const TfheParameterFields& fields() const { return fields_; }
  std::size_t lweDimension() const { return fields_.lweDimension; }
  std::size_t glweDimension() const { return fields_.glweDimension; }
  std::size_t polynomialSize() const { return fields_.polynomialSize; }
  // k*N: dimension of the big LWE key (the flattened GLWE key).
  std::size_t bigLweDimension() const { return fields_.glweDimension * fields_.polynomialSize; }
  DecompositionParameters bootstrapDecomposition() const { return fields_.bootstrap; }
  DecompositionParameters keyswitchDecomposition() const { return fields_.keyswitch; }
  const NoiseDistribution& lweNoise() const { return fields_.lweNoise; }
  const NoiseDistribution& glweNoise() const { return fields_.glweNoise; }
  ModulusSwitchKind modulusSwitch() const { return fields_.modulusSwitch; }
  // The largest p for which a 2^p-entry table fits the N coefficients of the lookup polynomial.
  int maxPrecision() const;

 private:
  TfheParameterFields fields_;
};

}  // namespace cq::tfhe
