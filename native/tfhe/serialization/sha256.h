// SHA-256 (FIPS 180-4), written from the standard. The serialization format uses it for the
// parameter fingerprint and for the checksum that closes every file; neither is a MAC (anyone
// can recompute them), they catch mismatched parameters and accidental corruption.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace cq::tfhe {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  // The state may hash secret key bytes: it is wiped on destruction.
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const uint8_t* data, std::size_t length);
  Sha256Digest finish();

 private:
  void compress(const uint8_t* block);

  uint32_t state_[8];
  uint32_t schedule_[64];  // a member, not a local, so the destructor can wipe it
  uint8_t buffer_[64];
  std::size_t buffered_ = 0;
  uint64_t totalBytes_ = 0;
};

Sha256Digest sha256(const uint8_t* data, std::size_t length);

}  // namespace cq::tfhe
