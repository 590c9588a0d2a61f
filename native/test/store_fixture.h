// A MessageStore over a temp directory for the store-level tests, with condition waits driven by
// the store's own onFlushed/onDispatched notifications (no sleeps).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "check.h"
#include "message_store.h"
#include "store_test_util.h"

namespace cometmq_test {

class StoreEvents {
 public:
  void Notify() {
    std::lock_guard<std::mutex> lock(mu_);
    ++events_;
    cv_.notify_all();
  }
  // Waits until pred() holds, re-checking at every notification; false after 10 s.
  bool WaitUntil(const std::function<bool()>& pred) {
    std::unique_lock<std::mutex> lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!pred()) {
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) return pred();
    }
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  long events_ = 0;
};

struct StoreFixture {
  explicit StoreFixture(cometmq::StoreConfig c = SmallConfig(), std::string dir = "")
      : root(dir.empty() ? MakeTempDir("store") : dir), config(c) {}
  ~StoreFixture() {
    if (store) store->Close();
    store.reset();
    if (owns_root) RemoveTree(root);
  }

  cometmq::StoreResult Open(cometmq::RecoveryInfo* info = nullptr) {
    store = std::make_unique<cometmq::MessageStore>(root, config, std::vector<int64_t>{1000, 5000, 10000});
    store->set_on_flushed([this] { events.Notify(); });
    store->set_on_dispatched([this] { events.Notify(); });
    cometmq::RecoveryInfo scratch;
    return store->Open(info ? info : &scratch);
  }
  void Close() {
    REQUIRE(store->Close().ok);
    store.reset();
  }

  cometmq::PutStatus Append(const std::vector<TestMessage>& ms, std::vector<double>* out = nullptr) {
    std::vector<double> local;
    std::vector<double>& o = out ? *out : local;
    auto batch = EncodeBatch(ms);
    o.assign(2 * ms.size() + 1, -1);
    return store->AppendBatch(batch.data(), batch.size(), static_cast<uint32_t>(ms.size()), o.data());
  }

  bool WaitDispatched() {
    return events.WaitUntil([this] { return store->dispatched_position() >= store->wrote_position(); });
  }

  std::string root;
  cometmq::StoreConfig config;
  std::unique_ptr<cometmq::MessageStore> store;
  StoreEvents events;
  bool owns_root = true;
};

inline TestMessage Msg(const std::string& topic, int32_t queue, const std::string& body, const std::string& tags = "",
                       const std::string& keys = "") {
  TestMessage m;
  m.topic = topic;
  m.queue_id = queue;
  m.body = body;
  std::string props;
  if (!tags.empty()) props += Properties({{"TAGS", tags}});
  if (!keys.empty()) props += Properties({{"KEYS", keys}});
  props += Properties({{"UNIQ_KEY", "U-" + topic + "-" + body}});
  m.properties = props;
  return m;
}

}  // namespace cometmq_test
