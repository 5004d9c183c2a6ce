#include "parameter_block.h"

#include <cstring>

#include "byte_io.h"

namespace cq::tfhe {

namespace {

constexpr uint32_t kBlockVersion = 1;
constexpr uint32_t kModulusLog2 = 64;

uint64_t noiseValue(const NoiseDistribution& noise) {
  if (noise.kind == NoiseDistribution::Kind::TUniform) return static_cast<uint64_t>(noise.boundLog2);
  uint64_t bits;
  std::memcpy(&bits, &noise.std, sizeof(bits));
  return bits;
}

[[noreturn]] void invalid(const std::string& message) {
  throw SerializationError(SerializationErrorCode::InvalidParameters, "invalid parameter block: " + message);
}

NoiseDistribution decodeNoise(uint32_t kind, uint64_t value, const char* name) {
  if (kind == 0) {
    // Range-checked here so that the int conversion below cannot wrap into a valid value.
    if (value > 62) invalid(std::string(name) + " TUniform bound log2 " + std::to_string(value) + " is above 62");
    return NoiseDistribution::tuniform(static_cast<int>(value));
  }
  if (kind == 1) {
    double std;
    std::memcpy(&std, &value, sizeof(std));
    return NoiseDistribution::gaussian(std);  // TfheParameters checks it is in (0, 0.5)
  }
  invalid(std::string(name) + " kind " + std::to_string(kind) + " is neither 0 (TUniform) nor 1 (Gaussian)");
}

std::string describeNoise(const NoiseDistribution& noise) {
  if (noise.kind == NoiseDistribution::Kind::TUniform) return "TUniform(" + std::to_string(noise.boundLog2) + ")";
  return "Gaussian(" + std::to_string(noise.std) + ")";
}

}  // namespace

ParameterBlock encodeParameters(const TfheParameters& parameters) {
  ParameterBlock block{};
  ByteWriter out(block.data(), block.size());
  const TfheParameterFields& f = parameters.fields();
  out.u32(kBlockVersion);
  out.u32(kModulusLog2);
  // Every dimension fits 32 bits: TfheParameters bounds them far below.
  out.u32(static_cast<uint32_t>(f.lweDimension));
  out.u32(static_cast<uint32_t>(f.glweDimension));
  out.u32(static_cast<uint32_t>(f.polynomialSize));
  out.u32(static_cast<uint32_t>(f.bootstrap.baseLog));
  out.u32(static_cast<uint32_t>(f.bootstrap.level));
  out.u32(static_cast<uint32_t>(f.keyswitch.baseLog));
  out.u32(static_cast<uint32_t>(f.keyswitch.level));
  out.u32(f.modulusSwitch == ModulusSwitchKind::Standard ? 0 : 1);
  out.u32(f.lweNoise.kind == NoiseDistribution::Kind::TUniform ? 0 : 1);
  out.u32(f.glweNoise.kind == NoiseDistribution::Kind::TUniform ? 0 : 1);
  out.u64(noiseValue(f.lweNoise));
  out.u64(noiseValue(f.glweNoise));
  return block;
}

TfheParameters decodeParameters(const uint8_t* block) {
  ByteReader in(block, kParameterBlockSize, "parameter block");
  const uint32_t version = in.u32();
  if (version != kBlockVersion) invalid("block version " + std::to_string(version) + ", expected 1");
  const uint32_t modulusLog2 = in.u32();
  if (modulusLog2 != kModulusLog2) {
    invalid("ciphertext modulus 2^" + std::to_string(modulusLog2) + " is not supported (only 2^64)");
  }
  TfheParameterFields f;
  f.lweDimension = in.u32();
  f.glweDimension = in.u32();
  f.polynomialSize = in.u32();
  // Base logs and levels are range-checked before the int conversion, so a huge u32 cannot
  // turn into a small negative or positive int that passes TfheParameters.
  const uint32_t raw[4] = {in.u32(), in.u32(), in.u32(), in.u32()};
  for (uint32_t value : raw) {
    if (value > 64) invalid("a decomposition base log or level of " + std::to_string(value) + " is above 64");
  }
  f.bootstrap = {static_cast<int>(raw[0]), static_cast<int>(raw[1])};
  f.keyswitch = {static_cast<int>(raw[2]), static_cast<int>(raw[3])};
  const uint32_t modulusSwitch = in.u32();
  if (modulusSwitch > 1) invalid("modulus switch " + std::to_string(modulusSwitch) + " is neither 0 nor 1");
  f.modulusSwitch = modulusSwitch == 0 ? ModulusSwitchKind::Standard : ModulusSwitchKind::CenteredBinary;
  const uint32_t lweKind = in.u32(), glweKind = in.u32();
  const uint64_t lweValue = in.u64(), glweValue = in.u64();
  f.lweNoise = decodeNoise(lweKind, lweValue, "LWE noise");
  f.glweNoise = decodeNoise(glweKind, glweValue, "GLWE noise");
  try {
    return TfheParameters(f);
  } catch (const std::invalid_argument& error) {
    invalid(error.what());
  }
}

Sha256Digest parameterFingerprint(const TfheParameters& parameters) {
  const ParameterBlock block = encodeParameters(parameters);
  return sha256(block.data(), block.size());
}

std::string describeParameterDifference(const TfheParameters& found, const TfheParameters& expected) {
  const TfheParameterFields& a = found.fields();
  const TfheParameterFields& b = expected.fields();
  auto differ = [](const char* name, const std::string& x, const std::string& y) {
    return std::string(name) + " " + x + " (file) vs " + y + " (expected)";
  };
  auto number = [](auto value) { return std::to_string(value); };
  if (a.lweDimension != b.lweDimension) return differ("lweDimension", number(a.lweDimension), number(b.lweDimension));
  if (a.glweDimension != b.glweDimension) {
    return differ("glweDimension", number(a.glweDimension), number(b.glweDimension));
  }
  if (a.polynomialSize != b.polynomialSize) {
    return differ("polynomialSize", number(a.polynomialSize), number(b.polynomialSize));
  }
  if (a.bootstrap.baseLog != b.bootstrap.baseLog || a.bootstrap.level != b.bootstrap.level) {
    return differ("bootstrap base log/level", number(a.bootstrap.baseLog) + "/" + number(a.bootstrap.level),
                  number(b.bootstrap.baseLog) + "/" + number(b.bootstrap.level));
  }
  if (a.keyswitch.baseLog != b.keyswitch.baseLog || a.keyswitch.level != b.keyswitch.level) {
    return differ("keyswitch base log/level", number(a.keyswitch.baseLog) + "/" + number(a.keyswitch.level),
                  number(b.keyswitch.baseLog) + "/" + number(b.keyswitch.level));
  }
  if (a.modulusSwitch != b.modulusSwitch) return "modulus switch differs";
  if (noiseValue(a.lweNoise) != noiseValue(b.lweNoise) || a.lweNoise.kind != b.lweNoise.kind) {
    return differ("lweNoise", describeNoise(a.lweNoise), describeNoise(b.lweNoise));
  }
  if (noiseValue(a.glweNoise) != noiseValue(b.glweNoise) || a.glweNoise.kind != b.glweNoise.kind) {
    return differ("glweNoise", describeNoise(a.glweNoise), describeNoise(b.glweNoise));
  }
  return "";
}

std::string toHex(const uint8_t* bytes, std::size_t length) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (std::size_t i = 0; i < length; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 15]);
  }
  return out;
}

}  // namespace cq::tfhe
