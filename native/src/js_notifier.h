// A coalesced, payload-free JS notification from native threads (onFlushed, onDispatched):
// Notify() queues at most one call at a time through a thread-safe function; the JS side reads
// positions itself. The TSFN is unref'd so it never keeps the event loop alive.
// Thread affinity: Start/Stop on the main thread; Notify from any thread between them.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>

namespace cometmq {

class JsNotifier {
 public:
  void Start(Napi::Env env, Napi::Function fn, const char* name) {
    tsfn_ = Napi::ThreadSafeFunction::New(env, fn, name, 0, 1);
    tsfn_.Unref(env);
    started_ = true;
  }

  void Notify() {
    if (!started_ || pending_->exchange(true)) return;
    // The flag lives in a shared_ptr so a queued call stays safe even if the notifier is gone.
    std::shared_ptr<std::atomic<bool>> pending = pending_;
    const napi_status status = tsfn_.NonBlockingCall([pending](Napi::Env env, Napi::Function fn) {
      pending->store(false);
      if (env != nullptr && fn != nullptr) (void)fn.Call({});
    });
    if (status != napi_ok) pending_->store(false);
  }

  // Only after every notifying thread has stopped.
  void Stop() {
    if (started_) {
      tsfn_.Release();
      started_ = false;
    }
  }

 private:
  Napi::ThreadSafeFunction tsfn_;
  std::shared_ptr<std::atomic<bool>> pending_ = std::make_shared<std::atomic<bool>>(false);
  bool started_ = false;
};

}  // namespace cometmq
