// The header, parameter block and checksum around every payload (layout in format.h).
// Checks run cheapest and most informative first: what the file is (magic, version, type),
// whether it is the one expected (fingerprint, key set), whether it fits the caller's limit,
// whether it is all there (declared length), and only then the checksum over every byte.
#pragma once

#include <cstddef>
#include <cstdint>

#include "format.h"
#include "sha256.h"

namespace cq::tfhe {

// What a header declares, checked only for self-consistency (no checksum, no parameters).
struct HeaderInfo {
  uint16_t formatVersion = 0;
  ObjectType type = ObjectType::CiphertextBatch;
  LibraryVersion libraryVersion{};
  KeySetId keySetId;
  Sha256Digest fingerprint{};
  uint64_t payloadLength = 0;
  uint64_t totalLength = 0;  // header + parameter block + payload + checksum
};

// Throws SerializationError (Truncated, BadMagic, UnsupportedVersion, WrongType, Malformed,
// SizeLimit when the declared total overflows 64 bits).
HeaderInfo readHeader(const uint8_t* data, std::size_t size);

struct OpenedEnvelope {
  ObjectType type;
  TfheParameters parameters;
  KeySetId keySetId;
  const uint8_t* payload;
  std::size_t payloadLength;
};

// Every envelope check but the checksum: the header, the type (`expected`; EvaluationKeys also
// accepts CompressedEvaluationKeys), the expected fingerprint and key set, the size limit, the
// declared length against `size`, and the parameter block. Reads no payload byte.
OpenedEnvelope checkEnvelope(const uint8_t* data, std::size_t size, ObjectType expected, const LoadOptions& options);

// SerializationError(Checksum) unless the last 32 bytes are the SHA-256 of the others.
void verifyChecksum(const uint8_t* data, std::size_t size);

// Bytes of a file with this payload; throws std::length_error beyond 2^62.
std::size_t envelopeSize(std::size_t payloadLength);

// Writes header and parameter block into data[0, size) (size from envelopeSize) and returns
// where the payload of size - kEnvelopeSize bytes goes; sealEnvelope then writes the checksum.
uint8_t* beginEnvelope(uint8_t* data, std::size_t size, ObjectType type, const TfheParameters& parameters,
                       const KeySetId& keySetId);
void sealEnvelope(uint8_t* data, std::size_t size);

}  // namespace cq::tfhe
