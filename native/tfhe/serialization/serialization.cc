#include "serialization.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "../csprng/chacha20.h"
#include "byte_io.h"

namespace cq::tfhe {

namespace {

using Code = SerializationErrorCode;

[[noreturn]] void malformed(const std::string& message) { throw SerializationError(Code::Malformed, message); }

// a * b, or SizeLimit when it does not fit 64 bits (only absurd parameters get there).
uint64_t checkedMul(uint64_t a, uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a) throw SerializationError(Code::SizeLimit, "declared sizes overflow 64 bits");
  return a * b;
}

void checkMemory(std::size_t bytes, const LoadOptions& options, const char* what) {
  if (bytes > options.maxBytes) {
    throw SerializationError(Code::SizeLimit, std::string(what) + " would take " + std::to_string(bytes) +
                                                  " bytes of memory, above the limit of " +
                                                  std::to_string(options.maxBytes));
  }
}

void expectDeclared(uint64_t declared, uint64_t expected, const std::string& what) {
  if (declared != expected) {
    malformed(what + ": " + std::to_string(declared) + " declared, the parameters need " + std::to_string(expected));
  }
}

// The payload must end exactly where its last section does.
void expectEnd(const ByteReader& in, uint64_t bytes, const char* what) {
  if (in.remaining() != bytes) {
    malformed(std::string(what) + " need " + std::to_string(bytes) + " more bytes of payload, " +
              std::to_string(in.remaining()) + " remain");
  }
}

std::size_t clientKeyPayload(const TfheParameters& p) { return 16 + p.lweDimension() + p.bigLweDimension(); }

std::size_t compressedPayload(const TfheParameters& p) {
  return 32 + 16 + 8 * (keyswitchCiphertextCount(p) + bootstrapRowCount(p) * p.polynomialSize());
}

std::size_t expandedPayload(const TfheParameters& p) {
  return 16 + 8 * (expandedKeyswitchWords(p) + expandedBootstrapWords(p));
}

}  // namespace

// --- ciphertext batches ------------------------------------------------------------------

std::size_t serializedCiphertextsSize(const LweCiphertextBatch& batch) {
  return envelopeSize(16 + 8 * batch.data().size());
}

void serializeCiphertexts(const TfheParameters& p, const KeySetId& keySetId, const LweCiphertextBatch& batch,
                          int precision, uint8_t* out, std::size_t size) {
  if (batch.lweDimension() != p.bigLweDimension() && batch.lweDimension() != p.lweDimension()) {
    throw std::invalid_argument("serializeCiphertexts: the batch's dimension is neither k*N nor n");
  }
  if (precision < 1 || precision > kMaxCiphertextPrecision) {
    throw std::invalid_argument("serializeCiphertexts: precision outside [1, 31]");
  }
  if (size != serializedCiphertextsSize(batch)) throw std::invalid_argument("serializeCiphertexts: wrong buffer size");
  ByteWriter payload(beginEnvelope(out, size, ObjectType::CiphertextBatch, p, keySetId), size - kEnvelopeSize);
  payload.u64(batch.count());
  payload.u32(static_cast<uint32_t>(batch.lweDimension()));
  payload.u32(static_cast<uint32_t>(precision));
  payload.bytes(batch.data().data(), 8 * batch.data().size());
  sealEnvelope(out, size);
}

LoadedCiphertexts deserializeCiphertexts(const uint8_t* data, std::size_t size, const LoadOptions& options) {
  const OpenedEnvelope envelope = precheck(data, size, ObjectType::CiphertextBatch, options);
  verifyChecksum(data, size);
  const TfheParameters& p = envelope.parameters;
  ByteReader in(envelope.payload, envelope.payloadLength, "payload");
  const uint64_t count = in.u64();
  const uint32_t dimension = in.u32();
  const uint32_t precision = in.u32();
  if (dimension != p.bigLweDimension() && dimension != p.lweDimension()) {
    malformed("ciphertext dimension " + std::to_string(dimension) + " is neither k*N = " +
              std::to_string(p.bigLweDimension()) + " nor n = " + std::to_string(p.lweDimension()));
  }
  if (precision < 1 || precision > static_cast<uint32_t>(kMaxCiphertextPrecision)) {
    malformed("precision " + std::to_string(precision) + " is outside [1, " + std::to_string(kMaxCiphertextPrecision) +
              "]");
  }
  // count * (dimension + 1) * 8 must be exactly what remains; divide instead of multiplying so
  // that a huge declared count cannot overflow into a small product.
  const uint64_t words = in.remaining() / 8;
  if (in.remaining() % 8 != 0 || words % (dimension + 1) != 0 || words / (dimension + 1) != count) {
    malformed("declares " + std::to_string(count) + " ciphertexts of " + std::to_string(dimension + 1) +
              " words, the payload holds " + std::to_string(in.remaining()) + " bytes");
  }
  std::vector<uint64_t> words64(words);
  const uint8_t* from = in.take(8 * words);
  if (words > 0) std::memcpy(words64.data(), from, 8 * words);
  return {p, envelope.keySetId, static_cast<int>(precision),
          LweCiphertextBatch(static_cast<std::size_t>(count), dimension, std::move(words64))};
}

