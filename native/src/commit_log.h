// The CommitLog: append batches of stored-layout records into fixed-size mapped segments, assign
// queue and physical offsets, stamp store time and body CRC, roll with a blank filler, and expose
// the three positions the other threads work from.
// The four store-owned fields are stamped into the caller's batch buffer, which then goes to the
// file with one pwrite per segment; with the transient store pool each record is instead copied
// into the pool's buffer as it is stamped. Readers always read the mapping.
//
// Positions (physical byte offsets, published with release / read with acquire):
//   wrote     - end of the last appended record (main thread writes)
//   committed - end of the data readable in the mapping (== wrote unless the transient pool is on;
//               then the commit thread advances it)
//   flushed   - end of the data made durable: fdatasync, or msync with the transient pool (flush
//               thread)
// Thread affinity: AppendBatch, TopicQueues() on the main thread (or the opening thread before any
// append); CommitDirty on the commit thread (and on the main thread when the pool runs dry, under
// the same lock); Flush on the flush thread; reads from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "allocate_service.h"
#include "append_status.h"
#include "mapped_file_queue.h"
#include "store_config.h"
#include "store_error.h"
#include "topic_queue_table.h"
#include "transient_store_pool.h"

namespace cometmq {

struct AppendStats {
  uint64_t append_calls = 0;
  uint64_t appended_messages = 0;
  uint64_t appended_bytes = 0;
  uint64_t lock_nanos_total = 0;
  uint64_t lock_nanos_max = 0;
};

// A record (or any byte range) inside one segment; `file` keeps the mapping alive.
struct CommitLogSlice {
  std::shared_ptr<MappedFile> file;
  const uint8_t* data = nullptr;
  int64_t size = 0;
};

class CommitLog {
 public:
  CommitLog(const StoreConfig& config, std::string dir);
  ~CommitLog();

  StoreResult Load() { return files_.Load(); }
  // After recovery: every position is `end`; starts the allocator.
  void StartAt(int64_t end);
  void Stop();

  // Called after every successful append (wakes the flusher and the dispatcher).
  void set_on_append(std::function<void()> fn) { on_append_ = std::move(fn); }
  void set_writable(bool writable) { writable_.store(writable); }

  // Appends `count` records laid out back to back in [records, records + length).
  // out[2i] = physical offset, out[2i+1] = queue offset, out[2*count] = store timestamp.
  // All or nothing: any status other than PUT_OK leaves the log untouched (positions, queue
  // offsets). A failed pwrite returns UNKNOWN_ERROR and, like a failed flush, fails the log for good.
  // The four store-owned fields are stamped into `records` itself (the caller's buffer is modified,
  // also when the status is not PUT_OK, but only after validation passed).
  PutStatus AppendBatch(uint8_t* records, size_t length, uint32_t count, double* out);
  const StoreResult& last_append_error() const { return last_append_error_; }

  // Transient pool: copies appended bytes into the mapping when at least least_pages are pending
  // (0 = all). Returns true if it committed anything.
  bool CommitDirty(int least_pages);
  // Makes [flushed, committed) durable when at least least_pages are dirty (0 = all): fdatasync of
  // each segment it touches, or msync of the range with the transient pool. Returns true if it
  // flushed; errors land in `error`.
  bool Flush(int least_pages, StoreResult* error);

  int64_t wrote_position() const { return wrote_.load(std::memory_order_acquire); }
  int64_t committed_position() const { return committed_.load(std::memory_order_acquire); }
  int64_t flushed_position() const { return flushed_.load(std::memory_order_acquire); }
  int64_t min_offset() const { return files_.MinOffset(); }
  // Store time of the newest appended record (checkpoint physicMsgTimestamp after a flush).
  int64_t last_store_timestamp() const { return last_store_timestamp_.load(std::memory_order_acquire); }
  int64_t flushed_store_timestamp() const { return flushed_store_timestamp_.load(std::memory_order_acquire); }
  int64_t begin_time_in_lock() const { return begin_time_in_lock_.load(std::memory_order_acquire); }
  bool flush_failed() const { return flush_failed_.load(); }

