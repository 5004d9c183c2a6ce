// Parameter sets for C++ tests and benchmarks. The tfhe-rs v1 sets mirror tfhe.md (and
// lib/fhe/parameters.ts, which is what the library uses); the TEST sets are INSECURE: small
// dimensions and tiny noise so that exhaustive correctness tests run in seconds.
#pragma once

#include "parameters.h"

namespace cq::tfhe {

inline TfheParameters makeParameters(std::size_t n, std::size_t k, std::size_t polynomialSize, int pbsBaseLog,
                                     int pbsLevel, int ksBaseLog, int ksLevel, NoiseDistribution lweNoise,
                                     NoiseDistribution glweNoise, ModulusSwitchKind modulusSwitch) {
  TfheParameterFields fields;
  fields.lweDimension = n;
  fields.glweDimension = k;
  fields.polynomialSize = polynomialSize;
  fields.bootstrap = {pbsBaseLog, pbsLevel};
  fields.keyswitch = {ksBaseLog, ksLevel};
  fields.lweNoise = lweNoise;
  fields.glweNoise = glweNoise;
  fields.modulusSwitch = modulusSwitch;
  return TfheParameters(fields);
}

// 2_2 at 2^-128, tfhe-rs's default.
inline TfheParameters tuniform22Pfail2m128() {
  return makeParameters(918, 1, 2048, 23, 1, 4, 4, NoiseDistribution::tuniform(45), NoiseDistribution::tuniform(17),
                        ModulusSwitchKind::CenteredBinary);
}
inline TfheParameters tuniform11Pfail2m128() {
  return makeParameters(879, 4, 512, 23, 1, 5, 3, NoiseDistribution::tuniform(46), NoiseDistribution::tuniform(17),
                        ModulusSwitchKind::CenteredBinary);
}
inline TfheParameters tuniform33Pfail2m128() {
  return makeParameters(1077, 1, 8192, 15, 2, 4, 5, NoiseDistribution::tuniform(41), NoiseDistribution::tuniform(3),
                        ModulusSwitchKind::CenteredBinary);
}
inline TfheParameters tuniform22Pfail2m64() {
  return makeParameters(879, 1, 2048, 23, 1, 3, 5, NoiseDistribution::tuniform(46), NoiseDistribution::tuniform(17),
                        ModulusSwitchKind::Standard);
}

// INSECURE, tests only: lookups up to 6 bits never fail in practice (about 10 standard
// deviations of margin, dominated by the modulus switch).
inline TfheParameters insecureTestParameters(ModulusSwitchKind modulusSwitch = ModulusSwitchKind::CenteredBinary) {
  return makeParameters(128, 1, 2048, 15, 2, 5, 5, NoiseDistribution::tuniform(8), NoiseDistribution::tuniform(2),
                        modulusSwitch);
}

}  // namespace cq::tfhe