// --- client keys -------------------------------------------------------------------------

std::size_t serializedClientKeySize(const TfheParameters& p) { return envelopeSize(clientKeyPayload(p)); }

void serializeClientKey(const ClientKey& key, const KeySetId& keySetId, uint8_t* out, std::size_t size) {
  const TfheParameters& p = key.parameters;
  if (size != serializedClientKeySize(p)) throw std::invalid_argument("serializeClientKey: wrong buffer size");
  ByteWriter payload(beginEnvelope(out, size, ObjectType::ClientKey, p, keySetId), size - kEnvelopeSize);
  payload.u32(static_cast<uint32_t>(p.lweDimension()));
  payload.u32(static_cast<uint32_t>(p.glweDimension()));
  payload.u32(static_cast<uint32_t>(p.polynomialSize()));
  payload.u32(0);
  // Bits go straight from the key into the output: no temporary copy of the secret to wipe.
  uint8_t* bits = payload.reserve(p.lweDimension() + p.bigLweDimension());
  for (std::size_t i = 0; i < p.lweDimension(); ++i) bits[i] = static_cast<uint8_t>(key.lweKey.bits()[i]);
  bits += p.lweDimension();
  for (std::size_t i = 0; i < p.bigLweDimension(); ++i) bits[i] = static_cast<uint8_t>(key.glweKey.bits()[i]);
  sealEnvelope(out, size);
}

namespace {

// Copies key bits, checking each is 0 or 1 without branching on it (the check's timing must
// not depend on the key); only a bad key takes the slow path that finds the culprit.
void loadKeyBits(const uint8_t* from, uint64_t* to, std::size_t count, const char* which) {
  uint8_t bad = 0;
  for (std::size_t i = 0; i < count; ++i) {
    bad |= from[i] >> 1;
    to[i] = from[i] & 1;
  }
  if (bad == 0) return;
  for (std::size_t i = 0; i < count; ++i) {
    if (from[i] > 1) {
      throw SerializationError(Code::InvalidValue,
                               std::string(which) + " bit " + std::to_string(i) + " is neither 0 nor 1");
    }
  }
}

}  // namespace

LoadedClientKey deserializeClientKey(const uint8_t* data, std::size_t size, const LoadOptions& options) {
  const OpenedEnvelope envelope = precheck(data, size, ObjectType::ClientKey, options);
  verifyChecksum(data, size);
  const TfheParameters& p = envelope.parameters;
  ByteReader in(envelope.payload, envelope.payloadLength, "payload");
  expectDeclared(in.u32(), p.lweDimension(), "client key LWE dimension");
  expectDeclared(in.u32(), p.glweDimension(), "client key GLWE dimension");
  expectDeclared(in.u32(), p.polynomialSize(), "client key polynomial size");
  expectDeclared(in.u32(), 0, "client key reserved field");
  expectEnd(in, p.lweDimension() + p.bigLweDimension(), "the client key's bits");
  auto key = std::make_unique<ClientKey>(p);
  loadKeyBits(in.take(p.lweDimension()), key->lweKey.bits(), p.lweDimension(), "small key");
  loadKeyBits(in.take(p.bigLweDimension()), key->glweKey.bits(), p.bigLweDimension(), "GLWE key");
  return {std::move(key), envelope.keySetId};
}

// --- evaluation keys ---------------------------------------------------------------------

std::size_t evaluationKeysMemory(const TfheParameters& p) {
  // Fourier bootstrap key: one double per standard-domain word.
  return 8 * (expandedKeyswitchWords(p) + expandedBootstrapWords(p));
}

std::size_t serializedEvaluationKeysSize(const TfheParameters& p, bool compressed) {
  return envelopeSize(compressed ? compressedPayload(p) : expandedPayload(p));
}

