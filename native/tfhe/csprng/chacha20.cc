#include "chacha20.h"

#include <cstring>
#include <string.h>

namespace cq::tfhe {

namespace {

inline uint32_t rotateLeft(uint32_t value, int bits) { return (value << bits) | (value >> (32 - bits)); }

inline void quarterRound(uint32_t* s, int a, int b, int c, int d) {
  s[a] += s[b];
  s[d] = rotateLeft(s[d] ^ s[a], 16);
  s[c] += s[d];
  s[b] = rotateLeft(s[b] ^ s[c], 12);
  s[a] += s[b];
  s[d] = rotateLeft(s[d] ^ s[a], 8);
  s[c] += s[d];
  s[b] = rotateLeft(s[b] ^ s[c], 7);
}

inline void storeLittleEndian(uint32_t value, uint8_t* out) {
  out[0] = static_cast<uint8_t>(value);
  out[1] = static_cast<uint8_t>(value >> 8);
  out[2] = static_cast<uint8_t>(value >> 16);
  out[3] = static_cast<uint8_t>(value >> 24);
}

}  // namespace

void chacha20Block(const ChaCha20Key& key, uint32_t counter, const ChaCha20Nonce& nonce, uint8_t out[64]) {
  // "expand 32-byte k" as four little-endian words.
  uint32_t initial[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
  for (int i = 0; i < 8; ++i) initial[4 + i] = key[i];
  initial[12] = counter;
  for (int i = 0; i < 3; ++i) initial[13 + i] = nonce[i];
  uint32_t state[16];
  std::memcpy(state, initial, sizeof(state));
  for (int round = 0; round < 10; ++round) {  // 20 rounds = 10 column + 10 diagonal rounds
    quarterRound(state, 0, 4, 8, 12);
    quarterRound(state, 1, 5, 9, 13);
    quarterRound(state, 2, 6, 10, 14);
    quarterRound(state, 3, 7, 11, 15);
    quarterRound(state, 0, 5, 10, 15);
    quarterRound(state, 1, 6, 11, 12);
    quarterRound(state, 2, 7, 8, 13);
    quarterRound(state, 3, 4, 9, 14);
  }
  for (int i = 0; i < 16; ++i) storeLittleEndian(state[i] + initial[i], out + 4 * i);
  // The working state is not wiped here: the key it holds lives on in the caller's generator
  // anyway, and is wiped with it (RandomGenerator's destructor).
}

void chacha20Xor(const ChaCha20Key& key, uint32_t initialCounter, const ChaCha20Nonce& nonce, uint8_t* data,
                 std::size_t length) {
  uint8_t block[64];
  uint32_t counter = initialCounter;
  for (std::size_t offset = 0; offset < length; offset += 64, ++counter) {
    chacha20Block(key, counter, nonce, block);
    const std::size_t chunk = length - offset < 64 ? length - offset : 64;
    for (std::size_t i = 0; i < chunk; ++i) data[offset + i] ^= block[i];
  }
  wipeMemory(block, sizeof(block));
}

void wipeMemory(void* data, std::size_t bytes) {
  // explicit_bzero (glibc >= 2.25) is a memset the compiler may not remove as a dead store.
  explicit_bzero(data, bytes);
}

}  // namespace cq::tfhe
