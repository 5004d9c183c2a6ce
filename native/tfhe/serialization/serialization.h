// Saving and loading ciphertext batches, client keys and evaluation keys in the envelope of
// format.h. Writers fill a buffer of exactly the size the matching *Size function gives (so a
// caller can allocate it anywhere, e.g. in a JS ArrayBuffer, with no intermediate copy).
// Loaders check every byte of their input and throw SerializationError, never anything worse.
//
// Payloads (little-endian):
//   ciphertext batch: u64 count, u32 lweDimension (k*N or n), u32 precision (1..31), then
//     count * (lweDimension + 1) words, each ciphertext's mask then its body.
//   client key: u32 n, u32 k, u32 N, u32 0, then n bytes (small key bits) and k*N bytes (GLWE
//     key bits, polynomial by polynomial), each 0 or 1. SECRET: written only when asked.
//   evaluation keys: u64 keyswitch words, u64 bootstrap words, then the keyswitch key
//     (ciphertext (i, j) at (i * level + j) * (n + 1)) and the standard-domain bootstrap key
//     (row R = i * (k+1) * level + r * level + j at R * (k+1) * N: k mask polynomials, then
//     the body). The Fourier domain is never written: files stay independent of the FFT.
//   compressed evaluation keys: 32-byte mask seed, u64 keyswitch bodies, u64 bootstrap body
//     words, then the bodies in the same order (mask_stream.h regenerates the masks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "../keys.h"
#include "../lwe_ciphertext_batch.h"
#include "compressed_evaluation_keys.h"
#include "envelope.h"
#include "format.h"

namespace cq::tfhe {

// --- ciphertext batches ------------------------------------------------------------------

std::size_t serializedCiphertextsSize(const LweCiphertextBatch& batch);
// The batch's dimension must be the parameters' k*N or n; precision in [1, 31].
void serializeCiphertexts(const TfheParameters& parameters, const KeySetId& keySetId, const LweCiphertextBatch& batch,
                          int precision, uint8_t* out, std::size_t size);

struct LoadedCiphertexts {
  TfheParameters parameters;
  KeySetId keySetId;
  int precision;
  LweCiphertextBatch batch;
};
LoadedCiphertexts deserializeCiphertexts(const uint8_t* data, std::size_t size, const LoadOptions& options);

// --- client keys (secret) ----------------------------------------------------------------

std::size_t serializedClientKeySize(const TfheParameters& parameters);
void serializeClientKey(const ClientKey& key, const KeySetId& keySetId, uint8_t* out, std::size_t size);

struct LoadedClientKey {
  std::unique_ptr<ClientKey> key;
  KeySetId keySetId;
};
LoadedClientKey deserializeClientKey(const uint8_t* data, std::size_t size, const LoadOptions& options);

// --- evaluation keys ---------------------------------------------------------------------

std::size_t serializedEvaluationKeysSize(const TfheParameters& parameters, bool compressed);
// From the compressed keys: compressed as they are, or with every mask expanded.
void serializeEvaluationKeys(const CompressedEvaluationKeys& keys, const KeySetId& keySetId, bool compressed,
                             uint8_t* out, std::size_t size);

struct LoadedEvaluationKeys {
  std::unique_ptr<EvaluationKeys> keys;
  KeySetId keySetId;
  bool compressed;
};
// Either form; the result is in the Fourier domain, ready for lookups.
LoadedEvaluationKeys deserializeEvaluationKeys(const uint8_t* data, std::size_t size, const LoadOptions& options);

// Native memory a loaded evaluation key set takes (keyswitch key + Fourier bootstrap key).
std::size_t evaluationKeysMemory(const TfheParameters& parameters);

// Every check that reads no payload byte: the envelope (checkEnvelope), and the native memory
// the object would take against options.maxBytes. Cheap enough for the caller's thread; what
// the addon runs before copying an input for a worker thread.
OpenedEnvelope precheck(const uint8_t* data, std::size_t size, ObjectType expected, const LoadOptions& options);

}  // namespace cq::tfhe
