// All ConsumeQueues of a store: one per (topic, queueId), under <storePathRootDir>/consumequeue/
// <topic>/<queueId>/<20-digit byte offset>. A unit is 20 bytes, big-endian (RocketMQ layout):
//   [0..8)   commit log (physical) offset of the record
//   [8..12)  record size (TOTALSIZE)
//   [12..20) tags code (Java String.hashCode of TAGS; delivery time for SCHEDULE_TOPIC_XXXX)
// The logical queue offset of a unit is its byte position / 20. Files hold
// mappedFileSizeConsumeQueue bytes (300,000 units by default).
//
// Thread affinity: Put/TruncateDirty run on the dispatcher thread (or during Open/Recover, before
// any reader exists); Flush/DeleteExpired on the flush/cleanup threads; the read methods on the
// main thread concurrently with all of them. A unit becomes visible to readers only after it is
// completely written (the queue's max offset is published with release semantics).
//
// Implementation: native/src/consume_queue_store.cc (+ consume_queue.h/.cc for one queue).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch_request.h"
#include "store_error.h"

namespace cometmq {

struct CqUnit {
  int64_t commit_log_offset;
  int32_t size;
  int64_t tags_code;
};

struct ConsumeQueueOptions {
  std::string dir;               // <storePathRootDir>/consumequeue
  int64_t mapped_file_size = 0;  // bytes per file, a multiple of 20
};

struct QueueInfo {
  std::string topic;
  int32_t queue_id;
  int64_t min_offset;  // logical
  int64_t max_offset;  // logical, next offset to be written
};

class ConsumeQueueStore {
 public:
  explicit ConsumeQueueStore(ConsumeQueueOptions options);
  ~ConsumeQueueStore();
  ConsumeQueueStore(const ConsumeQueueStore&) = delete;
  ConsumeQueueStore& operator=(const ConsumeQueueStore&) = delete;

  // Scans the directory tree. Anything that is not <topic>/<numeric queueId>/<20-digit file> of the
  // configured size is ERR_STORE_FOREIGN_FILE naming the path; unreadable entries give errno errors.
  StoreResult Load();

  // Per queue, finds the last valid unit (offset >= 0, size > 0) and sets the max offset.
  // Returns the highest commit_log_offset + size referenced by any queue (0 when empty): the point
  // from which the CommitLog must be re-dispatched.
  int64_t Recover();

  // Writes the unit for `req` at req.consume_queue_offset. A unit already present at that offset
  // is left as is (re-dispatch after recovery is idempotent). A gap before it is logged and filled
  // with blank units. I/O failures (ENOSPC creating a file) return an errno StoreResult and change
  // nothing; the caller retries the same request later.
  StoreResult Put(const DispatchRequest& req);

  // Crash recovery: drops every unit whose commit_log_offset >= phy_offset.
  void TruncateDirty(int64_t phy_offset);

  // Copies up to max_units units starting at logical queue_offset into out; returns the number
  // copied (0 when queue_offset is at or past the max, or the queue does not exist).
  size_t ReadUnits(std::string_view topic, int32_t queue_id, int64_t queue_offset, size_t max_units,
                   CqUnit* out) const;

  bool Exists(std::string_view topic, int32_t queue_id) const;
  int64_t MinOffset(std::string_view topic, int32_t queue_id) const;  // 0 when absent
  int64_t MaxOffset(std::string_view topic, int32_t queue_id) const;  // 0 when absent

  // First logical offset whose message was stored at or after `timestamp` (RocketMQ
  // getOffsetInQueueByTime: binary search; past the end -> max offset, before the start -> min).
  // store_time_of reads a record's STORETIMESTAMP from the CommitLog (-1 if gone).
  int64_t OffsetByTime(std::string_view topic, int32_t queue_id, int64_t timestamp,
                       const std::function<int64_t(int64_t phy_offset, int32_t size)>& store_time_of) const;

  std::vector<QueueInfo> ListQueues() const;
  /** How many queues exist, without copying them (Stats() runs on the send path). */
  size_t QueueCount() const;

  // Removes the topic's queues and their files; returns how many queues were removed.
  size_t DeleteTopic(std::string_view topic);

  // Flushes queues with at least least_pages dirty pages (0 = everything dirty). Returns the
  // number of queues flushed, or an errno StoreResult via last_error on failure.
  size_t Flush(int least_pages);

  // Deletes whole files whose every unit points below min_commit_log_offset (never a queue's last
  // file) and advances each queue's min offset past such units. Returns files deleted.
  size_t DeleteExpired(int64_t min_commit_log_offset);

  const StoreResult& last_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cometmq
