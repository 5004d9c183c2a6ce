#include "glwe_encryption.h"

#include <vector>

#include "csprng/noise_samplers.h"
#include "fft/fourier_transform.h"

namespace cq::tfhe {

void encryptGlwe(const GlweSecretKey& key, const uint64_t* plaintext, const NoiseDistribution& noise,
                 RandomGenerator& random, uint64_t* ciphertext) {
  const std::size_t k = key.glweDimension(), n = key.polynomialSize();
  uint64_t* body = ciphertext + k * n;
  for (std::size_t j = 0; j < n; ++j) body[j] = plaintext[j] + sampleNoise(random, noise);
  std::vector<uint64_t> product(n);
  for (std::size_t r = 0; r < k; ++r) {
    uint64_t* mask = ciphertext + r * n;
    random.fillU64(mask, n);
    exactNegacyclicProductByBinary(mask, key.polynomial(r), product.data(), n);
    for (std::size_t j = 0; j < n; ++j) body[j] += product[j];
  }
}

void decryptGlwePhase(const GlweSecretKey& key, const uint64_t* ciphertext, uint64_t* phase) {
  const std::size_t k = key.glweDimension(), n = key.polynomialSize();
  std::vector<uint64_t> product(n);
  for (std::size_t j = 0; j < n; ++j) phase[j] = ciphertext[k * n + j];
  for (std::size_t r = 0; r < k; ++r) {
    exactNegacyclicProductByBinary(ciphertext + r * n, key.polynomial(r), product.data(), n);
    for (std::size_t j = 0; j < n; ++j) phase[j] -= product[j];
  }
}

}  // namespace cq::tfhe
