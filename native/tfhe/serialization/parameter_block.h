// The canonical 64-byte encoding of a parameter set: the parameter block of every file, and
// what the fingerprint hashes. Little-endian:
//
//   0 u32 block version (1)        4 u32 log2 of the ciphertext modulus (64)
//   8 u32 n (LWE dimension)       12 u32 k (GLWE dimension)       16 u32 N (polynomial size)
//  20 u32 bootstrap base log      24 u32 bootstrap level
//  28 u32 keyswitch base log      32 u32 keyswitch level
//  36 u32 modulus switch: 0 standard, 1 centered binary
//  40 u32 LWE noise kind, 44 u32 GLWE noise kind: 0 TUniform, 1 Gaussian
//  48 u64 LWE noise, 56 u64 GLWE noise: the TUniform bound log2, or the IEEE-754 bits of the
//         Gaussian standard deviation (a fraction of q)
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "../parameters.h"
#include "format.h"
#include "sha256.h"

namespace cq::tfhe {

using ParameterBlock = std::array<uint8_t, kParameterBlockSize>;

ParameterBlock encodeParameters(const TfheParameters& parameters);

// Throws SerializationError: InvalidParameters for an unknown block version, a modulus other
// than 2^64, unknown kinds, or fields TfheParameters refuses (zero or oversized dimensions...).
TfheParameters decodeParameters(const uint8_t* block);

// SHA-256 of the parameter block: equal fingerprints mean equal parameter sets.
Sha256Digest parameterFingerprint(const TfheParameters& parameters);

// "" when equal, else the first differing field, e.g. "lweDimension 918 (file) vs 128 (expected)".
std::string describeParameterDifference(const TfheParameters& found, const TfheParameters& expected);

std::string toHex(const uint8_t* bytes, std::size_t length);

}  // namespace cq::tfhe
