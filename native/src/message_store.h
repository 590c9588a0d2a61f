// The napi-free store facade: wires CommitLog, flush/commit threads, dispatcher, ConsumeQueues,
// index, checkpoint, lock and abort marker together, and implements the reads with RocketMQ's
// DefaultMessageStore semantics. The N-API wrapper (store_wrap.cc) is a thin layer over this.
// Thread affinity: Open/Flush/Close from any one thread at a time (a worker thread for open and
// flush; they serialize on an internal lock); everything else on the main thread only.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "append_status.h"
#include "checkpoint.h"
#include "commit_log.h"
#include "consume_queue_store.h"
#include "flush_service.h"
#include "index_service.h"
#include "reput_service.h"
#include "store_config.h"
#include "store_error.h"
#include "store_files.h"

namespace cometmq {

struct RecoveryInfo {
  bool last_exit_ok = true;
  int64_t min_physical_offset = 0;
  int64_t max_physical_offset = 0;
  int64_t recovered_from_offset = 0;
  uint64_t recovered_messages = 0;
  int64_t truncated_bytes = 0;
  double duration_ms = 0;
};

// Records copied out by a read: pointers into mappings kept alive by `holds`.
struct RecordList {
  std::vector<std::pair<const uint8_t*, uint32_t>> records;
  std::vector<std::shared_ptr<MappedFile>> holds;
  size_t total_bytes = 0;
  void Add(const CommitLogSlice& s) {
    if (holds.empty() || holds.back() != s.file) holds.push_back(s.file);
    records.emplace_back(s.data, static_cast<uint32_t>(s.size));
    total_bytes += static_cast<size_t>(s.size);
  }
};

struct GetResult {
  GetStatus status = GetStatus::NO_MESSAGE_IN_QUEUE;
  int64_t next_begin_offset = 0;
  int64_t min_offset = 0;
  int64_t max_offset = 0;
  bool suggest_pulling_from_slave = false;
  RecordList found;
};

struct QueryResult {
  RecordList found;
  int64_t index_last_update_timestamp = 0;
  int64_t index_last_update_phy_offset = 0;
};

struct CleanResult {
  uint64_t commit_log_files_deleted = 0;
  uint64_t consume_queue_files_deleted = 0;
  uint64_t index_files_deleted = 0;
};

struct StoreStats {
  AppendStats append;
  int64_t begin_time_in_lock = 0;
  uint64_t flush_count = 0;
  uint64_t flush_nanos_total = 0;
  uint64_t flush_nanos_max = 0;
  uint64_t commit_log_segments = 0;
  uint64_t consume_queues = 0;
  uint64_t index_files = 0;
  int64_t wrote_position = 0;
  int64_t committed_position = 0;
  int64_t flushed_position = 0;
  int64_t dispatched_position = 0;
  uint64_t inline_dispatches = 0;
};

class MessageStore {
 public:
  MessageStore(std::string root, const StoreConfig& config, std::vector<int64_t> delay_levels_ms);
  ~MessageStore();
  MessageStore(const MessageStore&) = delete;
  MessageStore& operator=(const MessageStore&) = delete;

  // Callbacks from the flush and dispatch threads; set before Open.
  void set_on_flushed(std::function<void()> fn) { on_flushed_ = std::move(fn); }
  void set_on_dispatched(std::function<void()> fn) { on_dispatched_ = std::move(fn); }

  StoreResult Open(RecoveryInfo* info);
  StoreResult Flush();
  // Idempotent. Returns the first error met while flushing (the abort marker is then kept).
  StoreResult Close();
  bool is_open() const { return open_.load(); }

  // wake_dispatcher false: the dispatcher is not woken for this batch; the caller promises a
  // WakeDispatcher() soon (after it has answered the producers: the wake is a cross-CPU futex
  // wake-up, ~11 us on the path of every synchronous send otherwise).
  PutStatus AppendBatch(uint8_t* records, size_t length, uint32_t count, double* out, bool wake_dispatcher = true);
  void WakeDispatcher() {
    if (open_.load(std::memory_order_acquire)) reput_->Wake();
  }
  // Main thread: dispatches what is committed right here when it is small and the dispatcher
  // thread is idle (ReputService::TryDispatchInline). False: call WakeDispatcher() instead.
  bool DispatchInline(int64_t max_bytes) {
    return open_.load(std::memory_order_acquire) && reput_->TryDispatchInline(max_bytes);
  }

  // Main thread, while open (0 otherwise).
  int64_t wrote_position() const { return open_.load() ? commit_log_->wrote_position() : 0; }
  int64_t flushed_position() const { return open_.load() ? commit_log_->flushed_position() : 0; }
  int64_t dispatched_position() const { return open_.load() ? reput_->dispatched_position() : 0; }
  int64_t min_physical_offset() const { return open_.load() ? commit_log_->min_offset() : 0; }

  // tags_codes: nullptr = no filter.
  void GetMessages(std::string_view topic, int32_t queue_id, int64_t queue_offset, int32_t max_count,
                   int64_t max_bytes, const double* tags_codes, size_t tags_code_count, GetResult* out) const;
  // The whole record at phy, or false.
  bool LookMessageByOffset(int64_t phy, CommitLogSlice* out) const;
  void QueryMessage(std::string_view topic, std::string_view key, int32_t max_num, int64_t begin, int64_t end,
                    QueryResult* out) const;

  int64_t MinOffsetInQueue(std::string_view topic, int32_t queue_id) const;
  int64_t MaxOffsetInQueue(std::string_view topic, int32_t queue_id) const;
  int64_t OffsetInQueueByTime(std::string_view topic, int32_t queue_id, int64_t timestamp) const;
  int64_t EarliestMessageTime(std::string_view topic, int32_t queue_id) const;
  int64_t MessageStoreTimestamp(std::string_view topic, int32_t queue_id, int64_t queue_offset) const;
  int64_t CommitLogOffsetInQueue(std::string_view topic, int32_t queue_id, int64_t queue_offset) const;
  std::vector<QueueInfo> ListQueues() const;
  size_t DeleteTopic(std::string_view topic);
  CleanResult CleanExpiredFiles(int64_t now_ms, int64_t file_reserved_ms, bool clean_immediately, int32_t max_files);

  StoreStats Stats() const;
  /** When the append in progress took the CommitLog lock (ms), 0 when none: the send path's busy probe. */
  int64_t BeginTimeInLock() const;
  const StoreConfig& config() const { return config_; }

 private:
  StoreResult OpenLocked(RecoveryInfo* info);
  void ReleaseLocked();
  bool ReadUnit(std::string_view topic, int32_t queue_id, int64_t queue_offset, CqUnit* unit) const;
  bool InMemory(int64_t phy, int64_t max_phy) const;

  const std::string root_;
  const StoreConfig config_;
  const std::vector<int64_t> delay_levels_ms_;
  const int64_t memory_limit_bytes_;  // RAM * accessMessageInMemoryMaxRatio%
  std::function<void()> on_flushed_;
  std::function<void()> on_dispatched_;

  std::mutex lifecycle_mu_;
  std::atomic<bool> open_{false};
  bool wake_dispatcher_on_append_ = true;  // main thread, per AppendBatch
  bool closed_ = false;  // Close() was called: a later (queued) Open must not reopen
  StoreLock lock_;
  Checkpoint checkpoint_;
  std::unique_ptr<CommitLog> commit_log_;
  std::unique_ptr<ConsumeQueueStore> cqs_;
  std::unique_ptr<IndexService> index_;
  std::unique_ptr<ReputService> reput_;
  std::unique_ptr<FlushService> flush_;
};

}  // namespace cometmq
