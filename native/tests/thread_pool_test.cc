#include "../runtime/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace cq {
namespace {

TEST(ThreadPool, CoversEveryIndexExactlyOnce) {
  ThreadPool pool(4);
  std::vector<std::atomic<int>> hits(10007);
  pool.parallelFor(hits.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) hits[i]++;
  });
  for (const auto& hit : hits) EXPECT_EQ(hit.load(), 1);
}

TEST(ThreadPool, RethrowsTheFirstError) {
  ThreadPool pool(3);
  EXPECT_THROW(pool.parallelFor(1000,
                                [](std::size_t begin, std::size_t) {
                                  if (begin >= 500) throw std::runtime_error("chunk failed");
                                }),
               std::runtime_error);
  // The pool stays usable after a failed loop.
  std::atomic<std::size_t> total{0};
  pool.parallelFor(100, [&](std::size_t begin, std::size_t end) { total += end - begin; });
  EXPECT_EQ(total.load(), 100u);
}

TEST(ThreadPool, NestedLoopsRunInline) {
  ThreadPool pool(2);
  std::atomic<std::size_t> total{0};
  pool.parallelFor(8, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      pool.parallelFor(10, [&](std::size_t b, std::size_t e) { total += e - b; });
    }
  });
  EXPECT_EQ(total.load(), 80u);
}

TEST(ThreadPool, ResizeChangesSize) {
  ThreadPool pool(1);
  EXPECT_EQ(pool.size(), 1u);
  pool.resize(3);
  EXPECT_EQ(pool.size(), 3u);
  std::vector<int> values(1000);
  pool.parallelFor(values.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) values[i] = static_cast<int>(i);
  });
  EXPECT_EQ(std::accumulate(values.begin(), values.end(), 0L), 999L * 1000 / 2);
}

}  // namespace
}  // namespace cq
