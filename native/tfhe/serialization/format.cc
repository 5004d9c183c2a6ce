#include "format.h"

#include "../csprng/random_generator.h"
#include "parameter_block.h"

namespace cq::tfhe {

const char* objectTypeName(ObjectType type) {
  switch (type) {
    case ObjectType::CiphertextBatch: return "a ciphertext batch";
    case ObjectType::ClientKey: return "a client key";
    case ObjectType::EvaluationKeys: return "evaluation keys";
    case ObjectType::CompressedEvaluationKeys: return "compressed evaluation keys";
  }
  return "an unknown object";
}

std::string KeySetId::hex() const { return toHex(bytes.data(), bytes.size()); }

KeySetId randomKeySetId() {
  const Seed seed = seedFromOperatingSystem();
  KeySetId id;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = seed.bytes[i];
  return id;
}

const char* SerializationError::codeName() const {
  switch (code_) {
    case SerializationErrorCode::Truncated: return "ERR_TFHE_TRUNCATED";
    case SerializationErrorCode::BadMagic: return "ERR_TFHE_BAD_MAGIC";
    case SerializationErrorCode::UnsupportedVersion: return "ERR_TFHE_UNSUPPORTED_VERSION";
    case SerializationErrorCode::WrongType: return "ERR_TFHE_WRONG_TYPE";
    case SerializationErrorCode::SizeLimit: return "ERR_TFHE_SIZE_LIMIT";
    case SerializationErrorCode::LengthMismatch: return "ERR_TFHE_LENGTH_MISMATCH";
    case SerializationErrorCode::Checksum: return "ERR_TFHE_CHECKSUM";
    case SerializationErrorCode::InvalidParameters: return "ERR_TFHE_INVALID_PARAMETERS";
    case SerializationErrorCode::ParameterMismatch: return "ERR_TFHE_PARAMETER_MISMATCH";
    case SerializationErrorCode::KeySetMismatch: return "ERR_TFHE_KEY_SET_MISMATCH";
    case SerializationErrorCode::Malformed: return "ERR_TFHE_MALFORMED";
    case SerializationErrorCode::InvalidValue: return "ERR_TFHE_INVALID_VALUE";
  }
  return "ERR_TFHE_UNKNOWN";
}

}  // namespace cq::tfhe
