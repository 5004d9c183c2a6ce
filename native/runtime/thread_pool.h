// A fixed pool of worker threads for data-parallel loops (no OpenMP dependency).
// The calling thread takes part in the work, so a pool of size 1 has no workers at all.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cq {

class ThreadPool {
 public:
  // `threads` counts the calling thread: threads - 1 workers are started.
  explicit ThreadPool(std::size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const;
  // Waits for running loops to finish, then restarts the workers. threads >= 1.
  void resize(std::size_t threads);

  // Calls body(begin, end) over disjoint chunks covering [0, count), spread over all threads,
  // and returns when every chunk is done. The first exception thrown by a chunk is rethrown
  // here (the remaining chunks are skipped). A loop started from inside another loop runs
  // inline on its thread, so nested parallelism never deadlocks. Loops from different
  // caller threads (e.g. several async workers) run one after the other.
  void parallelFor(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body);

 private:
  struct Loop;
  void startWorkers(std::size_t threads);
  void stopWorkers();
  void workerMain();
  static void runChunks(Loop& loop);

  std::mutex loopMutex_;  // one loop at a time
  std::mutex stateMutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  Loop* loop_ = nullptr;
  std::size_t generation_ = 0;
  std::size_t busyWorkers_ = 0;
  bool stopping_ = false;
};

// The process-wide pool. Its size comes from CIPHERQUANT_THREADS when set (a positive integer),
// else from the hardware.
ThreadPool& threadPool();

// Threads the hardware offers (at least 1).
std::size_t hardwareThreads();

}  // namespace cq
