#include "random_generator.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace cq::tfhe {

namespace {

bool readUrandom(uint8_t* out, std::size_t length) {
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < length) {
    ssize_t got = ::read(fd, out + done, length - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    done += static_cast<std::size_t>(got);
  }
  ::close(fd);
  return done == length;
}

}  // namespace

Seed seedFromOperatingSystem() {
  Seed seed;
  std::size_t done = 0;
  while (done < seed.bytes.size()) {
    ssize_t got = ::getrandom(seed.bytes.data() + done, seed.bytes.size() - done, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) break;  // e.g. ENOSYS on an old kernel: fall back to the device
    done += static_cast<std::size_t>(got);
  }
  if (done != seed.bytes.size() && !readUrandom(seed.bytes.data(), seed.bytes.size())) {
    throw std::runtime_error("cannot read a random seed from the operating system");
  }
  return seed;
}

Seed insecureFixedSeedForTests(uint64_t value) {
  Seed seed;
  for (int i = 0; i < 8; ++i) seed.bytes[i] = static_cast<uint8_t>(value >> (8 * i));
  // A fixed, visible tag so such a seed is recognisable in a debugger.
  const char tag[] = "cipherquant INSECURE test seed";
  std::memcpy(seed.bytes.data() + 8, tag, 24 < sizeof(tag) ? 24 : sizeof(tag));
  return seed;
}

RandomGenerator::RandomGenerator(const Seed& seed) {
  for (int i = 0; i < 8; ++i) {
    key_[i] = static_cast<uint32_t>(seed.bytes[4 * i]) | static_cast<uint32_t>(seed.bytes[4 * i + 1]) << 8 |
              static_cast<uint32_t>(seed.bytes[4 * i + 2]) << 16 | static_cast<uint32_t>(seed.bytes[4 * i + 3]) << 24;
  }
}

RandomGenerator::~RandomGenerator() {
  wipeMemory(key_.data(), sizeof(key_));
  wipeMemory(buffer_, sizeof(buffer_));
}

void RandomGenerator::refill() {
  uint8_t block[64];
  chacha20Block(key_, counter_, nonce_, block);
  std::memcpy(buffer_, block, sizeof(block));
  wipeMemory(block, sizeof(block));
  // Increment the 128-bit block index; it never wraps within any realistic run.
  if (++counter_ == 0) {
    for (auto& word : nonce_) {
      if (++word != 0) break;
    }
  }
  available_ = kBufferWords;
}

Seed RandomGenerator::forkSeed() {
  Seed seed;
  for (int i = 0; i < 4; ++i) {
    uint64_t word = nextU64();
    std::memcpy(seed.bytes.data() + 8 * i, &word, 8);
  }
  return seed;
}

}  // namespace cq::tfhe
