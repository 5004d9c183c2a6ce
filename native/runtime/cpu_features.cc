#include "cpu_features.h"

#include <cstdlib>
#include <cstring>

#if defined(_MSC_VER)
#include <immintrin.h>
#include <intrin.h>
#endif

namespace cq {

CpuFeatures detectCpuFeatures() {
  CpuFeatures features;
#if defined(__x86_64__) || defined(__i386__)
#if defined(_MSC_VER)
  int info[4];
  __cpuid(info, 1);
  bool osxsave = (info[2] & (1 << 27)) != 0;
  bool ymmEnabled = osxsave && (_xgetbv(0) & 6) == 6;  // the OS saves YMM registers
  features.fma = ymmEnabled && (info[2] & (1 << 12)) != 0;
  __cpuidex(info, 7, 0);
  features.avx2 = ymmEnabled && (info[1] & (1 << 5)) != 0;
#else
  __builtin_cpu_init();
  features.avx2 = __builtin_cpu_supports("avx2");
  features.fma = __builtin_cpu_supports("fma");
#endif
#endif
  return features;
}

static bool forcedScalar() {
  const char* value = std::getenv("CIPHERQUANT_FORCE_SCALAR");
  return value != nullptr && *value != '\0' && std::strcmp(value, "0") != 0;
}

bool simdEnabled() {
  static const bool enabled = [] {
    CpuFeatures features = detectCpuFeatures();
    return features.avx2 && features.fma && !forcedScalar();
  }();
  return enabled;
}

}  // namespace cq
