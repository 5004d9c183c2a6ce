#include "bootstrap_key_generation.h"

#include <stdexcept>
#include <vector>

#include "../runtime/thread_pool.h"
#include "decomposition.h"
#include "fft/fourier_transform.h"
#include "glwe_encryption.h"

namespace cq::tfhe {

void encryptGgsw(const GlweSecretKey& key, uint64_t bit, DecompositionParameters decomposition,
                 const NoiseDistribution& noise, RandomGenerator& random, uint64_t* ggsw) {
  const std::size_t k = key.glweDimension(), n = key.polynomialSize();
  const std::vector<uint64_t> zero(n, 0);
  const uint64_t mask = 0 - (bit & 1);  // all ones when the bit is set
  for (std::size_t r = 0; r <= k; ++r) {
    for (int j = 0; j < decomposition.level; ++j) {
      uint64_t* row = ggsw + (r * decomposition.level + static_cast<std::size_t>(j)) * (k + 1) * n;
      encryptGlwe(key, zero.data(), noise, random, row);
      row[r * n] += gadgetFactor(decomposition, j) & mask;
    }
  }
}

void generateFourierBootstrapKey(LweKeyView lweKey, const GlweSecretKey& glweKey, const NoiseDistribution& noise,
                                 const Seed& seed, FourierBootstrapKey& key) {
  if (lweKey.dimension != key.lweDimension() || glweKey.glweDimension() != key.glweDimension() ||
      glweKey.polynomialSize() != key.polynomialSize()) {
    throw std::invalid_argument("bootstrap key generation: key sizes do not match");
  }
  const std::size_t k = key.glweDimension(), n = key.polynomialSize();
  const std::size_t rows = key.rowsPerGgsw();
  const FourierTables& tables = fourierTables(n);
  RandomGenerator parent(seed);
  std::vector<Seed> seeds(key.lweDimension());
  for (auto& childSeed : seeds) childSeed = parent.forkSeed();
  threadPool().parallelFor(key.lweDimension(), [&](std::size_t begin, std::size_t end) {
    std::vector<uint64_t> ggsw(rows * (k + 1) * n);
    std::vector<double> spectrum(n);
    for (std::size_t i = begin; i < end; ++i) {
      RandomGenerator random(seeds[i]);
      encryptGgsw(glweKey, lweKey.bits[i], key.decomposition(), noise, random, ggsw.data());
      for (std::size_t row = 0; row < rows; ++row) {
        for (std::size_t column = 0; column <= k; ++column) {
          forwardFourierTorus(tables, ggsw.data() + (row * (k + 1) + column) * n, spectrum.data());
          key.setPolynomial(i, row, column, spectrum.data());
        }
      }
    }
  });
}

}  // namespace cq::tfhe
