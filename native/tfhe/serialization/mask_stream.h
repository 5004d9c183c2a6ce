// The public masks of compressed evaluation keys: word w of a mask stream is a fixed function
// of (seed, domain, w), read at any position, so that every ciphertext's mask can be
// regenerated on its own, on any thread, from the 32-byte seed the file carries.
//
// Word w is bytes [8 (w mod 8), 8 (w mod 8) + 8) (little-endian) of the RFC 8439 ChaCha20 block
// with key = seed, block counter = b mod 2^32 and nonce = (b >> 32, domain, 0), b = w / 8.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../csprng/chacha20.h"
#include "../csprng/random_generator.h"

namespace cq::tfhe {

// Separate domains keep the keyswitch and bootstrap masks independent under one seed.
enum class MaskDomain : uint32_t { KeyswitchKey = 1, BootstrapKey = 2 };

class MaskStream {
 public:
  MaskStream(const Seed& seed, MaskDomain domain);
  ~MaskStream();
  MaskStream(const MaskStream&) = delete;
  MaskStream& operator=(const MaskStream&) = delete;

  // out[i] = word (first + i) of the stream, for i < count.
  void fill(uint64_t first, uint64_t* out, std::size_t count) const;

 private:
  ChaCha20Key key_{};
  uint32_t domain_;
};

}  // namespace cq::tfhe
