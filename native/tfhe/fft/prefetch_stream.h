// A memory range pulled toward the core a few cache lines at a time from inside compute loops.
//
// Blind rotation reads one 64 KB GGSW per CMux (2_2 set) from a 60 MB key that no cache holds.
// Left to the hardware prefetcher, each GGSW arrives while the multiply-accumulate waits for it,
// so the time to stream it (~8 ms per PBS on one core of the 2-core Zen 3 VM this was measured
// on) adds to the arithmetic instead of overlapping it; a burst of software prefetches only
// stalls on the full miss queue. Spread over the Fourier transforms' loop iterations instead,
// the next GGSW's fetch fits behind the current CMux's arithmetic: PBS then takes what the
// same CMuxes take with the key in cache.
#pragma once

#include <algorithm>
#include <cstddef>

namespace cq::tfhe {

// Loops that step a stream should work on a local copy (and store it back after), which the
// compiler keeps in registers: through a reference, every step reloads and stores it.
struct PrefetchStream {
  const char* next = nullptr;
  const char* end = nullptr;
  std::size_t linesPerStep = 0;

  PrefetchStream() = default;
  // [begin, begin + bytes), to be covered in `steps` calls of step().
  PrefetchStream(const void* begin, std::size_t bytes, std::size_t steps)
      : next(static_cast<const char*>(begin)),
        end(static_cast<const char*>(begin) + bytes),
        linesPerStep(steps > 0 ? std::max<std::size_t>(1, (bytes / kLineBytes + steps - 1) / steps) : 0) {}

  // Requests the next few lines into the L2 cache (prefetch never faults: the last step may run
  // up to a few lines past `end`).
  void step() {
    if (next >= end) return;
    prefetchLine(next);  // one line per step is the common case (2_2: 1024 lines, 1024 steps)
    for (std::size_t line = 1; line < linesPerStep; ++line) prefetchLine(next + line * kLineBytes);
    next += linesPerStep * kLineBytes;
  }

  static constexpr std::size_t kLineBytes = 64;

 private:
  static void prefetchLine(const char* address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0 /* read */, 2 /* moderate locality: L2, not L1 */);
#else
    (void)address;
#endif
  }
};

}  // namespace cq::tfhe
