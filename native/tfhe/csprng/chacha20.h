// ChaCha20 (RFC 8439) as a deterministic random bit generator: a 256-bit seed is the key, and
// the 32-bit block counter plus the 96-bit nonce form a 128-bit block index, so one seed yields
// 2^128 blocks of 64 bytes before anything repeats.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace cq::tfhe {

using ChaCha20Key = std::array<uint32_t, 8>;
using ChaCha20Nonce = std::array<uint32_t, 3>;

// The RFC 8439 block function (section 2.3): 64 bytes of keystream for one counter value.
void chacha20Block(const ChaCha20Key& key, uint32_t counter, const ChaCha20Nonce& nonce, uint8_t out[64]);

// XORs `length` bytes of keystream, starting at block `initialCounter`, into `data`
// (RFC 8439 section 2.4 encryption; decryption is the same operation).
void chacha20Xor(const ChaCha20Key& key, uint32_t initialCounter, const ChaCha20Nonce& nonce, uint8_t* data,
                 std::size_t length);

// Overwrites memory in a way the compiler may not drop as a dead store.
void wipeMemory(void* data, std::size_t bytes);

}  // namespace cq::tfhe
