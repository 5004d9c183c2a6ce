#include "modulus_switch.h"

namespace cq::tfhe {

namespace {

int log2Of(std::size_t powerOfTwo) {
  int log2 = 0;
  while ((std::size_t{1} << log2) < powerOfTwo) ++log2;
  return log2;
}

// round(x * 2N / 2^64) mod 2N, for 2N = 2^log2TwoN.
inline uint32_t roundToModulus(uint64_t x, int log2TwoN) {
  const int shift = 64 - log2TwoN;
  const uint64_t rounded = (x >> shift) + ((x >> (shift - 1)) & 1);
  return static_cast<uint32_t>(rounded & ((uint64_t{1} << log2TwoN) - 1));
}

}  // namespace

void modulusSwitchStandard(const uint64_t* in, std::size_t lweDimension, std::size_t polynomialSize, uint32_t* out) {
  const int log2TwoN = log2Of(2 * polynomialSize);
  for (std::size_t i = 0; i <= lweDimension; ++i) out[i] = roundToModulus(in[i], log2TwoN);
}

void modulusSwitchCenteredBinary(const uint64_t* in, std::size_t lweDimension, std::size_t polynomialSize,
                                 uint32_t* out) {
  const int log2TwoN = log2Of(2 * polynomialSize);
  const int stepLog2 = 64 - log2TwoN;  // one step of Z/2N is 2^stepLog2 units of q
  __int128 errorSum = 0;
  for (std::size_t i = 0; i < lweDimension; ++i) {
    out[i] = roundToModulus(in[i], log2TwoN);
    // e_i = rounded - exact, a small signed value (|e_i| <= half a step) modulo 2^64.
    const uint64_t scaledBack = static_cast<uint64_t>(out[i]) << stepLog2;
    errorSum += static_cast<int64_t>(scaledBack - in[i]);
  }
  // Exact halving of the sum (floor; the lost half unit of q is far below a step), then back
  // to Z/2^64 where wrap-around is harmless.
  const uint64_t meanCorrection = static_cast<uint64_t>(errorSum >> 1);  // conversion is modulo 2^64
  const uint64_t halfStep = uint64_t{1} << (stepLog2 - 1);
  out[lweDimension] = roundToModulus(in[lweDimension] + meanCorrection - halfStep, log2TwoN);
}

void modulusSwitch(ModulusSwitchKind kind, const uint64_t* in, std::size_t lweDimension, std::size_t polynomialSize,
                   uint32_t* out) {
  if (kind == ModulusSwitchKind::CenteredBinary) {
    modulusSwitchCenteredBinary(in, lweDimension, polynomialSize, out);
  } else {
    modulusSwitchStandard(in, lweDimension, polynomialSize, out);
  }
}

}  // namespace cq::tfhe
