#include "mask_stream.h"

#include <cstring>

namespace cq::tfhe {

MaskStream::MaskStream(const Seed& seed, MaskDomain domain) : domain_(static_cast<uint32_t>(domain)) {
  // The same byte order as RandomGenerator reads its seed.
  for (int i = 0; i < 8; ++i) std::memcpy(&key_[i], seed.bytes.data() + 4 * i, 4);
}

// The seed is public once the keys are shipped, but until then it is only the client's.
MaskStream::~MaskStream() { wipeMemory(key_.data(), sizeof(key_)); }

void MaskStream::fill(uint64_t first, uint64_t* out, std::size_t count) const {
  uint8_t block[64];
  uint64_t word = first;
  std::size_t done = 0;
  while (done < count) {
    const uint64_t blockIndex = word / 8;
    const std::size_t skip = static_cast<std::size_t>(word % 8);
    const ChaCha20Nonce nonce = {static_cast<uint32_t>(blockIndex >> 32), domain_, 0};
    chacha20Block(key_, static_cast<uint32_t>(blockIndex), nonce, block);
    const std::size_t take = count - done < 8 - skip ? count - done : 8 - skip;
    std::memcpy(out + done, block + 8 * skip, 8 * take);
    done += take;
    word += take;
  }
}

}  // namespace cq::tfhe
