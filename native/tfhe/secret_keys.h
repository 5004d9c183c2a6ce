// Binary secret keys. Their memory is wiped when they are destroyed, and they cannot be
// copied by accident (no copy constructor), so no stray copy outlives the wipe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "csprng/chacha20.h"

namespace cq::tfhe {

// A fixed-size array of secret words, zeroed on construction and wiped on destruction.
class SecretBuffer {
 public:
  explicit SecretBuffer(std::size_t size) : data_(new uint64_t[size]()), size_(size) {}
  ~SecretBuffer() {
    if (data_) wipeMemory(data_.get(), size_ * sizeof(uint64_t));
  }
  SecretBuffer(SecretBuffer&&) noexcept = default;
  SecretBuffer& operator=(SecretBuffer&& other) noexcept {
    if (data_) wipeMemory(data_.get(), size_ * sizeof(uint64_t));
    data_ = std::move(other.data_);
    size_ = other.size_;
    return *this;
  }
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;

  uint64_t* data() { return data_.get(); }
  const uint64_t* data() const { return data_.get(); }
  std::size_t size() const { return size_; }

 private:
  std::unique_ptr<uint64_t[]> data_;
  std::size_t size_;
};

// What LWE encryption and decryption need of a key: its bits (each 0 or 1) and its dimension.
struct LweKeyView {
  const uint64_t* bits;
  std::size_t dimension;
};

class LweSecretKey {
 public:
  explicit LweSecretKey(std::size_t dimension) : bits_(dimension) {
    if (dimension == 0) throw std::invalid_argument("LWE secret key dimension must be positive");
  }
  std::size_t dimension() const { return bits_.size(); }
  uint64_t* bits() { return bits_.data(); }
  const uint64_t* bits() const { return bits_.data(); }
  LweKeyView view() const { return {bits_.data(), bits_.size()}; }

 private:
  SecretBuffer bits_;
};

// k polynomials of N binary coefficients, polynomial r at [r*N, (r+1)*N). Read as one LWE key
// of dimension k*N (the "big" key) it is exactly the key sample extraction produces.
class GlweSecretKey {
 public:
  GlweSecretKey(std::size_t glweDimension, std::size_t polynomialSize)
      : glweDimension_(glweDimension), polynomialSize_(polynomialSize), bits_(glweDimension * polynomialSize) {
    if (glweDimension == 0 || polynomialSize == 0) throw std::invalid_argument("GLWE secret key sizes must be positive");
  }
  std::size_t glweDimension() const { return glweDimension_; }
  std::size_t polynomialSize() const { return polynomialSize_; }
  const uint64_t* polynomial(std::size_t r) const { return bits_.data() + r * polynomialSize_; }
  uint64_t* bits() { return bits_.data(); }
  const uint64_t* bits() const { return bits_.data(); }
  LweKeyView asLweKey() const { return {bits_.data(), bits_.size()}; }

 private:
  std::size_t glweDimension_;
  std::size_t polynomialSize_;
  SecretBuffer bits_;
};

}  // namespace cq::tfhe