void serializeEvaluationKeys(const CompressedEvaluationKeys& keys, const KeySetId& keySetId, bool compressed,
                             uint8_t* out, std::size_t size) {
  const TfheParameters& p = keys.parameters;
  if (size != serializedEvaluationKeysSize(p, compressed)) {
    throw std::invalid_argument("serializeEvaluationKeys: wrong buffer size");
  }
  const ObjectType type = compressed ? ObjectType::CompressedEvaluationKeys : ObjectType::EvaluationKeys;
  ByteWriter payload(beginEnvelope(out, size, type, p, keySetId), size - kEnvelopeSize);
  if (compressed) {
    payload.bytes(keys.maskSeed.bytes.data(), keys.maskSeed.bytes.size());
    payload.u64(keys.keyswitchBodies.size());
    payload.u64(keys.bootstrapBodies.size());
    payload.bytes(keys.keyswitchBodies.data(), 8 * keys.keyswitchBodies.size());
    payload.bytes(keys.bootstrapBodies.data(), 8 * keys.bootstrapBodies.size());
  } else {
    payload.u64(expandedKeyswitchWords(p));
    payload.u64(expandedBootstrapWords(p));
    uint8_t* keyswitch = payload.reserve(8 * expandedKeyswitchWords(p));
    uint8_t* bootstrap = payload.reserve(8 * expandedBootstrapWords(p));
    writeExpandedEvaluationKeys(keys, keyswitch, bootstrap);
  }
  sealEnvelope(out, size);
}

LoadedEvaluationKeys deserializeEvaluationKeys(const uint8_t* data, std::size_t size, const LoadOptions& options) {
  const OpenedEnvelope envelope = precheck(data, size, ObjectType::EvaluationKeys, options);
  verifyChecksum(data, size);
  const TfheParameters& p = envelope.parameters;
  ByteReader in(envelope.payload, envelope.payloadLength, "payload");
  const bool compressed = envelope.type == ObjectType::CompressedEvaluationKeys;
  if (compressed) {
    Seed maskSeed;
    std::memcpy(maskSeed.bytes.data(), in.take(maskSeed.bytes.size()), maskSeed.bytes.size());
    const uint64_t keyswitchBodies = in.u64(), bootstrapBodies = in.u64();
    expectDeclared(keyswitchBodies, keyswitchCiphertextCount(p), "keyswitch key bodies");
    expectDeclared(bootstrapBodies, bootstrapRowCount(p) * p.polynomialSize(), "bootstrap key body words");
    expectEnd(in, 8 * (keyswitchBodies + bootstrapBodies), "the key bodies");
    const uint8_t* keyswitch = in.take(8 * keyswitchBodies);
    const uint8_t* bootstrap = in.take(8 * bootstrapBodies);
    return {expandEvaluationKeys(p, maskSeed, keyswitch, bootstrap), envelope.keySetId, true};
  }
  const uint64_t keyswitchWords = in.u64(), bootstrapWords = in.u64();
  expectDeclared(keyswitchWords, expandedKeyswitchWords(p), "keyswitch key words");
  expectDeclared(bootstrapWords, expandedBootstrapWords(p), "bootstrap key words");
  expectEnd(in, 8 * (keyswitchWords + bootstrapWords), "the keys");
  const uint8_t* keyswitch = in.take(8 * keyswitchWords);
  const uint8_t* bootstrap = in.take(8 * bootstrapWords);
  return {loadExpandedEvaluationKeys(p, keyswitch, bootstrap), envelope.keySetId, false};
}

OpenedEnvelope precheck(const uint8_t* data, std::size_t size, ObjectType expected, const LoadOptions& options) {
  OpenedEnvelope envelope = checkEnvelope(data, size, expected, options);
  const TfheParameters& p = envelope.parameters;
  switch (envelope.type) {
    case ObjectType::CiphertextBatch:
      // The batch copies the payload's words: about the payload's size.
      checkMemory(envelope.payloadLength, options, "the ciphertexts");
      break;
    case ObjectType::ClientKey:
      checkMemory(checkedMul(8, p.lweDimension() + p.bigLweDimension()), options, "the client key");
      break;
    case ObjectType::EvaluationKeys:
    case ObjectType::CompressedEvaluationKeys: {
      // Each factor is bounded by TfheParameters, yet the products are checked: this is the
      // guard that keeps a small file from asking for terabytes.
      const uint64_t level = static_cast<uint64_t>(p.keyswitchDecomposition().level);
      const uint64_t rows = checkedMul(p.glweDimension() + 1, static_cast<uint64_t>(p.bootstrapDecomposition().level));
      const uint64_t keyswitch = checkedMul(checkedMul(p.bigLweDimension(), level), p.lweDimension() + 1);
      const uint64_t bootstrap =
          checkedMul(checkedMul(checkedMul(p.lweDimension(), rows), p.glweDimension() + 1), p.polynomialSize());
      if (keyswitch + bootstrap < keyswitch || keyswitch + bootstrap > UINT64_MAX / 8) {
        throw SerializationError(Code::SizeLimit, "declared sizes overflow 64 bits");
      }
      checkMemory(8 * (keyswitch + bootstrap), options, "the evaluation keys");
      break;
    }
  }
  return envelope;
}

}  // namespace cq::tfhe
