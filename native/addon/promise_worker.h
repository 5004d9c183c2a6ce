// Runs native work on libuv's thread pool and settles a Promise, so the event loop keeps
// turning while the work (itself spread over cq::threadPool()) runs.
#pragma once

#include <napi.h>

#include <cstdint>
#include <exception>
#include <initializer_list>
#include <functional>
#include <string>
#include <utility>

namespace cq::addon {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;
  using Result = std::function<Napi::Value(Napi::Env, Napi::Array kept)>;

  // `work` runs off the main thread and must not touch JS values; `result` runs on the main
  // thread afterwards and builds the resolved value. `keepAlive` values are referenced until
  // the worker completes (e.g. an output ArrayBuffer the work writes into) and handed to
  // `result` as `kept`, in order: JS handles themselves do not outlive the call that made them.
  static Napi::Promise start(Napi::Env env, Work work, Result result, std::initializer_list<Napi::Value> keepAlive = {}) {
    Napi::Array kept = Napi::Array::New(env, keepAlive.size());
    uint32_t index = 0;
    for (const auto& value : keepAlive) kept.Set(index++, value);
    auto* worker = new PromiseWorker(kept, std::move(work), std::move(result));
    worker->Queue();
    return worker->deferred_.Promise();
  }

 protected:
  void Execute() override {
    try {
      work_();
    } catch (const std::exception& error) {
      SetError(error.what());
    } catch (...) {
      SetError("native work failed with an unknown error");
    }
  }

  void OnOK() override { deferred_.Resolve(result_(Env(), kept_.Value().As<Napi::Array>())); }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  PromiseWorker(Napi::Array kept, Work work, Result result)
      : Napi::AsyncWorker(kept.Env(), "cipherquant"),
        kept_(Napi::Persistent(kept.As<Napi::Object>())),
        deferred_(Napi::Promise::Deferred::New(kept.Env())),
        work_(std::move(work)),
        result_(std::move(result)) {}

  Napi::ObjectReference kept_;  // a strong reference for the worker's lifetime
  Napi::Promise::Deferred deferred_;
  Work work_;
  Result result_;
};

}  // namespace cq::addon
