#include "commit_log.h"

#include <sys/uio.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "byte_order.h"
#include "crc32.h"
#include "record_layout.h"
#include "record_parser.h"
#include "store_log.h"

namespace cometmq {

namespace {

constexpr int64_t kPageSize = 4096;

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t MonotonicNanos() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

void UpdateMax(std::atomic<uint64_t>& max, uint64_t value) {
  uint64_t cur = max.load(std::memory_order_relaxed);
  while (value > cur && !max.compare_exchange_weak(cur, value, std::memory_order_relaxed)) {
  }
}

MappedFileOptions SegmentOptions(const StoreConfig& c) {
  MappedFileOptions o;
  // Appends go to the file with pwrite (both flush types), so they never fault: storing into the
  // mapping instead needed a background thread to keep fresh pages populated ahead of the appends
  // (else each first store into a page took a read-ahead or a write fault on the main thread), and
  // the populate plus msync's write-protect-and-refault cycle cost more CPU than the copy pwrite
  // makes (interleaved pairs, per-request produce: broker 7.5-9.7 us per message against 11-13.2,
  // throughput +10-40%). A read pre-fault would spare pwrite the page-cache allocation (~15 us per
  // 290 KB batch), but measured with 256 concurrent SYNC_FLUSH puts it made the group commit slower
  // (flushes 500-1400 us instead of 380-640 us, 2 cores: the warm-up competes with the flusher and
  // the dispatcher), and a write pre-fault dirties zero pages that writeback then flushes. So none,
  // unless warmMapedFileEnable asks for RocketMQ's warm-up: zeros written and flushed chunk by
  // chunk ahead of the appends.
  const bool warm = c.warmMapedFileEnable != 0;
  o.pre_fault = warm ? PreFault::kWrite : PreFault::kNone;
  o.mlock = warm || c.mlockMappedFileEnable != 0;
  o.read_ahead = c.dataReadAheadEnable != 0;
  o.flush_every_pages_when_warming =
      (warm && c.sync_flush()) ? static_cast<int64_t>(c.flushLeastPagesWhenWarmMapedFile) : 0;
  // The transient store pool's commits do copy into the mapping: keep the next pages in the page
  // cache and mapped writable for them (allocate_service.h). 16 MiB: far more than a burst of
  // appends covers before the worker's next step.
  if (!warm && c.transient_pool_enabled()) o.prefetch_window = 16 << 20;
  return o;
}

}  // namespace

CommitLog::CommitLog(const StoreConfig& config, std::string dir)
    : config_(config),
      file_size_(config.commit_log_file_size()),
      files_(dir, file_size_),
      allocator_(dir, file_size_, SegmentOptions(config)),
      prefetch_window_(SegmentOptions(config).prefetch_window),
      write_through_fd_(!config.transient_pool_enabled()) {
  allocator_.FollowAppends(&wrote_);
  if (config_.transient_pool_enabled()) {
    pool_ = std::make_unique<TransientStorePool>(static_cast<size_t>(config_.transientStorePoolSize),
                                                 static_cast<size_t>(file_size_));
  }
}

CommitLog::~CommitLog() { Stop(); }

void CommitLog::StartAt(int64_t end) {
  wrote_.store(end, std::memory_order_release);
  committed_.store(end, std::memory_order_release);
  flushed_.store(end, std::memory_order_release);
  current_ = files_.Last();
  allocator_.Start();
  // Have the segment the appends will roll into (or the very first one) ready before it is needed.
  const int64_t next = (current_ && end < current_->end_offset()) ? current_->end_offset() : files_.SegmentStart(end);
  requested_ahead_ = next;
  allocator_.RequestAhead(next);
  prefetched_to_ = end;
  PrefetchAhead(end);
  writable_.store(true);
}

void CommitLog::Stop() {
  writable_.store(false);
  allocator_.Stop();
}

PutStatus CommitLog::Validate(const uint8_t* records, size_t length, uint32_t count) {
  plan_.resize(count);
  const uint8_t* p = records;
  size_t left = length;
  for (uint32_t i = 0; i < count; ++i) {
    RecordView v;
    if (ParseRecord(p, left, &v) != RecordCheck::kOk) return PutStatus::MESSAGE_ILLEGAL;
    if (v.body_length > config_.maxMessageSize || v.topic.empty() || !TailLooksWritten(v)) {
      return PutStatus::MESSAGE_ILLEGAL;
    }
    if (v.properties.size() > static_cast<size_t>(record::kMaxPropertiesLength)) {
      return PutStatus::PROPERTIES_SIZE_EXCEEDED;
    }
    // A record must fit a segment together with the room a blank filler needs.
    if (static_cast<int64_t>(v.total_size) + record::kBlankRecordLength > file_size_) return PutStatus::MESSAGE_ILLEGAL;
    PlannedRecord& r = plan_[i];
    r.size = v.total_size;
    r.body_pos = v.body_pos;
    r.body_length = v.body_length;
    r.store_timestamp_pos = v.store_timestamp_pos;
    r.sys_flag = v.sys_flag;
    r.queue_id = v.queue_id;
    r.topic = v.topic;
    p += v.total_size;
    left -= v.total_size;
  }
  return left == 0 ? PutStatus::PUT_OK : PutStatus::MESSAGE_ILLEGAL;
}

// Makes sure every segment covering [from, to) exists before a byte is written. Segments created
// here are parked in taken_ until the batch is committed to the queue.
bool CommitLog::EnsureSegments(int64_t from, int64_t to) {
  taken_.clear();
  auto last = files_.Last();
  int64_t next = last ? last->end_offset() : files_.SegmentStart(from);
  const int64_t last_needed = files_.SegmentStart(to - 1);
  while (next <= last_needed) {
    std::shared_ptr<MappedFile> file;
    StoreResult r = allocator_.Take(next, &file);
    if (!r) {
      for (auto& f : taken_) allocator_.GiveBack(std::move(f));
      taken_.clear();
      last_append_error_ = r;
      return false;
    }
    taken_.push_back(std::move(file));
    next += file_size_;
  }
  return true;
}

MappedFile* CommitLog::SegmentFor(int64_t phy) {
  if (current_ && phy >= current_->file_from_offset() && phy < current_->end_offset()) return current_.get();
  current_ = files_.FindByOffset(phy);
  return current_.get();
}

PutStatus CommitLog::AppendBatch(uint8_t* records, size_t length, uint32_t count, double* out) {
  if (!writable_.load(std::memory_order_relaxed) || flush_failed_.load(std::memory_order_relaxed)) {
    return PutStatus::SERVICE_NOT_AVAILABLE;
  }
  if (count == 0) return PutStatus::MESSAGE_ILLEGAL;
  const PutStatus valid = Validate(records, length, count);
  if (valid != PutStatus::PUT_OK) return valid;

  // Plan positions: a record that does not fit (with room for a blank) rolls to the next segment.
  const int64_t start = wrote_.load(std::memory_order_relaxed);
  int64_t pos = start;
  for (PlannedRecord& r : plan_) {
    const int64_t segment_end = files_.SegmentStart(pos) + file_size_;
    r.blank_at = -1;
    if (pos + r.size + record::kBlankRecordLength > segment_end) {
      r.blank_at = pos;
      pos = segment_end;
    }
    r.phy = pos;
    pos += r.size;
  }
  const int64_t end = pos;
  if (!EnsureSegments(start, end)) return PutStatus::CREATE_MAPPED_FILE_FAILED;

  const uint64_t lock_begin = MonotonicNanos();
  const int64_t store_timestamp = WallClockMs();
  begin_time_in_lock_.store(store_timestamp, std::memory_order_release);
  for (auto& f : taken_) {
    if (pool_) AttachPoolBuffer(f.get());
    files_.Append(std::move(f));
  }
  taken_.clear();

  StoreResult written = StoreResult::Ok();
  if (write_through_fd_) {
    StampRecords(records, count, store_timestamp, out, false);
    written = WriteRuns(records, start);
  } else {
    StampRecords(records, count, store_timestamp, out, true);
  }
  if (!written) {
    // Nothing is published; the queue offsets handed out go back. Like a failed msync this is
    // sticky: after EIO the kernel may have dropped the pages, so no later success is trustworthy.
    UndoQueueOffsets(count);
    flush_failed_.store(true);
    last_append_error_ = written;
    begin_time_in_lock_.store(0, std::memory_order_release);
    StoreLog("CommitLog write failed, refusing appends until restart: %s", written.message.c_str());
    return PutStatus::UNKNOWN_ERROR;
  }

  last_store_timestamp_.store(store_timestamp, std::memory_order_release);
  wrote_.store(end, std::memory_order_release);
  if (!pool_) committed_.store(end, std::memory_order_release);
  begin_time_in_lock_.store(0, std::memory_order_release);

  const uint64_t lock_nanos = MonotonicNanos() - lock_begin;
  stats_.append_calls++;
  stats_.appended_messages += count;
  stats_.appended_bytes += length;
  stats_.lock_nanos_total += lock_nanos;
  if (lock_nanos > stats_.lock_nanos_max) stats_.lock_nanos_max = lock_nanos;

  const int64_t ahead = files_.SegmentStart(end) + file_size_;
  if (ahead != requested_ahead_) {
    requested_ahead_ = ahead;
    allocator_.RequestAhead(ahead);
  }
  PrefetchAhead(end);
  if (on_append_) on_append_();
  return PutStatus::PUT_OK;
}

// Prefetch requests come in steps this size: each is a few milliseconds of page-cache work for the
// worker, so it never holds a CPU long enough to delay the threads woken on it.
constexpr int64_t kPrefetchStepBytes = 1 << 20;

// Keeps the prefetched range a window ahead of the appends: the next step is asked for once they
// have moved a step into it. A new segment's first window is the allocator's own doing.
void CommitLog::PrefetchAhead(int64_t end) {
  if (prefetch_window_ == 0 || end + prefetch_window_ - kPrefetchStepBytes < prefetched_to_) return;
  if (!current_ || end >= current_->end_offset() || end < current_->file_from_offset()) return;
  const int64_t from = std::max(end, prefetched_to_);
  const int64_t to = std::min(current_->end_offset(), end + prefetch_window_);
  if (to <= from) return;
  prefetched_to_ = to;
  allocator_.PrefetchPages(current_, from - current_->file_from_offset(), to - current_->file_from_offset());
}

namespace {
void FillBlankHeader(uint8_t* dst, int64_t remaining) {
  StoreI32BE(dst + record::kOffsetTotalSize, static_cast<int32_t>(remaining));
  StoreU32BE(dst + record::kOffsetMagic, record::kBlankMagicCode);
}
}  // namespace

// Fills the four store-owned fields in the caller's buffer. With copy_to_segment (the transient
// pool) each record is also copied to its segment's write target (the pool buffer, or the mapping
// when the pool ran dry) right away, while it is still hot in cache, behind a blank filler where it
// rolls; otherwise WriteRuns() writes the buffer afterwards.
void CommitLog::StampRecords(uint8_t* records, uint32_t count, int64_t store_timestamp, double* out,
                             bool copy_to_segment) {
  uint8_t* p = records;
  for (uint32_t i = 0; i < count; ++i) {
    const PlannedRecord& r = plan_[i];
    int64_t queue_offset = 0;
    if (!record::IsPreparedOrRollback(r.sys_flag)) {
      int64_t& slot = topic_queues_.Slot(r.topic, r.queue_id);
      queue_offset = slot++;
    }
    StoreI32BE(p + record::kOffsetBodyCrc, BodyCrc(p + r.body_pos, r.body_length));
    StoreI64BE(p + record::kOffsetQueueOffset, queue_offset);
    StoreI64BE(p + record::kOffsetPhysicalOffset, r.phy);
    StoreI64BE(p + r.store_timestamp_pos, store_timestamp);
    out[2 * i] = static_cast<double>(r.phy);
    out[2 * i + 1] = static_cast<double>(queue_offset);
    if (copy_to_segment) {
      if (r.blank_at >= 0) {
        MappedFile* seg = SegmentFor(r.blank_at);
        uint8_t* dst = seg->WriteTarget() + (r.blank_at - seg->file_from_offset());
        const int64_t remaining = seg->end_offset() - r.blank_at;
        FillBlankHeader(dst, remaining);
        // A reused pool buffer holds an older segment's bytes; the file must get zeros after the filler.
        if (seg->has_write_buffer()) {
          std::memset(dst + record::kBlankRecordLength, 0, static_cast<size_t>(remaining - record::kBlankRecordLength));
        }
      }
      MappedFile* seg = SegmentFor(r.phy);
      std::memcpy(seg->WriteTarget() + (r.phy - seg->file_from_offset()), p, r.size);
    }
    p += r.size;
  }
  out[2 * static_cast<size_t>(count)] = static_cast<double>(store_timestamp);
}

void CommitLog::UndoQueueOffsets(uint32_t count) {
  for (uint32_t i = count; i-- > 0;) {
    const PlannedRecord& r = plan_[i];
    if (!record::IsPreparedOrRollback(r.sys_flag)) topic_queues_.Slot(r.topic, r.queue_id)--;
  }
}

// The batch lies back to back in `records`; in the log it does too, except where a
// blank filler closes a segment. So it goes out as one pwrite per segment, each ending with its
// filler.
StoreResult CommitLog::WriteRuns(const uint8_t* records, int64_t start) {
  const uint8_t* run_src = records;
  int64_t run_phy = start;
  int64_t run_length = 0;
  for (const PlannedRecord& r : plan_) {
    if (r.blank_at >= 0) {
      StoreResult res = WriteRun(run_phy, run_src, run_length, true);
      if (!res) return res;
      run_src += run_length;
      run_phy = r.phy;
      run_length = 0;
    }
    run_length += r.size;
  }
  return WriteRun(run_phy, run_src, run_length, false);
}

StoreResult CommitLog::WriteRun(int64_t phy, const uint8_t* src, int64_t length, bool close_with_blank) {
  MappedFile* seg = SegmentFor(phy);
  const int64_t in_file = phy - seg->file_from_offset();
  uint8_t blank[record::kBlankRecordLength];
  FillBlankHeader(blank, seg->size() - (in_file + length));
  struct iovec pieces[2] = {{const_cast<uint8_t*>(src), static_cast<size_t>(length)}, {blank, sizeof blank}};
  return seg->WriteAt(pieces, close_with_blank ? 2 : 1, in_file);
}

// Called before any record of the batch is written. A segment written through its mapping puts its
// records in the page cache at once, where a crash cannot take them; so no earlier segment may
// still hold uncommitted records in a buffer then, or a crash would leave a hole in the middle of
// the log instead of losing only its tail. Hence, when the pool is dry: commit what is written
// (which returns the full segments' buffers), and if it is still dry, take the buffers of the
// segments not yet full back (everything in them is committed now; they continue through their
// mappings).
void CommitLog::AttachPoolBuffer(MappedFile* segment) {
  uint8_t* buffer = pool_->Borrow();
  if (buffer == nullptr) {
    std::lock_guard<std::mutex> lock(commit_mu_);
    CommitDirtyLocked(0);
    buffer = pool_->Borrow();
    if (buffer == nullptr) {
      for (const auto& earlier : files_.Snapshot()) {
        if (earlier->has_write_buffer()) pool_->Return(earlier->DetachWriteBuffer());
      }
      buffer = pool_->Borrow();
    }
  }
  if (buffer != nullptr) segment->AttachWriteBuffer(buffer);
}

bool CommitLog::CommitDirty(int least_pages) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  return CommitDirtyLocked(least_pages);
}

