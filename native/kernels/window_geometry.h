// One spatial axis of a sliding window (Conv, AvgPool, MaxPool), with ONNX's conventions:
// the input is padded by padBegin/padEnd, the kernel taps are `dilation` apart and the window
// moves by `stride`.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cq {

struct WindowAxis {
  std::size_t input = 1;
  std::size_t kernel = 1;
  std::size_t stride = 1;
  std::size_t dilation = 1;
  std::size_t padBegin = 0;
  std::size_t padEnd = 0;

  // Distance from the first tap to the last, plus one.
  std::size_t extent() const { return dilation * (kernel - 1) + 1; }

  // Number of window positions; 0 when the kernel does not fit in the padded input.
  // ceilMode (pooling only) adds a last, partial window as ONNX does, except when it would
  // start inside the end padding (ONNX and PyTorch drop that one).
  std::size_t outputLength(bool ceilMode = false) const {
    const std::size_t span = input + padBegin + padEnd;
    if (span < extent()) return 0;
    const std::size_t room = span - extent();
    if (!ceilMode) return room / stride + 1;
    std::size_t length = (room + stride - 1) / stride + 1;
    if ((length - 1) * stride >= input + padBegin) --length;
    return length;
  }

  // Input coordinate of tap `tap` of window `position`; negative or >= input means padding.
  int64_t inputIndex(std::size_t position, std::size_t tap) const {
    return static_cast<int64_t>(position * stride + tap * dilation) - static_cast<int64_t>(padBegin);
  }
};

}  // namespace cq
