#include <atomic>
#include <chrono>
#include <thread>

#include "check.h"
#include "wake_signal.h"

using cometmq::WakeSignal;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST_CASE("wake signal: a notification made before the wait is remembered") {
  WakeSignal signal;
  signal.Notify();
  signal.Notify();  // coalesces with the first
  CHECK(signal.WaitFor(milliseconds(1000)));
  CHECK(!signal.WaitFor(milliseconds(1)));
}

TEST_CASE("wake signal: a wait with no notification times out after about its timeout") {
  WakeSignal signal;
  const auto start = steady_clock::now();
  CHECK(!signal.WaitFor(milliseconds(30)));
  CHECK(steady_clock::now() - start >= milliseconds(30));
}

TEST_CASE("wake signal: a sleeping waiter is woken by another thread") {
  WakeSignal signal;
  std::atomic<bool> woken{false};
  std::thread waiter([&] { woken.store(signal.WaitFor(std::chrono::seconds(30))); });
  // The waiter may or may not be asleep yet: both orders must wake it.
  std::this_thread::sleep_for(milliseconds(20));
  signal.Notify();
  waiter.join();
  CHECK(woken.load());
}

TEST_CASE("wake signal: no update is missed when notifications race the waiter") {
  // The waiter consumes a counter published before each Notify(); it must see the final value
  // without relying on its timeout (a lost wake-up would make a wait run for the full second).
  WakeSignal signal;
  std::atomic<int> published{0};
  constexpr int kUpdates = 200000;
  int timeouts = 0;
  std::thread notifier([&] {
    for (int i = 1; i <= kUpdates; ++i) {
      published.store(i, std::memory_order_release);
      signal.Notify();
    }
  });
  int seen = 0;
  while (seen < kUpdates) {
    if (!signal.WaitFor(std::chrono::seconds(1))) ++timeouts;
    seen = published.load(std::memory_order_acquire);
  }
  notifier.join();
  CHECK_EQ(seen, kUpdates);
  CHECK_EQ(timeouts, 0);
}