bool CommitLog::CommitDirtyLocked(int least_pages) {
  const int64_t wrote = wrote_.load(std::memory_order_acquire);
  int64_t committed = committed_.load(std::memory_order_relaxed);
  if (wrote <= committed) return false;
  if (least_pages > 0 && (wrote / kPageSize - committed / kPageSize) < least_pages) return false;
  while (committed < wrote) {
    auto seg = files_.FindByOffset(committed);
    if (!seg) break;
    const int64_t until = std::min(wrote, seg->end_offset());
    seg->CommitRange(committed - seg->file_from_offset(), until - seg->file_from_offset());
    committed = until;
    if (committed == seg->end_offset() && seg->has_write_buffer()) pool_->Return(seg->DetachWriteBuffer());
  }
  committed_.store(committed, std::memory_order_release);
  return true;
}

bool CommitLog::Flush(int least_pages, StoreResult* error) {
  if (flush_failed_.load()) {
    if (error) *error = StoreResult::Error("EIO", "an earlier CommitLog write or flush failed; the store needs a restart");
    return false;
  }
  const int64_t timestamp = last_store_timestamp_.load(std::memory_order_acquire);
  const int64_t target = committed_.load(std::memory_order_acquire);
  int64_t flushed = flushed_.load(std::memory_order_relaxed);
  if (target <= flushed) return false;
  if (least_pages > 0 && (target / kPageSize - flushed / kPageSize) < least_pages) return false;
  const uint64_t begin = MonotonicNanos();
  while (flushed < target) {
    auto seg = files_.FindByOffset(flushed);
    if (!seg) {
      // Retention removed it: nothing left to flush there.
      flushed = files_.SegmentStart(flushed) + file_size_;
      continue;
    }
    const int64_t until = std::min(target, seg->end_offset());
    StoreResult r = write_through_fd_ ? seg->SyncData()
                                      : seg->FlushRange(flushed - seg->file_from_offset(), until - seg->file_from_offset());
    if (!r) {
      flush_failed_.store(true);
      if (error) *error = r;
      return false;
    }
    flushed = until;
  }
  flushed_.store(target, std::memory_order_release);
  flushed_store_timestamp_.store(timestamp, std::memory_order_release);
  const uint64_t nanos = MonotonicNanos() - begin;
  flush_count_.fetch_add(1, std::memory_order_relaxed);
  flush_nanos_total_.fetch_add(nanos, std::memory_order_relaxed);
  UpdateMax(flush_nanos_max_, nanos);
  return true;
}

bool CommitLog::Slice(int64_t phy, int64_t size, CommitLogSlice* out) const {
  if (phy < 0 || size <= 0 || phy + size > committed_.load(std::memory_order_acquire)) return false;
  auto seg = files_.FindByOffset(phy);
  if (!seg || phy + size > seg->end_offset()) return false;
  out->data = seg->data() + (phy - seg->file_from_offset());
  out->size = size;
  out->file = std::move(seg);
  return true;
}

int64_t CommitLog::StoreTimestampAt(int64_t phy) const {
  CommitLogSlice head;
  if (!Slice(phy, record::kOffsetBornHost, &head)) return -1;
  const uint32_t magic = LoadU32BE(head.data + record::kOffsetMagic);
  if (magic != record::kMessageMagicCode && magic != record::kMessageMagicCodeV2) return -1;
  const uint32_t sys_flag = LoadU32BE(head.data + record::kOffsetSysFlag);
  const int pos = record::StoreTimestampOffset(sys_flag);
  CommitLogSlice field;
  if (!Slice(phy + pos, 8, &field)) return -1;
  return LoadI64BE(field.data);
}

}  // namespace cometmq
