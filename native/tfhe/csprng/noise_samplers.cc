#include "noise_samplers.h"

#include <cmath>

namespace cq::tfhe {

int64_t sampleTUniform(RandomGenerator& random, int boundLog2) {
  // Draw b + 2 bits r: (r >> 1) + (r & 1) takes the values 0 and 2^(b+1) one way each and every
  // value in between two ways, which is exactly uniform with half-weight endpoints.
  const uint64_t bits = random.nextU64() >> (62 - boundLog2);
  const int64_t sum = static_cast<int64_t>((bits >> 1) + (bits & 1));
  return sum - (int64_t{1} << boundLog2);
}

uint64_t sampleGaussian(RandomGenerator& random, double std) {
  // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
  const double u = 1.0 - random.nextUnitDouble();
  const double v = random.nextUnitDouble();
  const double normal = std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v);
  const double units = std::ldexp(normal * std, 64);
  // Small values (every practical std) round directly, keeping all their bits; large ones are
  // reduced modulo 1 on the torus first so the conversion cannot overflow.
  if (std::fabs(units) < 0x1p62) return static_cast<uint64_t>(std::llround(units));
  const double torus = normal * std - std::floor(normal * std);  // in [0, 1]
  const double scaled = std::ldexp(torus, 64);
  return scaled >= 0x1p64 ? 0 : static_cast<uint64_t>(scaled);
}

uint64_t sampleNoise(RandomGenerator& random, const NoiseDistribution& noise) {
  if (noise.kind == NoiseDistribution::Kind::TUniform) {
    return static_cast<uint64_t>(sampleTUniform(random, noise.boundLog2));
  }
  return sampleGaussian(random, noise.std);
}

}  // namespace cq::tfhe
