// Keyswitch key from the big LWE key (dimension k*N) to the small one (n): for each input key
// bit s_i and each level j, an LWE encryption under the small key of s_i * q / B^j.
// Layout: ciphertext (i, j) at [(i * level + j) * (n + 1)], level j = 0 the most significant.
//
// Storage. A keyswitch reads its whole key once (60 MB for the 2_2 set) and does little
// arithmetic per word, so it runs at memory speed: halving the key halves it. Compact32 keeps
// each word rounded to the nearest multiple of 2^32 (its high half): a key ciphertext (a, b)
// then carries the extra error e_b - <e_a, s>, |e| <= 2^31, variance (1 + n/2) 2^64 / 12 for a
// binary key of weight ~n/2: 2^-19 of the TUniform(45) key noise of the 2_2 set (the modulus
// switch that follows keeps log2(2N) bits of each word anyway). Full keeps all 64 bits, for
// sets whose tiny key noise the rounding would swamp (the INSECURE test sets).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "huge_page_allocator.h"
#include "parameters.h"

namespace cq::tfhe {

enum class KeyswitchKeyStorage { Full, Compact32 };

// Compact32 when the rounding adds at most 2^-10 of the key's own noise variance (the 1_1, 2_2
// and 3_3 sets at 2^-128: 2^-21 to 2^-11), Full otherwise.
KeyswitchKeyStorage keyswitchKeyStorageFor(const TfheParameters& parameters);

class KeyswitchKey {
 public:
  KeyswitchKey(std::size_t inputDimension, std::size_t outputDimension, DecompositionParameters decomposition,
               KeyswitchKeyStorage storage = KeyswitchKeyStorage::Full)
      : inputDimension_(inputDimension), outputDimension_(outputDimension), decomposition_(decomposition), storage_(storage) {
    if (inputDimension == 0 || outputDimension == 0 || decomposition.level <= 0 || decomposition.baseLog <= 0 ||
        decomposition.baseLog * decomposition.level > 64) {
      throw std::invalid_argument("keyswitch key: invalid sizes");
    }
    const std::size_t words = inputDimension * static_cast<std::size_t>(decomposition.level) * (outputDimension + 1);
    if (storage == KeyswitchKeyStorage::Full) {
      full_.assign(words, 0);
    } else {
      compact_.assign(words, 0);
    }
  }

  std::size_t inputDimension() const { return inputDimension_; }
  std::size_t outputDimension() const { return outputDimension_; }
  DecompositionParameters decomposition() const { return decomposition_; }
  KeyswitchKeyStorage storage() const { return storage_; }

  // Stores ciphertext (i, j) from its n + 1 words (rounded when Compact32).
  void setCiphertext(std::size_t inputIndex, std::size_t level, const uint64_t* words) {
    const std::size_t offset = index(inputIndex, level);
    for (std::size_t w = 0; w <= outputDimension_; ++w) {
      if (storage_ == KeyswitchKeyStorage::Full) {
        full_[offset + w] = words[w];
      } else {
        compact_[offset + w] = static_cast<uint32_t>((words[w] + (uint64_t{1} << 31)) >> 32);
      }
    }
  }
  // The n + 1 words of ciphertext (i, j) as stored (Compact32: the high halves, low halves 0).
  void readCiphertext(std::size_t inputIndex, std::size_t level, uint64_t* words) const {
    const std::size_t offset = index(inputIndex, level);
    for (std::size_t w = 0; w <= outputDimension_; ++w) {
      words[w] = storage_ == KeyswitchKeyStorage::Full ? full_[offset + w] : uint64_t{compact_[offset + w]} << 32;
    }
  }

  // The `level` ciphertexts of input coefficient i, contiguous: fullRows for Full storage,
  // compactRows for Compact32.
  const uint64_t* fullRows(std::size_t inputIndex) const { return full_.data() + index(inputIndex, 0); }
  const uint32_t* compactRows(std::size_t inputIndex) const { return compact_.data() + index(inputIndex, 0); }
  // Every word, for tests that fill a key directly.
  uint64_t* fullWords() { return full_.data(); }
  uint32_t* compactWords() { return compact_.data(); }
  std::size_t wordCount() const { return full_.size() + compact_.size(); }

  std::size_t sizeInBytes() const { return full_.size() * sizeof(uint64_t) + compact_.size() * sizeof(uint32_t); }
  bool operator==(const KeyswitchKey& other) const {
    return inputDimension_ == other.inputDimension_ && outputDimension_ == other.outputDimension_ &&
           storage_ == other.storage_ && full_ == other.full_ && compact_ == other.compact_;
  }

 private:
  std::size_t index(std::size_t inputIndex, std::size_t level) const {
    return (inputIndex * static_cast<std::size_t>(decomposition_.level) + level) * (outputDimension_ + 1);
  }

  std::size_t inputDimension_;
  std::size_t outputDimension_;
  DecompositionParameters decomposition_;
  KeyswitchKeyStorage storage_;
  std::vector<uint64_t, HugePageAllocator<uint64_t>> full_;
  std::vector<uint32_t, HugePageAllocator<uint32_t>> compact_;
};

}  // namespace cq::tfhe
