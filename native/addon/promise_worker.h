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
  // Builds the rejection value from what `work` threw, on the main thread. Without one, the
  // promise rejects with an Error carrying the exception's message.
  using Rejection = std::function<Napi::Value(Napi::Env, std::exception_ptr)>;

  // `work` runs off the main thread and must not touch JS values; `result` runs on the main
  // thread afterwards and builds the resolved value. `keepAlive` values are referenced until
  // the worker completes (e.g. an output ArrayBuffer the work writes into) and handed to
  // `result` as `kept`, in order: JS handles themselves do not outlive the call that made them.
  static Napi::Promise start(Napi::Env env, Work work, Result result, std::initializer_list<Napi::Value> keepAlive = {},
                             Rejection rejection = nullptr) {
    Napi::Array kept = Napi::Array::New(env, keepAlive.size());
    uint32_t index = 0;
    for (const auto& value : keepAlive) kept.Set(index++, value);
    auto* worker = new PromiseWorker(kept, std::move(work), std::move(result), std::move(rejection));
    worker->Queue();
    return worker->deferred_.Promise();
  }

 protected:
  void Execute() override {
    try {
      work_();
    } catch (const std::exception& error) {
      failure_ = std::current_exception();
      SetError(error.what());
    } catch (...) {
      failure_ = std::current_exception();
      SetError("native work failed with an unknown error");
    }
  }

  void OnOK() override { deferred_.Resolve(result_(Env(), kept_.Value().As<Napi::Array>())); }

  void OnError(const Napi::Error& error) override {
    deferred_.Reject(rejection_ ? rejection_(Env(), failure_) : error.Value());
  }

 private:
  PromiseWorker(Napi::Array kept, Work work, Result result, Rejection rejection)
      : Napi::AsyncWorker(kept.Env(), "cipherquant"),
        kept_(Napi::Persistent(kept.As<Napi::Object>())),
        deferred_(Napi::Promise::Deferred::New(kept.Env())),
        work_(std::move(work)),
        result_(std::move(result)),
        rejection_(std::move(rejection)) {}

  Napi::ObjectReference kept_;  // a strong reference for the worker's lifetime
  Napi::Promise::Deferred deferred_;
  Work work_;
  Result result_;
  Rejection rejection_;
  std::exception_ptr failure_;
};

}  // namespace cq::addon