  // [phy, phy + size) when it lies inside one segment below the committed position.
  bool Slice(int64_t phy, int64_t size, CommitLogSlice* out) const;
  // STORETIMESTAMP of the record at phy (-1 when it is not there).
  int64_t StoreTimestampAt(int64_t phy) const;

  MappedFileQueue& files() { return files_; }
  const MappedFileQueue& files() const { return files_; }
  TopicQueueTable& topic_queues() { return topic_queues_; }
  const AppendStats& stats() const { return stats_; }
  uint64_t flush_count() const { return flush_count_.load(); }
  uint64_t flush_nanos_total() const { return flush_nanos_total_.load(); }
  uint64_t flush_nanos_max() const { return flush_nanos_max_.load(); }

 private:
  struct PlannedRecord {
    int64_t phy;
    int64_t blank_at;  // >= 0: a blank filler goes here first, up to the end of its segment
    uint32_t size;
    uint32_t body_pos;
    uint32_t body_length;
    uint32_t store_timestamp_pos;
    uint32_t sys_flag;
    int32_t queue_id;
    std::string_view topic;
  };

  PutStatus Validate(const uint8_t* records, size_t length, uint32_t count);
  bool EnsureSegments(int64_t from, int64_t to);
  MappedFile* SegmentFor(int64_t phy);
  // Gives a new segment a pool buffer, keeping the mapping a prefix of the log when the pool is dry.
  void AttachPoolBuffer(MappedFile* segment);
  bool CommitDirtyLocked(int least_pages);
  void StampRecords(uint8_t* records, uint32_t count, int64_t store_timestamp, double* out, bool copy_to_segment);
  void UndoQueueOffsets(uint32_t count);
  StoreResult WriteRuns(const uint8_t* records, int64_t start);
  StoreResult WriteRun(int64_t phy, const uint8_t* src, int64_t length, bool close_with_blank);
  void PrefetchAhead(int64_t end);

  const StoreConfig config_;
  const int64_t file_size_;
  MappedFileQueue files_;
  AllocateService allocator_;
  const int64_t prefetch_window_;  // 0: no page prefetch (see AllocateService::PrefetchPages)
  // Appends pwrite through the segment fd and the flusher fdatasyncs (all but the transient pool,
  // whose commits copy into the mapping). Measured here for ~290 KB per sync, pwrite + fdatasync
  // costs about half of memcpy into the mapping + msync: msync has to write-protect and re-fault
  // every page it cleans; under ASYNC_FLUSH, per-request produce spent 25-30% less broker CPU.
  const bool write_through_fd_;
  std::unique_ptr<TransientStorePool> pool_;
  std::mutex commit_mu_;  // CommitDirty: the commit thread, FlushAll, or a dry pool's roll
  TopicQueueTable topic_queues_;
  std::function<void()> on_append_;
  std::atomic<bool> writable_{false};
  // Sticky after a failed msync/fdatasync or pwrite: the kernel reports a writeback error once, so
  // a retry "succeeding" proves nothing. The flushed position never moves again and appends are
  // refused.
  std::atomic<bool> flush_failed_{false};

  std::atomic<int64_t> wrote_{0};
  std::atomic<int64_t> committed_{0};
  std::atomic<int64_t> flushed_{0};
  std::atomic<int64_t> last_store_timestamp_{0};
  std::atomic<int64_t> flushed_store_timestamp_{0};
  std::atomic<int64_t> begin_time_in_lock_{0};
  std::atomic<uint64_t> flush_count_{0};
  std::atomic<uint64_t> flush_nanos_total_{0};
  std::atomic<uint64_t> flush_nanos_max_{0};

  // Main-thread state of the append path.
  std::vector<PlannedRecord> plan_;
  std::vector<std::shared_ptr<MappedFile>> taken_;
  std::shared_ptr<MappedFile> current_;  // segment of the last append
  int64_t requested_ahead_ = -1;
  int64_t prefetched_to_ = 0;  // physical end of the last prefetch requested
  AppendStats stats_;
  StoreResult last_append_error_;
};

}  // namespace cometmq
