// The cipherquant TFHE binary format: one envelope for ciphertext batches, client keys and
// evaluation keys (expanded or compressed). All integers are little-endian.
//
//   offset  size  field
//        0     8  magic 89 'C' 'Q' 'T' 'F' 'H' 'E' 0A (the 0x89 and the newline catch 7-bit and
//                 text-mode transfers, as PNG's magic does)
//        8     2  format version (kFormatVersion)
//       10     2  object type (ObjectType)
//       12     6  library version that wrote the file: major, minor, patch (u16 each)
//       18     2  flags, 0 in version 1
//       20     4  parameter block length (kParameterBlockSize)
//       24     8  payload length in bytes
//       32    16  key set id: which client key the object belongs to
//       48    32  parameter fingerprint: SHA-256 of the parameter block
//       80    64  parameter block (parameter_block.h)
//      144     -  payload (serialization.h describes each type's)
//   end-32    32  checksum: SHA-256 of every byte before it
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "../parameters.h"

namespace cq::tfhe {

// The loaders memcpy words straight from the file: a big-endian port must add byte swaps.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the TFHE format is little-endian");

constexpr std::array<uint8_t, 8> kMagic = {0x89, 'C', 'Q', 'T', 'F', 'H', 'E', 0x0A};
constexpr uint16_t kFormatVersion = 1;
constexpr std::size_t kHeaderSize = 80;
constexpr std::size_t kParameterBlockSize = 64;
constexpr std::size_t kChecksumSize = 32;
// Bytes of every file besides its payload.
constexpr std::size_t kEnvelopeSize = kHeaderSize + kParameterBlockSize + kChecksumSize;

// The library version written into headers; test/fhe/serialization.test.ts keeps it equal to
// package.json's.
struct LibraryVersion {
  uint16_t major, minor, patch;
};
constexpr LibraryVersion kLibraryVersion = {0, 1, 0};

// Ciphertexts record the precision p of their encoding (messages in [-2^p, 2^p), int32 in JS):
// anything the library encodes, not only what a lookup can read.
constexpr int kMaxCiphertextPrecision = 31;

enum class ObjectType : uint16_t {
  CiphertextBatch = 1,
  ClientKey = 2,
  EvaluationKeys = 3,            // keyswitch key + standard-domain bootstrap key, masks included
  CompressedEvaluationKeys = 4,  // the same with every mask replaced by one ChaCha20 seed
};
const char* objectTypeName(ObjectType type);

// 128 random bits drawn with the client key; its ciphertexts and evaluation keys carry it, so
// that a server can refuse ciphertexts made for another key set.
struct KeySetId {
  std::array<uint8_t, 16> bytes{};
  bool operator==(const KeySetId& other) const { return bytes == other.bytes; }
  bool operator!=(const KeySetId& other) const { return bytes != other.bytes; }
  std::string hex() const;
};
KeySetId randomKeySetId();

// Loading reads at most `maxBytes` of input and builds nothing larger than `maxBytes` of native
// memory: sizes are checked against it from the header and the parameters, before allocating.
constexpr std::size_t kDefaultMaxBytes = std::size_t{1} << 30;

struct LoadOptions {
  std::size_t maxBytes = kDefaultMaxBytes;
  std::optional<TfheParameters> parameters;  // refuse any other parameter set
  std::optional<KeySetId> keySetId;          // refuse objects of any other key set
};

enum class SerializationErrorCode {
  Truncated,           // shorter than the header or than the lengths it declares
  BadMagic,            // not a cipherquant TFHE file
  UnsupportedVersion,  // a format version (or flags) this library cannot read
  WrongType,           // another object type than the one asked for
  SizeLimit,           // declared sizes beyond the caller's limit
  LengthMismatch,      // input length differs from the declared length
  Checksum,            // the bytes were altered
  InvalidParameters,   // the parameter block is not a usable parameter set
  ParameterMismatch,   // a valid set, but not the expected one
  KeySetMismatch,      // made for another key set
  Malformed,           // payload lengths or dimensions that do not conform to the parameters
  InvalidValue,        // a value out of its domain (e.g. a key bit that is not 0 or 1)
};

// Every way a load can fail on its input. The message names what is wrong; never key material.
class SerializationError : public std::runtime_error {
 public:
  SerializationError(SerializationErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  SerializationErrorCode code() const { return code_; }
  // A stable identifier for JS, e.g. "ERR_TFHE_TRUNCATED".
  const char* codeName() const;

 private:
  SerializationErrorCode code_;
};

}  // namespace cq::tfhe
