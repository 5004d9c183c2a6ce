#include "compressed_evaluation_keys.h"

#include <cstring>
#include <stdexcept>

#include "../../runtime/thread_pool.h"
#include "../csprng/noise_samplers.h"
#include "../decomposition.h"
#include "../fft/fourier_transform.h"
#include "../lwe_encryption.h"
#include "mask_stream.h"

namespace cq::tfhe {

namespace {

std::size_t rowsPerGgsw(const TfheParameters& p) {
  return (p.glweDimension() + 1) * static_cast<std::size_t>(p.bootstrapDecomposition().level);
}

uint64_t loadWord(const uint8_t* words, std::size_t index) {
  uint64_t value;
  std::memcpy(&value, words + 8 * index, 8);
  return value;
}

// Row R of the standard-domain bootstrap key: k mask polynomials from the stream, then the
// body polynomial from `bodies`.
void buildBootstrapRow(const TfheParameters& p, const MaskStream& masks, const uint8_t* bodies, std::size_t row,
                       uint64_t* out) {
  const std::size_t k = p.glweDimension(), n = p.polynomialSize();
  masks.fill(static_cast<uint64_t>(row) * k * n, out, k * n);
  std::memcpy(out + k * n, bodies + 8 * row * n, 8 * n);
}

// Fills the Fourier bootstrap key from standard-domain rows that `row(R, out)` writes.
template <typename RowSource>
void fillFourierBootstrapKey(const TfheParameters& p, FourierBootstrapKey& key, const RowSource& row) {
  const std::size_t k = p.glweDimension(), n = p.polynomialSize(), rows = rowsPerGgsw(p);
  const FourierTables& tables = fourierTables(n);
  threadPool().parallelFor(p.lweDimension(), [&](std::size_t begin, std::size_t end) {
    std::vector<uint64_t> scratch((k + 1) * n);
    std::vector<double> spectrum(n);
    for (std::size_t i = begin; i < end; ++i) {
      for (std::size_t r = 0; r < rows; ++r) {
        row(i * rows + r, scratch.data());
        for (std::size_t column = 0; column <= k; ++column) {
          forwardFourierTorus(tables, scratch.data() + column * n, spectrum.data());
          key.setPolynomial(i, r, column, spectrum.data());
        }
      }
    }
  });
}

}  // namespace

std::size_t keyswitchCiphertextCount(const TfheParameters& p) {
  return p.bigLweDimension() * static_cast<std::size_t>(p.keyswitchDecomposition().level);
}

std::size_t bootstrapRowCount(const TfheParameters& p) { return p.lweDimension() * rowsPerGgsw(p); }

std::size_t expandedKeyswitchWords(const TfheParameters& p) {
  return keyswitchCiphertextCount(p) * (p.lweDimension() + 1);
}

std::size_t expandedBootstrapWords(const TfheParameters& p) {
  return bootstrapRowCount(p) * (p.glweDimension() + 1) * p.polynomialSize();
}

std::unique_ptr<CompressedEvaluationKeys> generateCompressedEvaluationKeys(const ClientKey& clientKey,
                                                                           const Seed& maskSeed,
                                                                           const Seed& noiseSeed) {
  const TfheParameters& p = clientKey.parameters;
  auto keys = std::make_unique<CompressedEvaluationKeys>(p);
  keys->maskSeed = maskSeed;
  const std::size_t n = p.lweDimension(), k = p.glweDimension(), size = p.polynomialSize();
  const std::size_t bigDimension = p.bigLweDimension(), rows = rowsPerGgsw(p);
  const DecompositionParameters ks = p.keyswitchDecomposition(), pbs = p.bootstrapDecomposition();
  // One noise stream per keyswitch input bit and per bootstrap GGSW, forked in a fixed order,
  // so the keys are a function of the seeds whatever the thread count.
  RandomGenerator parent(noiseSeed);
  std::vector<Seed> keyswitchSeeds(bigDimension), bootstrapSeeds(n);
  for (auto& seed : keyswitchSeeds) seed = parent.forkSeed();
  for (auto& seed : bootstrapSeeds) seed = parent.forkSeed();
  const LweKeyView smallKey = clientKey.lweKey.view();
  const uint64_t* bigKey = clientKey.glweKey.bits();

  const MaskStream keyswitchMasks(maskSeed, MaskDomain::KeyswitchKey);
  threadPool().parallelFor(bigDimension, [&](std::size_t begin, std::size_t end) {
    std::vector<uint64_t> mask(n);
    for (std::size_t i = begin; i < end; ++i) {
      RandomGenerator noise(keyswitchSeeds[i]);
      for (int j = 0; j < ks.level; ++j) {
        const std::size_t c = i * static_cast<std::size_t>(ks.level) + static_cast<std::size_t>(j);
        keyswitchMasks.fill(static_cast<uint64_t>(c) * n, mask.data(), n);
        // s'_i q/B^(j+1) without branching on the key bit.
        const uint64_t plaintext = gadgetFactor(ks, j) & (0 - bigKey[i]);
        keys->keyswitchBodies[c] = lweMaskProduct(smallKey, mask.data()) + plaintext + sampleNoise(noise, p.lweNoise());
      }
    }
  });

  const MaskStream bootstrapMasks(maskSeed, MaskDomain::BootstrapKey);
  threadPool().parallelFor(n, [&](std::size_t begin, std::size_t end) {
    std::vector<uint64_t> masks(k * size), product(size);
    for (std::size_t i = begin; i < end; ++i) {
      RandomGenerator noise(bootstrapSeeds[i]);
      const uint64_t bitMask = 0 - smallKey.bits[i];  // all ones when s_i = 1
      for (std::size_t r = 0; r <= k; ++r) {
        for (int j = 0; j < pbs.level; ++j) {
          const std::size_t row = i * rows + r * static_cast<std::size_t>(pbs.level) + static_cast<std::size_t>(j);
          uint64_t* body = keys->bootstrapBodies.data() + row * size;
          for (std::size_t t = 0; t < size; ++t) body[t] = sampleNoise(noise, p.glweNoise());
          bootstrapMasks.fill(static_cast<uint64_t>(row) * k * size, masks.data(), k * size);
          for (std::size_t c = 0; c < k; ++c) {
            exactNegacyclicProductByBinary(masks.data() + c * size, clientKey.glweKey.polynomial(c), product.data(),
                                           size);
            for (std::size_t t = 0; t < size; ++t) body[t] += product[t];
          }
          // Row (r, j) must have phase s_i q/B^(j+1) for r = k, and -s_i q/B^(j+1) S_r for r < k
          // (bootstrap_key_generation.h). The masks are fixed by the seed, so where the unseeded
          // generator adds the gadget term to mask r, this one puts -gadget * S_r into the body:
          // the same phase, hence the same GGSW for the external product.
          const uint64_t gadget = gadgetFactor(pbs, j) & bitMask;
          if (r == k) {
            body[0] += gadget;
          } else {
            const uint64_t* secret = clientKey.glweKey.polynomial(r);
            for (std::size_t t = 0; t < size; ++t) body[t] -= gadget & (0 - secret[t]);
          }
        }
      }
    }
    // A_c * S_c with A_c public gives S_c away: the scratch product must not outlive its use.
    wipeMemory(product.data(), product.size() * sizeof(uint64_t));
  });
  return keys;
}

std::unique_ptr<EvaluationKeys> expandEvaluationKeys(const TfheParameters& p, const Seed& maskSeed,
                                                     const uint8_t* keyswitchBodies, const uint8_t* bootstrapBodies) {
  auto keys = std::make_unique<EvaluationKeys>(p);
  const std::size_t n = p.lweDimension(), level = static_cast<std::size_t>(p.keyswitchDecomposition().level);
  const MaskStream keyswitchMasks(maskSeed, MaskDomain::KeyswitchKey);
  threadPool().parallelFor(p.bigLweDimension(), [&](std::size_t begin, std::size_t end) {
    std::vector<uint64_t> ciphertext(n + 1);
    for (std::size_t i = begin; i < end; ++i) {
      for (std::size_t j = 0; j < level; ++j) {
        const std::size_t c = i * level + j;
        keyswitchMasks.fill(static_cast<uint64_t>(c) * n, ciphertext.data(), n);
        ciphertext[n] = loadWord(keyswitchBodies, c);
        keys->keyswitchKey.setCiphertext(i, j, ciphertext.data());
      }
    }
  });
  const MaskStream bootstrapMasks(maskSeed, MaskDomain::BootstrapKey);
  fillFourierBootstrapKey(p, keys->bootstrapKey, [&](std::size_t row, uint64_t* out) {
    buildBootstrapRow(p, bootstrapMasks, bootstrapBodies, row, out);
  });
  return keys;
}

std::unique_ptr<EvaluationKeys> decompressEvaluationKeys(const CompressedEvaluationKeys& keys) {
  return expandEvaluationKeys(keys.parameters, keys.maskSeed,
                              reinterpret_cast<const uint8_t*>(keys.keyswitchBodies.data()),
                              reinterpret_cast<const uint8_t*>(keys.bootstrapBodies.data()));
}

void writeExpandedEvaluationKeys(const CompressedEvaluationKeys& keys, uint8_t* keyswitchOut, uint8_t* bootstrapOut) {
  const TfheParameters& p = keys.parameters;
  const std::size_t n = p.lweDimension(), count = keyswitchCiphertextCount(p);
  const MaskStream keyswitchMasks(keys.maskSeed, MaskDomain::KeyswitchKey);
  threadPool().parallelFor(count, [&](std::size_t begin, std::size_t end) {
    std::vector<uint64_t> ciphertext(n + 1);
    for (std::size_t c = begin; c < end; ++c) {
      keyswitchMasks.fill(static_cast<uint64_t>(c) * n, ciphertext.data(), n);
      ciphertext[n] = keys.keyswitchBodies[c];
      std::memcpy(keyswitchOut + 8 * c * (n + 1), ciphertext.data(), 8 * (n + 1));
    }
  });
  const std::size_t rowWords = (p.glweDimension() + 1) * p.polynomialSize();
  const MaskStream bootstrapMasks(keys.maskSeed, MaskDomain::BootstrapKey);
  const auto* bodies = reinterpret_cast<const uint8_t*>(keys.bootstrapBodies.data());
  threadPool().parallelFor(bootstrapRowCount(p), [&](std::size_t begin, std::size_t end) {
    std::vector<uint64_t> row(rowWords);
    for (std::size_t r = begin; r < end; ++r) {
      buildBootstrapRow(p, bootstrapMasks, bodies, r, row.data());
      std::memcpy(bootstrapOut + 8 * r * rowWords, row.data(), 8 * rowWords);
    }
  });
}

std::unique_ptr<EvaluationKeys> loadExpandedEvaluationKeys(const TfheParameters& p, const uint8_t* keyswitchWords,
                                                           const uint8_t* bootstrapWords) {
  auto keys = std::make_unique<EvaluationKeys>(p);
  // Ciphertext by ciphertext through the accessor: the file's layout stays fixed even if the
  // in-memory keyswitch key is ever laid out differently.
  const std::size_t n = p.lweDimension(), level = static_cast<std::size_t>(p.keyswitchDecomposition().level);
  std::vector<uint64_t> ciphertext(n + 1);
  for (std::size_t i = 0; i < p.bigLweDimension(); ++i) {
    for (std::size_t j = 0; j < level; ++j) {
      std::memcpy(ciphertext.data(), keyswitchWords + 8 * (i * level + j) * (n + 1), 8 * (n + 1));
      keys->keyswitchKey.setCiphertext(i, j, ciphertext.data());
    }
  }
  const std::size_t rowWords = (p.glweDimension() + 1) * p.polynomialSize();
  fillFourierBootstrapKey(p, keys->bootstrapKey, [&](std::size_t row, uint64_t* out) {
    std::memcpy(out, bootstrapWords + 8 * row * rowWords, 8 * rowWords);
  });
  return keys;
}

}  // namespace cq::tfhe
