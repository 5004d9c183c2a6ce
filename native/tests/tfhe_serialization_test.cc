// Serialization: SHA-256 and mask-stream vectors, the parameter block, round trips of every
// object type, compressed evaluation keys that bootstrap exactly, and loaders that refuse
// every truncation, bit flip and inconsistent declaration with a SerializationError.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "../tfhe/glwe_encryption.h"
#include "../tfhe/key_generation.h"
#include "../tfhe/lwe_encryption.h"
#include "../tfhe/named_parameters.h"
#include "../tfhe/programmable_bootstrap.h"
#include "../tfhe/serialization/mask_stream.h"
#include "../tfhe/serialization/parameter_block.h"
#include "../tfhe/serialization/serialization.h"
#include "../tfhe/serialization/sha256.h"

namespace cq::tfhe {
namespace {

std::string hexDigest(const Sha256Digest& digest) { return toHex(digest.data(), digest.size()); }

std::string hashOf(const std::string& text) {
  return hexDigest(sha256(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

// INSECURE, tests only: small enough that key generation takes milliseconds.
TfheParameters tinyParameters(std::size_t glweDimension = 1) {
  return makeParameters(16, glweDimension, 256, 15, 2, 5, 5, NoiseDistribution::tuniform(8),
                        NoiseDistribution::tuniform(2), ModulusSwitchKind::CenteredBinary);
}

KeySetId testKeySetId(uint8_t fill) {
  KeySetId id;
  id.bytes.fill(fill);
  return id;
}

template <typename Load>
SerializationErrorCode failureCode(const std::vector<uint8_t>& bytes, const Load& load) {
  try {
    load(bytes);
  } catch (const SerializationError& error) {
    return error.code();
  }
  ADD_FAILURE() << "the load did not fail";
  return SerializationErrorCode::Malformed;
}

TEST(SerializationSha256, MatchesTheFipsVectors) {
  EXPECT_EQ(hashOf(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hashOf("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hashOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hashOf(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(SerializationSha256, IsTheSameWhateverTheChunking) {
  std::vector<uint8_t> data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  const Sha256Digest whole = sha256(data.data(), data.size());
  for (std::size_t chunk : {1, 3, 55, 56, 63, 64, 65, 200}) {
    Sha256 hash;
    for (std::size_t offset = 0; offset < data.size(); offset += chunk) {
      hash.update(data.data() + offset, std::min(chunk, data.size() - offset));
    }
    EXPECT_EQ(hash.finish(), whole) << "chunk " << chunk;
  }
}

TEST(SerializationMaskStream, IsChaCha20ReadAtAnyPosition) {
  const Seed seed = insecureFixedSeedForTests(90);
  const MaskStream stream(seed, MaskDomain::BootstrapKey);
  std::vector<uint64_t> sequential(100);
  stream.fill(0, sequential.data(), sequential.size());
  // Word w is word w % 8 of block w / 8 (counter = block, nonce = (0, domain, 0)).
  ChaCha20Key key;
  std::memcpy(key.data(), seed.bytes.data(), 32);
  uint8_t block[64];
  chacha20Block(key, 3, {0, 2, 0}, block);
  uint64_t word;
  std::memcpy(&word, block + 8 * 5, 8);
  EXPECT_EQ(sequential[3 * 8 + 5], word);
  for (uint64_t first : {0, 1, 7, 8, 13, 50}) {
    std::vector<uint64_t> part(37);
    stream.fill(first, part.data(), std::min<std::size_t>(part.size(), 100 - first));
    for (std::size_t i = 0; i < part.size() && first + i < 100; ++i) ASSERT_EQ(part[i], sequential[first + i]);
  }
  // The two domains are independent streams under one seed.
  std::vector<uint64_t> other(8);
  MaskStream(seed, MaskDomain::KeyswitchKey).fill(0, other.data(), other.size());
  EXPECT_NE(other[0], sequential[0]);
}

TEST(SerializationParameters, RoundTripEveryNamedSetWithDistinctFingerprints) {
  const std::vector<TfheParameters> sets = {tuniform22Pfail2m128(), tuniform11Pfail2m128(), tuniform33Pfail2m128(),
                                            tuniform22Pfail2m64(), insecureTestParameters(), tinyParameters()};
  std::vector<std::string> fingerprints;
  for (const auto& set : sets) {
    const ParameterBlock block = encodeParameters(set);
    const TfheParameters decoded = decodeParameters(block.data());
    EXPECT_EQ(describeParameterDifference(decoded, set), "");
    EXPECT_EQ(parameterFingerprint(decoded), parameterFingerprint(set));
    fingerprints.push_back(hexDigest(parameterFingerprint(set)));
  }
  for (std::size_t i = 0; i < fingerprints.size(); ++i) {
    for (std::size_t j = i + 1; j < fingerprints.size(); ++j) EXPECT_NE(fingerprints[i], fingerprints[j]);
  }
  EXPECT_EQ(describeParameterDifference(tuniform22Pfail2m128(), tuniform22Pfail2m64()),
            "lweDimension 918 (file) vs 879 (expected)");
}

TEST(SerializationParameters, RefuseInvalidBlocks) {
  const ParameterBlock good = encodeParameters(tinyParameters());
  auto withWord = [&](std::size_t offset, uint32_t value) {
    ParameterBlock block = good;
    std::memcpy(block.data() + offset, &value, 4);
    return block;
  };
  for (const auto& [offset, value] : std::vector<std::pair<std::size_t, uint32_t>>{
           {0, 2},            // block version
           {4, 32},           // modulus 2^32
           {8, 0},            // n = 0
           {12, 0},           // k = 0
           {16, 300},         // N not a power of two
           {20, 0xffffffff},  // base log that an int cast would wrap
           {24, 65},          // level
           {32, 13},          // 5 * 13 > 64
           {36, 2},           // modulus switch
           {40, 7},           // noise kind
       }) {
    const ParameterBlock block = withWord(offset, value);
    try {
      decodeParameters(block.data());
      ADD_FAILURE() << "offset " << offset << " value " << value << " was accepted";
    } catch (const SerializationError& error) {
      EXPECT_EQ(error.code(), SerializationErrorCode::InvalidParameters) << error.what();
    }
  }
}

class SerializationRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = generateClientKey(params_, insecureFixedSeedForTests(91));
    compressed_ = generateCompressedEvaluationKeys(*client_, insecureFixedSeedForTests(92), insecureFixedSeedForTests(93));
  }
  std::vector<uint8_t> ciphertextBytes(const std::vector<int64_t>& messages, int precision) {
    RandomGenerator random(insecureFixedSeedForTests(94));
    std::vector<uint64_t> plaintexts;
    for (int64_t m : messages) plaintexts.push_back(encodeMessage(m, precision));
    auto batch = encryptLweBatch(client_->glweKey.asLweKey(), plaintexts.data(), plaintexts.size(),
                                 params_.glweNoise(), random);
    std::vector<uint8_t> bytes(serializedCiphertextsSize(batch));
    serializeCiphertexts(params_, id_, batch, precision, bytes.data(), bytes.size());
    return bytes;
  }
  std::vector<uint8_t> evaluationKeyBytes(bool compressed) {
    std::vector<uint8_t> bytes(serializedEvaluationKeysSize(params_, compressed));
    serializeEvaluationKeys(*compressed_, id_, compressed, bytes.data(), bytes.size());
    return bytes;
  }
  LoadOptions expecting() const {
    LoadOptions options;
    options.parameters = params_;
    options.keySetId = id_;
    return options;
  }

  const TfheParameters params_ = tinyParameters();
  const KeySetId id_ = testKeySetId(0xa5);
  std::unique_ptr<ClientKey> client_;
  std::unique_ptr<CompressedEvaluationKeys> compressed_;
};

TEST_F(SerializationRoundTrip, CiphertextsKeepWordsPrecisionAndKeySet) {
  const std::vector<int64_t> messages = {0, 1, 2, 3, -4};
  const auto bytes = ciphertextBytes(messages, 2);
  EXPECT_EQ(bytes.size(), kEnvelopeSize + 16 + 8 * 5 * 257);
  const LoadedCiphertexts loaded = deserializeCiphertexts(bytes.data(), bytes.size(), expecting());
  EXPECT_EQ(loaded.precision, 2);
  EXPECT_EQ(loaded.keySetId, id_);
  ASSERT_EQ(loaded.batch.count(), messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(decodeMessage(decryptLwePhase(client_->glweKey.asLweKey(), loaded.batch.ciphertext(i)), 2), messages[i]);
  }
  // Precision is that of the encoding (up to 31 bits), not only what a lookup reads.
  const auto wide = ciphertextBytes({-(int64_t{1} << 30)}, 31);
  EXPECT_EQ(deserializeCiphertexts(wide.data(), wide.size(), {}).precision, 31);
  const auto empty = ciphertextBytes({}, 3);
  EXPECT_EQ(deserializeCiphertexts(empty.data(), empty.size(), {}).batch.count(), 0u);
}

TEST_F(SerializationRoundTrip, ClientKeysComeBackBitForBit) {
  std::vector<uint8_t> bytes(serializedClientKeySize(params_));
  serializeClientKey(*client_, id_, bytes.data(), bytes.size());
  const LoadedClientKey loaded = deserializeClientKey(bytes.data(), bytes.size(), expecting());
  EXPECT_EQ(std::memcmp(loaded.key->lweKey.bits(), client_->lweKey.bits(), 8 * params_.lweDimension()), 0);
  EXPECT_EQ(std::memcmp(loaded.key->glweKey.bits(), client_->glweKey.bits(), 8 * params_.bigLweDimension()), 0);
  // A key byte other than 0 or 1 is refused (checksum recomputed so the value check is reached).
  bytes[kHeaderSize + kParameterBlockSize + 16 + 3] = 2;
  sealEnvelope(bytes.data(), bytes.size());
  EXPECT_EQ(failureCode(bytes, [](const auto& b) { deserializeClientKey(b.data(), b.size(), {}); }),
            SerializationErrorCode::InvalidValue);
}

TEST_F(SerializationRoundTrip, BothEvaluationKeyFormsLoadToTheSameKeys) {
  const auto direct = decompressEvaluationKeys(*compressed_);
  for (bool compressed : {true, false}) {
    const auto bytes = evaluationKeyBytes(compressed);
    const LoadedEvaluationKeys loaded = deserializeEvaluationKeys(bytes.data(), bytes.size(), expecting());
    EXPECT_EQ(loaded.compressed, compressed);
    EXPECT_TRUE(loaded.keys->keyswitchKey == direct->keyswitchKey);
    EXPECT_EQ(loaded.keys->bootstrapKey.data(), direct->bootstrapKey.data());
  }
  // Compressed: the keyswitch key loses its masks (n + 1 -> 1 word), the bootstrap key its
  // k mask polynomials per row.
  EXPECT_EQ(serializedEvaluationKeysSize(params_, true), kEnvelopeSize + 48 + 8 * (256 * 5 + 16 * 4 * 256));
  EXPECT_EQ(serializedEvaluationKeysSize(params_, false), kEnvelopeSize + 16 + 8 * (256 * 5 * 17 + 16 * 4 * 2 * 256));
}

TEST_F(SerializationRoundTrip, KeyswitchKeyDecryptsToTheGadgetTimesTheBigKey) {
  const auto keys = decompressEvaluationKeys(*compressed_);
  const DecompositionParameters ks = params_.keyswitchDecomposition();
  std::vector<uint64_t> ciphertext(params_.lweDimension() + 1);
  for (std::size_t i = 0; i < params_.bigLweDimension(); ++i) {
    for (int j = 0; j < ks.level; ++j) {
      keys->keyswitchKey.readCiphertext(i, static_cast<std::size_t>(j), ciphertext.data());
      const uint64_t phase = decryptLwePhase(client_->lweKey.view(), ciphertext.data());
      const uint64_t expected = client_->glweKey.bits()[i] << (64 - ks.baseLog * (j + 1));
      // TUniform(8) noise.
      ASSERT_LE(std::abs(static_cast<int64_t>(phase - expected)), 256) << "i " << i << " j " << j;
    }
  }
}

// Every message through identity and negation, with keys that went through the compressed
// file format: exact, for k = 1 and k = 2 (which exercises rows r < k of each GGSW).
void expectExactLookupsThroughFiles(const TfheParameters& params) {
  auto client = generateClientKey(params, insecureFixedSeedForTests(95));
  auto compressed = generateCompressedEvaluationKeys(*client, insecureFixedSeedForTests(96), insecureFixedSeedForTests(97));
  std::vector<uint8_t> bytes(serializedEvaluationKeysSize(params, true));
  serializeEvaluationKeys(*compressed, testKeySetId(1), true, bytes.data(), bytes.size());
  const auto keys = deserializeEvaluationKeys(bytes.data(), bytes.size(), {}).keys;
  const int precision = 3;
  const int64_t entries = int64_t{1} << precision;
  RandomGenerator random(insecureFixedSeedForTests(98));
  std::vector<uint64_t> plaintexts;
  for (int64_t m = 0; m < entries; ++m) plaintexts.push_back(encodeMessage(m, precision));
  const auto inputs = encryptLweBatch(client->glweKey.asLweKey(), plaintexts.data(), plaintexts.size(),
                                      params.glweNoise(), random);
  std::vector<int64_t> tables;
  for (int64_t m = 0; m < entries; ++m) tables.push_back(m);
  for (int64_t m = 0; m < entries; ++m) tables.push_back(-m);
  std::vector<LookupJob> jobs;
  for (std::size_t m = 0; m < plaintexts.size(); ++m) jobs.push_back({m, 0}), jobs.push_back({m, 1});
  const auto out = applyLookupTables(*keys, inputs, tables.data(), 2, precision, jobs);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const int64_t m = static_cast<int64_t>(jobs[j].input);
    const int64_t expected = jobs[j].table == 0 ? m : -m;
    EXPECT_EQ(decodeMessage(decryptLwePhase(client->glweKey.asLweKey(), out.ciphertext(j)), precision), expected)
        << "k " << params.glweDimension() << " m " << m << " table " << jobs[j].table;
  }
}

TEST(SerializationCompressedKeys, BootstrapExactlyAfterAFileRoundTrip) {
  expectExactLookupsThroughFiles(tinyParameters(1));
  expectExactLookupsThroughFiles(tinyParameters(2));
}

TEST_F(SerializationRoundTrip, EveryTruncationIsRefused) {
  const auto bytes = ciphertextBytes({1, 2}, 2);
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
    const auto code = failureCode(prefix, [](const auto& b) { deserializeCiphertexts(b.data(), b.size(), {}); });
    EXPECT_TRUE(code == SerializationErrorCode::Truncated || code == SerializationErrorCode::BadMagic) << length;
  }
  const auto keys = evaluationKeyBytes(true);
  for (std::size_t length : {std::size_t{0}, kHeaderSize - 1, kHeaderSize, kHeaderSize + 70, keys.size() / 2,
                             keys.size() - 1}) {
    const std::vector<uint8_t> prefix(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_EQ(failureCode(prefix, [](const auto& b) { deserializeEvaluationKeys(b.data(), b.size(), {}); }),
              SerializationErrorCode::Truncated);
  }
}

TEST_F(SerializationRoundTrip, EveryBitFlipIsRefused) {
  const auto bytes = ciphertextBytes({3}, 2);
  for (std::size_t bit = 0; bit < 8 * bytes.size(); ++bit) {
    auto flipped = bytes;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    failureCode(flipped, [](const auto& b) { deserializeCiphertexts(b.data(), b.size(), {}); });
  }
  auto keys = evaluationKeyBytes(true);
  keys[keys.size() / 2] ^= 0x10;
  EXPECT_EQ(failureCode(keys, [](const auto& b) { deserializeEvaluationKeys(b.data(), b.size(), {}); }),
            SerializationErrorCode::Checksum);
}

TEST_F(SerializationRoundTrip, MismatchesAndLimitsAreRefusedBeforeTheChecksum) {
  const auto bytes = evaluationKeyBytes(true);
  auto load = [&](const LoadOptions& options) {
    return [options](const std::vector<uint8_t>& b) { deserializeEvaluationKeys(b.data(), b.size(), options); };
  };
  LoadOptions otherParameters;
  otherParameters.parameters = tinyParameters(2);
  EXPECT_EQ(failureCode(bytes, load(otherParameters)), SerializationErrorCode::ParameterMismatch);
  LoadOptions otherKeys;
  otherKeys.keySetId = testKeySetId(7);
  EXPECT_EQ(failureCode(bytes, load(otherKeys)), SerializationErrorCode::KeySetMismatch);
  LoadOptions small;
  small.maxBytes = bytes.size() - 1;
  EXPECT_EQ(failureCode(bytes, load(small)), SerializationErrorCode::SizeLimit);
  // The input fits, but the Fourier keys it expands to would not.
  small.maxBytes = bytes.size();
  EXPECT_EQ(failureCode(bytes, load(small)), SerializationErrorCode::SizeLimit);
  EXPECT_EQ(failureCode(bytes, [](const auto& b) { deserializeClientKey(b.data(), b.size(), {}); }),
            SerializationErrorCode::WrongType);
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(failureCode(longer, load({})), SerializationErrorCode::LengthMismatch);
}

// Rewrites a header field and reseals, as a hostile writer would.
std::vector<uint8_t> withHeaderField(std::vector<uint8_t> bytes, std::size_t offset, uint64_t value, std::size_t width) {
  std::memcpy(bytes.data() + offset, &value, width);
  if (bytes.size() >= kEnvelopeSize) sealEnvelope(bytes.data(), bytes.size());
  return bytes;
}

TEST_F(SerializationRoundTrip, HostileHeadersFailFastWithoutAllocating) {
  const auto bytes = evaluationKeyBytes(true);
  auto code = [](const std::vector<uint8_t>& b) {
    return failureCode(b, [](const auto& x) { deserializeEvaluationKeys(x.data(), x.size(), {}); });
  };
  EXPECT_EQ(code(withHeaderField(bytes, 0, 0x4d, 1)), SerializationErrorCode::BadMagic);
  EXPECT_EQ(code(withHeaderField(bytes, 8, 2, 2)), SerializationErrorCode::UnsupportedVersion);
  EXPECT_EQ(code(withHeaderField(bytes, 10, 9, 2)), SerializationErrorCode::WrongType);
  EXPECT_EQ(code(withHeaderField(bytes, 18, 1, 2)), SerializationErrorCode::UnsupportedVersion);
  EXPECT_EQ(code(withHeaderField(bytes, 20, 65, 4)), SerializationErrorCode::Malformed);
  // A payload of 2^40 or 2^62 + 1 bytes: refused from the header alone.
  EXPECT_EQ(code(withHeaderField(bytes, 24, uint64_t{1} << 40, 8)), SerializationErrorCode::SizeLimit);
  EXPECT_EQ(code(withHeaderField(bytes, 24, (uint64_t{1} << 62) + 1, 8)), SerializationErrorCode::SizeLimit);
  // Parameters that declare the largest keys TfheParameters allows: refused by the memory
  // check, before anything is allocated.
  const TfheParameters huge = makeParameters(16384, 16, 65536, 1, 64, 1, 64, NoiseDistribution::tuniform(8),
                                             NoiseDistribution::tuniform(2), ModulusSwitchKind::CenteredBinary);
  auto block = encodeParameters(huge);
  auto hostile = bytes;
  std::memcpy(hostile.data() + kHeaderSize, block.data(), block.size());
  const Sha256Digest fingerprint = sha256(block.data(), block.size());
  std::memcpy(hostile.data() + 48, fingerprint.data(), fingerprint.size());
  sealEnvelope(hostile.data(), hostile.size());
  EXPECT_EQ(code(hostile), SerializationErrorCode::SizeLimit);
  LoadOptions unlimited;
  unlimited.maxBytes = SIZE_MAX;
  // With no limit at all, the declared sections do not match the parameters.
  EXPECT_EQ(failureCode(hostile, [&](const auto& b) { deserializeEvaluationKeys(b.data(), b.size(), unlimited); }),
            SerializationErrorCode::Malformed);
  // Declared section lengths that disagree with the parameters.
  auto sections = bytes;
  const std::size_t payload = kHeaderSize + kParameterBlockSize;
  EXPECT_EQ(code(withHeaderField(sections, payload + 32, 5, 8)), SerializationErrorCode::Malformed);
  EXPECT_EQ(code(withHeaderField(sections, payload + 40, 0, 8)), SerializationErrorCode::Malformed);
}

TEST(SerializationSizes, DefaultSetCompressesToAQuarter) {
  const TfheParameters params = tuniform22Pfail2m128();
  const std::size_t compressed = serializedEvaluationKeysSize(params, true);
  const std::size_t expanded = serializedEvaluationKeysSize(params, false);
  EXPECT_EQ(expanded, kEnvelopeSize + 16 + 8 * (2048 * 4 * 919 + 918 * 2 * 2 * 2048));
  EXPECT_EQ(compressed, kEnvelopeSize + 48 + 8 * (2048 * 4 + 918 * 2 * 2048));
  EXPECT_LT(compressed * 3.9, expanded);
}

}  // namespace
}  // namespace cq::tfhe
