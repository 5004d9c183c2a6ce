#include "envelope.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "byte_io.h"
#include "parameter_block.h"

namespace cq::tfhe {

namespace {

using Code = SerializationErrorCode;

std::string bytesText(uint64_t bytes) { return std::to_string(bytes) + " bytes"; }

}  // namespace

HeaderInfo readHeader(const uint8_t* data, std::size_t size) {
  if (size == 0) throw SerializationError(Code::Truncated, "truncated: the input is empty");
  // A short input that does not even start like one of our files is reported as such.
  const std::size_t magicBytes = size < kMagic.size() ? size : kMagic.size();
  if (std::memcmp(data, kMagic.data(), magicBytes) != 0) {
    throw SerializationError(Code::BadMagic, "not a cipherquant TFHE object (bad magic bytes)");
  }
  if (size < kHeaderSize) {
    throw SerializationError(Code::Truncated, "truncated: " + bytesText(size) + ", shorter than the " +
                                                  std::to_string(kHeaderSize) + "-byte header");
  }
  ByteReader in(data, kHeaderSize, "header");
  in.take(kMagic.size());
  HeaderInfo header;
  header.formatVersion = in.u16();
  if (header.formatVersion != kFormatVersion) {
    throw SerializationError(Code::UnsupportedVersion,
                             "format version " + std::to_string(header.formatVersion) +
                                 " is not supported (this library reads version " + std::to_string(kFormatVersion) + ")");
  }
  const uint16_t type = in.u16();
  if (type < 1 || type > 4) {
    throw SerializationError(Code::WrongType, "unknown object type " + std::to_string(type));
  }
  header.type = static_cast<ObjectType>(type);
  header.libraryVersion = {in.u16(), in.u16(), in.u16()};
  const uint16_t flags = in.u16();
  if (flags != 0) {
    throw SerializationError(Code::UnsupportedVersion,
                             "flags " + std::to_string(flags) + " are not defined in format version 1");
  }
  const uint32_t blockLength = in.u32();
  if (blockLength != kParameterBlockSize) {
    throw SerializationError(Code::Malformed, "parameter block length " + std::to_string(blockLength) +
                                                  ", format version 1 uses " + std::to_string(kParameterBlockSize));
  }
  header.payloadLength = in.u64();
  std::memcpy(header.keySetId.bytes.data(), in.take(16), 16);
  std::memcpy(header.fingerprint.data(), in.take(32), 32);
  if (header.payloadLength > (uint64_t{1} << 62)) {
    throw SerializationError(Code::SizeLimit, "declares a payload of " + bytesText(header.payloadLength) +
                                                  ", beyond any possible object");
  }
  header.totalLength = header.payloadLength + kEnvelopeSize;
  return header;
}

OpenedEnvelope checkEnvelope(const uint8_t* data, std::size_t size, ObjectType expected, const LoadOptions& options) {
  const HeaderInfo header = readHeader(data, size);
  const bool accepted = header.type == expected || (expected == ObjectType::EvaluationKeys &&
                                                    header.type == ObjectType::CompressedEvaluationKeys);
  if (!accepted) {
    throw SerializationError(Code::WrongType, std::string("holds ") + objectTypeName(header.type) + ", expected " +
                                                  objectTypeName(expected));
  }
  if (options.parameters) {
    const Sha256Digest fingerprint = parameterFingerprint(*options.parameters);
    if (fingerprint != header.fingerprint) {
      throw SerializationError(Code::ParameterMismatch,
                               "made for parameters with fingerprint " + toHex(header.fingerprint.data(), 8) +
                                   "..., expected " + toHex(fingerprint.data(), 8) + "...");
    }
  }
  if (options.keySetId && *options.keySetId != header.keySetId) {
    throw SerializationError(Code::KeySetMismatch, "made for key set " + header.keySetId.hex() + ", expected " +
                                                       options.keySetId->hex());
  }
  if (header.totalLength > options.maxBytes) {
    throw SerializationError(Code::SizeLimit, "declares " + bytesText(header.totalLength) + ", above the limit of " +
                                                  bytesText(options.maxBytes));
  }
  if (size < header.totalLength) {
    throw SerializationError(Code::Truncated, "truncated: " + bytesText(size) + " of the " +
                                                  bytesText(header.totalLength) + " the header declares");
  }
  if (size > header.totalLength) {
    throw SerializationError(Code::LengthMismatch, bytesText(size) + " given, but the header declares " +
                                                       bytesText(header.totalLength));
  }
  const uint8_t* block = data + kHeaderSize;
  if (sha256(block, kParameterBlockSize) != header.fingerprint) {
    throw SerializationError(Code::Checksum, "corrupted: the parameter block does not match the header's fingerprint");
  }
  OpenedEnvelope opened{header.type, decodeParameters(block), header.keySetId, block + kParameterBlockSize,
                        static_cast<std::size_t>(header.payloadLength)};
  if (options.parameters) {
    // Equal fingerprints already mean equal blocks; this only names the field if they differ.
    const std::string difference = describeParameterDifference(opened.parameters, *options.parameters);
    if (!difference.empty()) throw SerializationError(Code::ParameterMismatch, "parameters differ: " + difference);
  }
  return opened;
}

void verifyChecksum(const uint8_t* data, std::size_t size) {
  const std::size_t checked = size - kChecksumSize;
  const Sha256Digest checksum = sha256(data, checked);
  if (std::memcmp(checksum.data(), data + checked, kChecksumSize) != 0) {
    throw SerializationError(Code::Checksum, "checksum mismatch: the data was altered or corrupted");
  }
}

std::size_t envelopeSize(std::size_t payloadLength) {
  if (payloadLength > (std::size_t{1} << 62)) throw std::length_error("serialization: object too large");
  return payloadLength + kEnvelopeSize;
}

uint8_t* beginEnvelope(uint8_t* data, std::size_t size, ObjectType type, const TfheParameters& parameters,
                       const KeySetId& keySetId) {
  if (size < kEnvelopeSize) throw std::logic_error("serialization: buffer smaller than the envelope");
  ByteWriter out(data, size);
  out.bytes(kMagic.data(), kMagic.size());
  out.u16(kFormatVersion);
  out.u16(static_cast<uint16_t>(type));
  out.u16(kLibraryVersion.major);
  out.u16(kLibraryVersion.minor);
  out.u16(kLibraryVersion.patch);
  out.u16(0);
  out.u32(static_cast<uint32_t>(kParameterBlockSize));
  out.u64(size - kEnvelopeSize);
  out.bytes(keySetId.bytes.data(), keySetId.bytes.size());
  const ParameterBlock block = encodeParameters(parameters);
  const Sha256Digest fingerprint = sha256(block.data(), block.size());
  out.bytes(fingerprint.data(), fingerprint.size());
  out.bytes(block.data(), block.size());
  return data + out.offset();
}

void sealEnvelope(uint8_t* data, std::size_t size) {
  const Sha256Digest checksum = sha256(data, size - kChecksumSize);
  std::memcpy(data + size - kChecksumSize, checksum.data(), checksum.size());
}

}  // namespace cq::tfhe
