// The background durability threads:
//  - CommitLog flush. ASYNC_FLUSH: every flushIntervalCommitLog, msync when at least
//    flushCommitLogLeastPages are dirty, everything every flushCommitLogThoroughInterval.
//    SYNC_FLUSH (group commit): sleeps until an append wakes it, flushes everything written so far
//    in one fdatasync; appends that arrive meanwhile are covered by the next round, which starts
//    as soon as this one ends (the wake-up is remembered, never waited for).
//    After each flush: checkpoint physicMsgTimestamp, then on_flushed (the glue coalesces it).
//  - Transient-pool commit (transientStorePoolEnable): copies appended bytes into the mapping every
//    commitIntervalCommitLog (>= commitCommitLogLeastPages, all every ...ThoroughInterval), then
//    wakes the flusher and the dispatcher.
//  - ConsumeQueue/index flush every flushIntervalConsumeQueue (flushConsumeQueueLeastPages,
//    everything every flushConsumeQueueThoroughInterval), with checkpoint logics/index timestamps.
// Thread affinity: Start/Stop/FlushAll from the owner; WakeForAppend from the main thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "checkpoint.h"
#include "commit_log.h"
#include "consume_queue_store.h"
#include "index_service.h"
#include "wake_signal.h"
#include "store_config.h"

namespace cometmq {

class FlushService {
 public:
  FlushService(const StoreConfig& config, CommitLog* commit_log, Checkpoint* checkpoint, ConsumeQueueStore* cqs,
               IndexService* index, std::function<int64_t()> dispatched_store_timestamp);
  ~FlushService() { Stop(); }

  void set_on_flushed(std::function<void()> fn) { on_flushed_ = std::move(fn); }
  void set_on_committed(std::function<void()> fn) { on_committed_ = std::move(fn); }

  void Start();
  void Stop();  // joins the threads; call FlushAll afterwards for the final flush

  // After an append: wakes the group-commit flusher (SYNC_FLUSH); nothing otherwise.
  void WakeForAppend() {
    if (sync_) commit_log_signal_.Notify();
  }

  // Commits and flushes everything now (CommitLog, ConsumeQueues, index, checkpoint).
  StoreResult FlushAll();

 private:
  void RunCommitLogFlush();
  void RunCommit();
  void RunLogicFlush();
  bool FlushCommitLog(int least_pages, StoreResult* error);
  bool CommitPool(int least_pages);
  StoreResult FlushLogic(int least_pages);

  const StoreConfig config_;
  const bool sync_;
  CommitLog* const commit_log_;
  Checkpoint* const checkpoint_;
  ConsumeQueueStore* const cqs_;
  IndexService* const index_;
  const std::function<int64_t()> dispatched_store_timestamp_;
  std::function<void()> on_flushed_;
  std::function<void()> on_committed_;

  std::atomic<bool> stop_{false};
  WakeSignal commit_log_signal_;
  WakeSignal commit_signal_;
  WakeSignal logic_signal_;
  std::mutex commit_log_mu_;  // one CommitLog flush at a time (thread vs FlushAll)
  std::mutex logic_mu_;
  bool error_logged_ = false;
  std::thread commit_log_thread_;
  std::thread commit_thread_;
  std::thread logic_thread_;
};

}  // namespace cometmq
