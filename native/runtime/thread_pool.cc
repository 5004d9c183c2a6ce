#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>

namespace cq {

namespace {
thread_local bool insideLoop = false;

std::size_t threadsFromEnvironment() {
  const char* value = std::getenv("CIPHERQUANT_THREADS");
  if (value != nullptr && *value != '\0') {
    char* end = nullptr;
    long parsed = std::strtol(value, &end, 10);
    if (end != nullptr && *end == '\0' && parsed >= 1 && parsed <= 1024) return static_cast<std::size_t>(parsed);
  }
  return hardwareThreads();
}
}  // namespace

struct ThreadPool::Loop {
  const std::function<void(std::size_t, std::size_t)>* body;
  std::size_t count;
  std::size_t grain;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex errorMutex;
};

std::size_t hardwareThreads() {
  return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(std::size_t threads) { startWorkers(std::max<std::size_t>(1, threads)); }

ThreadPool::~ThreadPool() { stopWorkers(); }

std::size_t ThreadPool::size() const { return workers_.size() + 1; }

void ThreadPool::resize(std::size_t threads) {
  std::lock_guard<std::mutex> noLoopRunning(loopMutex_);
  stopWorkers();
  startWorkers(std::max<std::size_t>(1, threads));
}

void ThreadPool::startWorkers(std::size_t threads) {
  stopping_ = false;
  for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { workerMain(); });
}

void ThreadPool::stopWorkers() {
  {
    std::lock_guard<std::mutex> lock(stateMutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
}

void ThreadPool::runChunks(Loop& loop) {
  insideLoop = true;
  for (;;) {
    std::size_t begin = loop.next.fetch_add(loop.grain);
    if (begin >= loop.count || loop.failed.load()) break;
    std::size_t end = std::min(loop.count, begin + loop.grain);
    try {
      (*loop.body)(begin, end);
    } catch (...) {
      std::lock_guard<std::mutex> lock(loop.errorMutex);
      if (!loop.error) loop.error = std::current_exception();
      loop.failed = true;
    }
  }
  insideLoop = false;
}

void ThreadPool::workerMain() {
  std::size_t seen = 0;
  for (;;) {
    Loop* loop = nullptr;
    {
      std::unique_lock<std::mutex> lock(stateMutex_);
      wake_.wait(lock, [&] { return stopping_ || (loop_ != nullptr && generation_ != seen); });
      if (stopping_) return;
      seen = generation_;
      loop = loop_;
      ++busyWorkers_;
    }
    runChunks(*loop);
    {
      std::lock_guard<std::mutex> lock(stateMutex_);
      --busyWorkers_;
    }
    done_.notify_all();
  }
}

void ThreadPool::parallelFor(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body) {
  if (count == 0) return;
  if (insideLoop || workers_.empty() || count == 1) {
    body(0, count);
    return;
  }
  std::lock_guard<std::mutex> oneLoopAtATime(loopMutex_);
  Loop loop;
  loop.body = &body;
  loop.count = count;
  // Several chunks per thread balance uneven work without much contention on `next`.
  loop.grain = std::max<std::size_t>(1, count / (size() * 4));
  {
    std::lock_guard<std::mutex> lock(stateMutex_);
    loop_ = &loop;
    ++generation_;
  }
  wake_.notify_all();
  runChunks(loop);
  {
    std::unique_lock<std::mutex> lock(stateMutex_);
    loop_ = nullptr;  // late workers see no loop and go back to sleep
    done_.wait(lock, [&] { return busyWorkers_ == 0; });
  }
  if (loop.error) std::rethrow_exception(loop.error);
}

ThreadPool& threadPool() {
  static ThreadPool pool(threadsFromEnvironment());
  return pool;
}

}  // namespace cq
