// Bounds-checked little-endian writing into a buffer of known size, and reading from an input
// that may be anything: a read past the end throws SerializationError(Truncated) instead of
// touching memory it does not own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "format.h"

namespace cq::tfhe {

class ByteWriter {
 public:
  ByteWriter(uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  // A writer for `length` bytes starting here, and skips them (lets parallel loops fill
  // disjoint regions).
  uint8_t* reserve(std::size_t length) {
    // Sizes are computed before writing: an overflow here is a bug, not bad input.
    if (length > size_ - offset_) throw std::logic_error("serialization: writing past the computed size");
    uint8_t* at = data_ + offset_;
    offset_ += length;
    return at;
  }
  void bytes(const void* from, std::size_t length) {
    uint8_t* at = reserve(length);
    if (length > 0) std::memcpy(at, from, length);  // an empty vector's data() may be null
  }
  void u16(uint16_t value) { bytes(&value, 2); }
  void u32(uint32_t value) { bytes(&value, 4); }
  void u64(uint64_t value) { bytes(&value, 8); }
  std::size_t offset() const { return offset_; }

 private:
  uint8_t* data_;
  std::size_t size_;
  std::size_t offset_ = 0;
};

class ByteReader {
 public:
  // `what` names the region in error messages ("payload", "parameter block").
  ByteReader(const uint8_t* data, std::size_t size, const char* what) : data_(data), size_(size), what_(what) {}

  const uint8_t* take(std::size_t length) {
    if (length > size_ - offset_) {
      throw SerializationError(SerializationErrorCode::Truncated,
                               std::string("the ") + what_ + " ends at byte " + std::to_string(size_) +
                                   ", reading " + std::to_string(length) + " bytes at offset " +
                                   std::to_string(offset_) + " would pass it");
    }
    const uint8_t* at = data_ + offset_;
    offset_ += length;
    return at;
  }
  uint16_t u16() { return load<uint16_t>(); }
  uint32_t u32() { return load<uint32_t>(); }
  uint64_t u64() { return load<uint64_t>(); }
  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return size_ - offset_; }

 private:
  template <typename T>
  T load() {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }

  const uint8_t* data_;
  std::size_t size_;
  const char* what_;
  std::size_t offset_ = 0;
};

}  // namespace cq::tfhe
