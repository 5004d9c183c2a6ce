// Bootstrap key in the Fourier domain: one GGSW encryption of each small-key bit s_i under the
// GLWE key. GGSW i holds (k+1) * level rows; row (r, j) is a GLWE ciphertext of k+1
// polynomials, each kept as its N/2 twisted Fourier coefficients (see fft/fourier_transform.h).
//
// Layout, chosen for the external product, which reads one GLWE column of every row at a time
// (FourierKernels::backwardProductAddToTorus): GGSW i, then column c, then blocks of 16
// spectrum entries, then rows, each row's block as 16 real then 16 imaginary parts. A column
// is one sequential stream (rows * N doubles) instead of 2 * rows streams 8 KB apart, which
// the L1 cache's 8 ways could not hold beside the transform's own.
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
    if (lweDimension == 0 || glweDimension == 0 || polynomialSize < 2 * kBlock || polynomialSize % (2 * kBlock) != 0 || decomposition.level <= 0 ||
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
  // Stores polynomial `column` of row `row` of GGSW `index` from its spectrum (N doubles in the
  // layout of fft/fourier_transform.h), and reads it back.
  void setPolynomial(std::size_t index, std::size_t row, std::size_t column, const double* spectrum) {
    forEachBlock(data_.data(), index, row, column, [&](double* block, std::size_t entry) {
      for (std::size_t e = 0; e < kBlock; ++e) {
        block[e] = spectrum[entry + e];
        block[kBlock + e] = spectrum[polynomialSize_ / 2 + entry + e];
      }
    });
  }
  void readPolynomial(std::size_t index, std::size_t row, std::size_t column, double* spectrum) const {
    forEachBlock(data_.data(), index, row, column, [&](const double* block, std::size_t entry) {
      for (std::size_t e = 0; e < kBlock; ++e) {
        spectrum[entry + e] = block[e];
        spectrum[polynomialSize_ / 2 + entry + e] = block[kBlock + e];
      }
    });
  }
  // Column `column` of GGSW `index`: rows * N doubles in the layout above.
  const double* column(std::size_t index, std::size_t column) const {
    return data_.data() + index * ggswSize() + column * rowsPerGgsw() * polynomialSize_;
  }
  const double* ggsw(std::size_t index) const { return data_.data() + index * ggswSize(); }
  using Storage = std::vector<double, HugePageAllocator<double>>;  // streamed once per PBS
  Storage& data() { return data_; }
  const Storage& data() const { return data_; }
  std::size_t sizeInBytes() const { return data_.size() * sizeof(double); }

  // Spectrum entries per block of the layout.
  static constexpr std::size_t kBlock = 16;

 private:
  // visit(block, entry) for the blocks of polynomial (index, row, column), `entry` the first
  // spectrum entry of each.
  template <typename Pointer, typename Visit>
  void forEachBlock(Pointer data, std::size_t index, std::size_t row, std::size_t column, Visit&& visit) const {
    Pointer columnStart = data + index * ggswSize() + column * rowsPerGgsw() * polynomialSize_;
    const std::size_t rows = rowsPerGgsw();
    for (std::size_t entry = 0; entry < polynomialSize_ / 2; entry += kBlock) {
      visit(columnStart + ((entry / kBlock) * rows + row) * 2 * kBlock, entry);
    }
  }

  std::size_t lweDimension_;
  std::size_t glweDimension_;
  std::size_t polynomialSize_;
  DecompositionParameters decomposition_;
  Storage data_;
};

}  // namespace cq::tfhe
