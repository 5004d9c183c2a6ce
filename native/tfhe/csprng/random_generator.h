// The one source of randomness for keys, masks and noise: ChaCha20 keyed by a 256-bit seed.
// Seeds come from the operating system; a fixed seed exists for reproducible tests only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "chacha20.h"

namespace cq::tfhe {

// 256 bits of seed material, wiped when it goes out of scope.
struct Seed {
  std::array<uint8_t, 32> bytes{};
  Seed() = default;
  Seed(const Seed&) = default;
  Seed& operator=(const Seed&) = default;
  ~Seed() { wipeMemory(bytes.data(), bytes.size()); }
};

// A fresh seed from the OS CSPRNG (getrandom(2), /dev/urandom as a fallback). Throws
// std::runtime_error when the OS cannot provide one.
Seed seedFromOperatingSystem();

// INSECURE: a seed that is a public function of `value`, for reproducible tests and known-answer
// vectors. Keys made from it protect nothing.
Seed insecureFixedSeedForTests(uint64_t value);

class RandomGenerator {
 public:
  explicit RandomGenerator(const Seed& seed);
  ~RandomGenerator();
  RandomGenerator(const RandomGenerator&) = delete;
  RandomGenerator& operator=(const RandomGenerator&) = delete;
  RandomGenerator(RandomGenerator&&) = default;

  uint64_t nextU64() {
    if (available_ == 0) refill();
    return buffer_[kBufferWords - available_--];
  }
  void fillU64(uint64_t* out, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) out[i] = nextU64();
  }
  // A uniform double in [0, 1) with 53 random bits.
  double nextUnitDouble() { return static_cast<double>(nextU64() >> 11) * 0x1.0p-53; }
  // A seed drawn from this stream: lets several threads generate independent parts of a key
  // in parallel while the whole stays a deterministic function of the original seed.
  Seed forkSeed();

 private:
  static constexpr std::size_t kBufferWords = 8;  // one 64-byte ChaCha20 block
  void refill();

  ChaCha20Key key_{};
  // The 128-bit block index: counter (low 32 bits) then the three nonce words.
  uint32_t counter_ = 0;
  ChaCha20Nonce nonce_{};
  uint64_t buffer_[kBufferWords] = {};
  std::size_t available_ = 0;
};

}  // namespace cq::tfhe
