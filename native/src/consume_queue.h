// One ConsumeQueue (one topic/queueId): a run of contiguous segment files under
// consumequeue/<topic>/<queueId>/, each named by its 20-digit start byte offset and holding 20-byte
// units (layout in consume_queue_store.h). Logical queue offset = byte position / 20.
//
// Why mmap writes into fallocated ranges rather than buffered pwrite: the contract has no "end of
// dispatch batch" call, so a buffer would hold a unit invisible for an unbounded time on a quiet
// queue. A store through the mapping is a 20-byte memcpy with no syscall, and the unit is visible
// as soon as the max offset is published. Files are created sparse (tens of thousands of queues x
// 6 MB would be too costly to reserve) and blocks are reserved with fallocate in growing chunks
// (4 KiB doubling to 1 MiB per queue) just ahead of the write position: a full disk then fails the
// fallocate with ENOSPC, cleanly, instead of raising SIGBUS on a store into an unbacked page.
//
// A filler unit (gap filling, RocketMQ's "pre-blank") is {commit_log_offset 0, size INT32_MAX,
// tags_code 0}; it counts as valid for recovery and readers must skip it (IsBlankUnit).
//
// Thread affinity: Put/Recover/TruncateDirty on the dispatcher thread (Recover/TruncateDirty only
// before readers exist); Flush on the flush thread; DeleteExpired/Destroy on the cleanup thread;
// Read/OffsetByTime/min/max on any thread concurrently with all of them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "consume_queue_store.h"
#include "dispatch_request.h"
#include "store_error.h"

namespace cometmq {

constexpr int64_t kCqUnitSize = 20;
constexpr int32_t kCqBlankSize = INT32_MAX;

inline bool IsBlankUnit(const CqUnit& u) { return u.commit_log_offset == 0 && u.size == kCqBlankSize; }
inline bool IsValidUnit(const CqUnit& u) { return u.commit_log_offset >= 0 && u.size > 0; }

CqUnit DecodeCqUnit(const uint8_t* p);
void EncodeCqUnit(uint8_t* p, const CqUnit& u);

// One segment file. Mapped read-write on first use, unmapped when the last holder lets go, so a
// reader holding it may finish while the cleanup thread unlinks it (RocketMQ's ReferenceResource).
class CqFile {
 public:
  CqFile(std::string path, int64_t start, int64_t size, uint8_t* data);
  ~CqFile();
  CqFile(const CqFile&) = delete;
  CqFile& operator=(const CqFile&) = delete;

  // The mapping, created on first call (any thread).
  StoreResult Map(uint8_t** data);
  uint8_t* mapped() const { return data_.load(std::memory_order_acquire); }

  const std::string& path() const { return path_; }
  int64_t start() const { return start_; }  // bytes
  int64_t end() const { return start_ + size_; }

 private:
  const std::string path_;
  const int64_t start_;
  const int64_t size_;
  std::atomic<uint8_t*> data_;
  std::mutex map_mu_;
};

class ConsumeQueue {
 public:
  ConsumeQueue(std::string topic, int32_t queue_id, std::string dir, int64_t file_size);
  ~ConsumeQueue();
  ConsumeQueue(const ConsumeQueue&) = delete;
  ConsumeQueue& operator=(const ConsumeQueue&) = delete;

  // Load: registers an existing file; the caller adds them in order and checked contiguity.
  void AddLoadedFile(int64_t start_bytes);

  // Finds the last valid unit, sets min/max, drops trailing files without valid units.
  // *max_phy_end = commit_log_offset + size of the last non-blank unit (0 if none).
  StoreResult Recover(int64_t* max_phy_end);

  StoreResult Put(const DispatchRequest& req);
  StoreResult TruncateDirty(int64_t phy_offset);

  size_t Read(int64_t queue_offset, size_t max_units, CqUnit* out, StoreResult* error) const;
  int64_t OffsetByTime(int64_t timestamp, const std::function<int64_t(int64_t, int32_t)>& store_time_of) const;

  // *flushed = whether anything was synced.
  StoreResult Flush(int least_pages, bool* flushed);
  StoreResult DeleteExpired(int64_t min_commit_log_offset, size_t* files_deleted);
  // DeleteTopic: unlinks every file and the queue directory; later Puts are dropped.
  StoreResult Destroy();

  const std::string& topic() const { return topic_; }
  int32_t queue_id() const { return queue_id_; }
  int64_t min_offset() const { return min_.load(std::memory_order_acquire); }
  int64_t max_offset() const { return max_.load(std::memory_order_acquire); }

 private:
  using FileList = std::vector<std::shared_ptr<CqFile>>;

  StoreResult RecoverFiles(int64_t* max_phy_end);
  std::shared_ptr<CqFile> FileFor(int64_t byte_pos) const;  // null when absent
  std::shared_ptr<CqFile> FileForLocked(int64_t byte_pos) const;
  FileList Snapshot() const;
  bool ReadUnit(int64_t index, CqUnit* u) const;  // false when the file is gone or unmappable

  StoreResult WriteUnit(int64_t index, const CqUnit& u);  // dispatcher; does not publish
  StoreResult RollTo(int64_t start_bytes);
  StoreResult EnsureAllocated(int64_t end_in_file);
  void ResetWriterLocked();
  StoreResult DropFilesFromLocked(size_t first_dropped);

  const std::string topic_;
  const int32_t queue_id_;
  const std::string dir_;
  const int64_t file_size_;

  mutable std::shared_mutex files_mu_;  // guards files_ and deleted_
  FileList files_;
  bool deleted_ = false;

  std::atomic<int64_t> min_{0};  // logical
  std::atomic<int64_t> max_{0};  // logical, next to write; release-published after the store
  std::atomic<int64_t> flushed_bytes_{0};

  // Writer state: dispatcher thread only.
  std::shared_ptr<CqFile> active_;
  int64_t allocated_end_ = 0;  // bytes of active_ known to be backed by blocks
  int64_t next_chunk_ = 4096;
  StoreResult not_recovered_;  // set by AddLoadedFile, cleared by a successful Recover
};

}  // namespace cometmq
