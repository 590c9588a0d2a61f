// A coalescing wake-up between threads: Notify() from any thread is a pair of atomic operations
// unless the other side is asleep, so the append path pays no syscall while the flusher or the
// dispatcher is busy. Notifications while no one waits are remembered (never lost).
// Thread affinity: one waiting thread, any number of notifying threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace cometmq {

class WakeSignal {
 public:
  void Notify() {
    if (pending_.exchange(true)) return;
    if (waiting_.load()) {
      // Passing through the lock orders this with the waiter's check; notifying after it is
      // released spares the woken thread from blocking on the mutex the notifier still holds.
      { std::lock_guard<std::mutex> lock(mu_); }
      cv_.notify_one();
    }
  }

  // Returns true when woken by Notify(), false on timeout.
  template <class Rep, class Period>
  bool WaitFor(std::chrono::duration<Rep, Period> timeout) {
    if (pending_.exchange(false)) return true;
    std::unique_lock<std::mutex> lock(mu_);
    waiting_.store(true);
    const bool woken = cv_.wait_for(lock, timeout, [this] { return pending_.load(); });
    waiting_.store(false);
    pending_.store(false);
    return woken;
  }

 private:
  std::atomic<bool> pending_{false};
  std::atomic<bool> waiting_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace cometmq
