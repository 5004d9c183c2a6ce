// A batch of LWE ciphertexts in one contiguous buffer: ciphertext i is the lweDimension mask
// words followed by its body, at [i * (lweDimension + 1), (i + 1) * (lweDimension + 1)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace cq::tfhe {

class LweCiphertextBatch {
 public:
  LweCiphertextBatch(std::size_t count, std::size_t lweDimension)
      : count_(count), lweDimension_(lweDimension), data_(checkedSize(count, lweDimension), 0) {}
  // Takes an existing buffer, whose length must be count * (lweDimension + 1).
  LweCiphertextBatch(std::size_t count, std::size_t lweDimension, std::vector<uint64_t> data)
      : count_(count), lweDimension_(lweDimension), data_(std::move(data)) {
    if (data_.size() != checkedSize(count, lweDimension)) {
      throw std::invalid_argument("LWE ciphertext batch: buffer length does not match count * (dimension + 1)");
    }
  }

  std::size_t count() const { return count_; }
  std::size_t lweDimension() const { return lweDimension_; }
  std::size_t ciphertextSize() const { return lweDimension_ + 1; }
  uint64_t* ciphertext(std::size_t i) { return data_.data() + i * ciphertextSize(); }
  const uint64_t* ciphertext(std::size_t i) const { return data_.data() + i * ciphertextSize(); }
  uint64_t& body(std::size_t i) { return ciphertext(i)[lweDimension_]; }
  uint64_t body(std::size_t i) const { return ciphertext(i)[lweDimension_]; }
  std::vector<uint64_t>& data() { return data_; }
  const std::vector<uint64_t>& data() const { return data_; }

 private:
  static std::size_t checkedSize(std::size_t count, std::size_t lweDimension) {
    if (lweDimension == 0) throw std::invalid_argument("LWE ciphertext batch: dimension must be positive");
    if (count > (std::size_t{1} << 40) / (lweDimension + 1)) {
      throw std::invalid_argument("LWE ciphertext batch: too many words");
    }
    return count * (lweDimension + 1);
  }

  std::size_t count_;
  std::size_t lweDimension_;
  std::vector<uint64_t> data_;
};

}  // namespace cq::tfhe
