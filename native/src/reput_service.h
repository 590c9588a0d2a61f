// ReputMessageService: the dispatcher. Walks CommitLog records from the dispatched position up to
// the committed position and feeds every record to the ConsumeQueue (skipping PREPARED/ROLLBACK
// transaction records) and to the index. Woken by appends through a WakeSignal, never by polling.
// On an I/O error from a target it keeps its position, logs once and retries after a short wait:
// a record is never skipped.
// Thread affinity: the dispatcher thread, or the main thread through TryDispatchInline (the two
// exclude each other through dispatch_mu_), or the opening thread through DispatchRange before the
// thread starts; positions are readable from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "commit_log.h"
#include "consume_queue_store.h"
#include "dispatch_request.h"
#include "index_service.h"
#include "record_parser.h"
#include "wake_signal.h"

namespace cometmq {

inline constexpr std::string_view kScheduleTopic = "SCHEDULE_TOPIC_XXXX";

// Builds the DispatchRequest of a parsed message record at `phy` (tags code rules included).
DispatchRequest BuildDispatchRequest(const RecordView& v, int64_t phy, const std::vector<int64_t>& delay_levels_ms);

class ReputService {
 public:
  ReputService(CommitLog* commit_log, ConsumeQueueStore* cqs, IndexService* index, std::vector<int64_t> delay_levels_ms)
      : commit_log_(commit_log), cqs_(cqs), index_(index), delay_levels_ms_(std::move(delay_levels_ms)) {}
  ~ReputService() { Stop(); }

  void set_on_dispatched(std::function<void()> fn) { on_dispatched_ = std::move(fn); }

  // Dispatches every record in [from, to) on the calling thread (recovery). Counts records.
  StoreResult DispatchRange(int64_t from, int64_t to, uint64_t* records);

  void Start(int64_t from);
  // Dispatches what is committed, then stops the thread.
  void Stop();
  void Wake() { signal_.Notify(); }
  // Dispatches everything committed on the calling thread, if that is at most `max_bytes` and the
  // dispatcher thread is not at work (never waits for it). True when all that is committed is now
  // dispatched; false leaves the work (and any error, which the thread logs and retries) to the
  // thread. For the main thread while consumers wait: it spares a message on its way to a held pull
  // two hand-overs between threads, each a wake-up that may wait for a CPU.
  bool TryDispatchInline(int64_t max_bytes);

  int64_t dispatched_position() const { return dispatched_.load(std::memory_order_acquire); }
  int64_t dispatched_store_timestamp() const { return dispatched_store_timestamp_.load(std::memory_order_acquire); }
  // Ranges TryDispatchInline took on (caller's thread only).
  uint64_t inline_dispatches() const { return inline_dispatches_; }

 private:
  // Dispatches from dispatched_ up to `end`. Returns false on an error (position kept).
  bool DispatchUpTo(int64_t end, StoreResult* error, uint64_t* records);
  void Run();

  CommitLog* const commit_log_;
  ConsumeQueueStore* const cqs_;
  IndexService* const index_;
  const std::vector<int64_t> delay_levels_ms_;
  std::function<void()> on_dispatched_;
  std::atomic<int64_t> dispatched_{0};
  std::atomic<int64_t> dispatched_store_timestamp_{0};
  std::atomic<bool> stop_{false};
  // Held while dispatching: ConsumeQueue and index writers have one owner at a time.
  std::mutex dispatch_mu_;
  uint64_t inline_dispatches_ = 0;
  WakeSignal signal_;
  std::thread thread_;
};

}  // namespace cometmq
