// Run-time choice between the AVX2+FMA kernels and the scalar fallback, made once per process.
#pragma once

namespace cq {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
};

// What the processor supports.
CpuFeatures detectCpuFeatures();

// True when the AVX2+FMA kernels are in use: the CPU supports them and CIPHERQUANT_FORCE_SCALAR
// is not set to a non-empty value other than "0". Decided on first call, fixed afterwards.
bool simdEnabled();

}  // namespace cq
