#include "lwe_linear_algebra.h"

#include <algorithm>
#include <stdexcept>

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"

namespace cq::tfhe {

namespace {

void checkSameShape(const LweCiphertextBatch& a, const LweCiphertextBatch& b, const char* what) {
  if (a.count() != b.count() || a.lweDimension() != b.lweDimension()) {
    throw std::invalid_argument(std::string(what) + ": ciphertext batches differ in count or dimension");
  }
}

// Output ciphertexts handled together, and the words of each handled per pass, so that the
// accumulators stay in the L1 cache while the inputs stream through.
constexpr std::size_t kRowsPerBlock = 4;
constexpr std::size_t kWordsPerTile = 512;

}  // namespace

void addLweBatches(const LweCiphertextBatch& a, const LweCiphertextBatch& b, LweCiphertextBatch& out) {
  checkSameShape(a, b, "add");
  checkSameShape(a, out, "add");
  const std::size_t size = a.data().size();
  for (std::size_t i = 0; i < size; ++i) out.data()[i] = a.data()[i] + b.data()[i];
}

void subtractLweBatches(const LweCiphertextBatch& a, const LweCiphertextBatch& b, LweCiphertextBatch& out) {
  checkSameShape(a, b, "subtract");
  checkSameShape(a, out, "subtract");
  const std::size_t size = a.data().size();
  for (std::size_t i = 0; i < size; ++i) out.data()[i] = a.data()[i] - b.data()[i];
}

void negateLweBatch(const LweCiphertextBatch& a, LweCiphertextBatch& out) {
  checkSameShape(a, out, "negate");
  const std::size_t size = a.data().size();
  for (std::size_t i = 0; i < size; ++i) out.data()[i] = 0 - a.data()[i];
}

void multiplyLweBatchByIntegers(LweCiphertextBatch& batch, const int64_t* factors) {
  for (std::size_t i = 0; i < batch.count(); ++i) {
    uint64_t* ciphertext = batch.ciphertext(i);
    const uint64_t factor = static_cast<uint64_t>(factors[i]);
    for (std::size_t j = 0; j < batch.ciphertextSize(); ++j) ciphertext[j] *= factor;
  }
}

void addPlaintextsToLweBatch(LweCiphertextBatch& batch, const uint64_t* plaintexts) {
  for (std::size_t i = 0; i < batch.count(); ++i) batch.body(i) += plaintexts[i];
}

void accumulateScaledScalar(uint64_t* accumulator, const uint64_t* values, int64_t factor, std::size_t size) {
  const uint64_t scale = static_cast<uint64_t>(factor);
  for (std::size_t i = 0; i < size; ++i) accumulator[i] += scale * values[i];
}

void accumulateScaled(uint64_t* accumulator, const uint64_t* values, int64_t factor, std::size_t size) {
  using Kernel = void (*)(uint64_t*, const uint64_t*, int64_t, std::size_t);
  static const Kernel kernel = simdEnabled() ? accumulateScaledAvx2 : accumulateScaledScalar;
  kernel(accumulator, values, factor, size);
}

void lweDotProduct(const LweCiphertextBatch& in, const int32_t* weights, std::size_t outputCount,
                   LweCiphertextBatch& out) {
  if (out.count() != outputCount || out.lweDimension() != in.lweDimension()) {
    throw std::invalid_argument("dot product: output batch has the wrong shape");
  }
  const std::size_t inputCount = in.count();
  const std::size_t words = in.ciphertextSize();
  const std::size_t rowBlocks = (outputCount + kRowsPerBlock - 1) / kRowsPerBlock;
  const std::size_t tiles = (words + kWordsPerTile - 1) / kWordsPerTile;
  threadPool().parallelFor(rowBlocks * tiles, [&](std::size_t begin, std::size_t end) {
    for (std::size_t task = begin; task < end; ++task) {
      const std::size_t rowBegin = (task / tiles) * kRowsPerBlock;
      const std::size_t rowEnd = std::min(rowBegin + kRowsPerBlock, outputCount);
      const std::size_t wordBegin = (task % tiles) * kWordsPerTile;
      const std::size_t tileWords = std::min(kWordsPerTile, words - wordBegin);
      for (std::size_t row = rowBegin; row < rowEnd; ++row) {
        std::fill_n(out.ciphertext(row) + wordBegin, tileWords, uint64_t{0});
      }
      for (std::size_t i = 0; i < inputCount; ++i) {
        const uint64_t* input = in.ciphertext(i) + wordBegin;
        for (std::size_t row = rowBegin; row < rowEnd; ++row) {
          const int32_t weight = weights[row * inputCount + i];
          if (weight != 0) accumulateScaled(out.ciphertext(row) + wordBegin, input, weight, tileWords);
        }
      }
    }
  });
}

}  // namespace cq::tfhe
