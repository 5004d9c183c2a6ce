// Keyswitch key from the big LWE key (dimension k*N) to the small one (n): for each input key
// bit s_i and each level j, an LWE encryption under the small key of s_i * q / B^j.
// Layout: ciphertext (i, j) at [(i * level + j) * (n + 1)], level j = 0 the most significant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "parameters.h"

namespace cq::tfhe {

class KeyswitchKey {
 public:
  KeyswitchKey(std::size_t inputDimension, std::size_t outputDimension, DecompositionParameters decomposition)
      : inputDimension_(inputDimension), outputDimension_(outputDimension), decomposition_(decomposition) {
    if (inputDimension == 0 || outputDimension == 0 || decomposition.level <= 0 || decomposition.baseLog <= 0 ||
        decomposition.baseLog * decomposition.level > 64) {
      throw std::invalid_argument("keyswitch key: invalid sizes");
    }
    data_.assign(inputDimension * static_cast<std::size_t>(decomposition.level) * (outputDimension + 1), 0);
  }

  std::size_t inputDimension() const { return inputDimension_; }
  std::size_t outputDimension() const { return outputDimension_; }
  DecompositionParameters decomposition() const { return decomposition_; }
  uint64_t* ciphertext(std::size_t inputIndex, std::size_t level) {
    return data_.data() + (inputIndex * decomposition_.level + level) * (outputDimension_ + 1);
  }
  const uint64_t* ciphertext(std::size_t inputIndex, std::size_t level) const {
    return data_.data() + (inputIndex * decomposition_.level + level) * (outputDimension_ + 1);
  }
  std::vector<uint64_t>& data() { return data_; }
  const std::vector<uint64_t>& data() const { return data_; }
  std::size_t sizeInBytes() const { return data_.size() * sizeof(uint64_t); }

 private:
  std::size_t inputDimension_;
  std::size_t outputDimension_;
  DecompositionParameters decomposition_;
  std::vector<uint64_t> data_;
};

}  // namespace cq::tfhe
