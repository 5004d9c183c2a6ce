// Bootstrap key in the Fourier domain: one GGSW encryption of each small-key bit s_i under the
// GLWE key. GGSW i holds (k+1) * level rows; row (r, j) is a GLWE ciphertext of k+1
// polynomials, each stored as its N/2 twisted Fourier coefficients (see fft/fourier_transform.h):
// N/2 real parts then N/2 imaginary parts, i.e. N doubles per polynomial.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <vector>

#include "huge_page_allocator.h"
#include "parameters.h"

namespace cq::tfhe {

class FourierBootstrapKey {
 public:
  FourierBootstrapKey(std::size_t lweDimension, std::size_t glweDimension, std::size_t polynomialSize,
                      DecompositionParameters decomposition)
      : lweDimension_(lweDimension),
        glweDimension_(glweDimension),
        polynomialSize_(polynomialSize),
        decomposition_(decomposition) {
    if (lweDimension == 0 || glweDimension == 0 || polynomialSize < 2 || decomposition.level <= 0 ||
        decomposition.baseLog <= 0 || decomposition.baseLog * decomposition.level > 64) {
      throw std::invalid_argument("Fourier bootstrap key: invalid sizes");
    }
    data_.assign(lweDimension * ggswSize(), 0.0);
  }

  std::size_t lweDimension() const { return lweDimension_; }
  std::size_t glweDimension() const { return glweDimension_; }
  std::size_t polynomialSize() const { return polynomialSize_; }
  DecompositionParameters decomposition() const { return decomposition_; }
  std::size_t rowsPerGgsw() const { return (glweDimension_ + 1) * decomposition_.level; }
  // Doubles in one GGSW: rows * (k+1) polynomials * N.
  std::size_t ggswSize() const { return rowsPerGgsw() * (glweDimension_ + 1) * polynomialSize_; }
  // Polynomial `column` of row `row` of GGSW `index`.
  double* polynomial(std::size_t index, std::size_t row, std::size_t column) {
    return data_.data() + index * ggswSize() + (row * (glweDimension_ + 1) + column) * polynomialSize_;
  }
  const double* polynomial(std::size_t index, std::size_t row, std::size_t column) const {
    return data_.data() + index * ggswSize() + (row * (glweDimension_ + 1) + column) * polynomialSize_;
  }
  const double* ggsw(std::size_t index) const { return data_.data() + index * ggswSize(); }
  using Storage = std::vector<double, HugePageAllocator<double>>;  // streamed once per PBS
  Storage& data() { return data_; }
  const Storage& data() const { return data_; }
  std::size_t sizeInBytes() const { return data_.size() * sizeof(double); }

 private:
  std::size_t lweDimension_;
  std::size_t glweDimension_;
  std::size_t polynomialSize_;
  DecompositionParameters decomposition_;
  Storage data_;
};

}  // namespace cq::tfhe
