#include "consume_queue.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "byte_order.h"
#include "store_fs.h"
#include "store_log.h"

namespace cometmq {
namespace {

constexpr int64_t kMaxChunk = 1 << 20;
const CqUnit kBlankUnit{0, kCqBlankSize, 0};

// Byte length of the run of valid units at the start of the file. Read with large preads rather
// than through the mapping: after a reboot the cache is cold, and the mapping (MADV_RANDOM) would
// fault the file in one 4 KiB read at a time, per queue.
StoreResult ScanValidPrefix(const std::string& path, int64_t file_size, int64_t* valid_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return StoreResult::SysError(errno, "open", path);
  constexpr int64_t kChunk = (64 * 1024) / kCqUnitSize * kCqUnitSize;
  std::vector<uint8_t> buf(kChunk);
  int64_t pos = 0;
  StoreResult result;
  while (pos < file_size) {
    const ssize_t n = ::pread(fd, buf.data(), static_cast<size_t>(std::min(kChunk, file_size - pos)), pos);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = StoreResult::SysError(errno, "pread", path);
      break;
    }
    const int64_t units = n / kCqUnitSize;
    int64_t u = 0;
    while (u < units && IsValidUnit(DecodeCqUnit(buf.data() + u * kCqUnitSize))) ++u;
    pos += u * kCqUnitSize;
    if (u < units || units == 0) break;
  }
  ::close(fd);
  *valid_bytes = pos;
  return result;
}

}  // namespace

CqUnit DecodeCqUnit(const uint8_t* p) { return CqUnit{LoadI64BE(p), LoadI32BE(p + 8), LoadI64BE(p + 12)}; }

void EncodeCqUnit(uint8_t* p, const CqUnit& u) {
  uint8_t buf[kCqUnitSize];  // assembled first so the mapping sees one 20-byte copy
  StoreI64BE(buf, u.commit_log_offset);
  StoreI32BE(buf + 8, u.size);
  StoreI64BE(buf + 12, u.tags_code);
  std::memcpy(p, buf, sizeof buf);
}

CqFile::CqFile(std::string path, int64_t start, int64_t size, uint8_t* data)
    : path_(std::move(path)), start_(start), size_(size), data_(data) {}

CqFile::~CqFile() {
  if (uint8_t* p = data_.load()) ::munmap(p, static_cast<size_t>(size_));
}

StoreResult CqFile::Map(uint8_t** data) {
  if ((*data = data_.load(std::memory_order_acquire))) return StoreResult::Ok();
  std::lock_guard<std::mutex> lock(map_mu_);
  if ((*data = data_.load(std::memory_order_acquire))) return StoreResult::Ok();
  StoreResult r = MapExisting(path_, size_, data);
  if (r.ok) data_.store(*data, std::memory_order_release);
  return r;
}

ConsumeQueue::ConsumeQueue(std::string topic, int32_t queue_id, std::string dir, int64_t file_size)
    : topic_(std::move(topic)), queue_id_(queue_id), dir_(std::move(dir)), file_size_(file_size) {}

ConsumeQueue::~ConsumeQueue() = default;

void ConsumeQueue::AddLoadedFile(int64_t start_bytes) {
  // Until Recover has found the max offset, a Put could take the queue for a fresh one and
  // overwrite its units with fillers.
  not_recovered_ = StoreResult::Error("ERR_STORE_NOT_OPEN",
                                      "consume queue " + topic_ + "/" + std::to_string(queue_id_) +
                                          " was loaded but not recovered",
                                      dir_);
  std::unique_lock<std::shared_mutex> lock(files_mu_);
  files_.push_back(std::make_shared<CqFile>(dir_ + "/" + OffsetFileName(start_bytes), start_bytes, file_size_, nullptr));
}

std::shared_ptr<CqFile> ConsumeQueue::FileForLocked(int64_t byte_pos) const {
  if (files_.empty() || byte_pos < files_.front()->start()) return nullptr;
  const size_t i = static_cast<size_t>((byte_pos - files_.front()->start()) / file_size_);
  return i < files_.size() ? files_[i] : nullptr;
}

std::shared_ptr<CqFile> ConsumeQueue::FileFor(int64_t byte_pos) const {
  std::shared_lock<std::shared_mutex> lock(files_mu_);
  return FileForLocked(byte_pos);
}

ConsumeQueue::FileList ConsumeQueue::Snapshot() const {
  std::shared_lock<std::shared_mutex> lock(files_mu_);
  return files_;
}

bool ConsumeQueue::ReadUnit(int64_t index, CqUnit* u) const {
  const int64_t pos = index * kCqUnitSize;
  std::shared_ptr<CqFile> f = FileFor(pos);
  uint8_t* data = nullptr;
  if (!f || !f->Map(&data).ok) return false;
  *u = DecodeCqUnit(data + (pos - f->start()));
  return true;
}

StoreResult ConsumeQueue::Recover(int64_t* max_phy_end) {
  StoreResult r = RecoverFiles(max_phy_end);
  not_recovered_ = r;  // a queue that failed to recover refuses Puts with the reason
  return r;
}

StoreResult ConsumeQueue::RecoverFiles(int64_t* max_phy_end) {
  *max_phy_end = 0;
  std::unique_lock<std::shared_mutex> lock(files_mu_);
  ResetWriterLocked();
  if (files_.empty()) return StoreResult::Ok();
  const auto first_unit_valid = [&](size_t k, bool* valid) {
    uint8_t* data = nullptr;
    StoreResult r = files_[k]->Map(&data);
    if (r.ok) *valid = IsValidUnit(DecodeCqUnit(data));
    return r;
  };
  // The last file whose first unit is valid; later files were created but never written.
  size_t k = files_.size() - 1;
  for (;; --k) {
    bool valid = false;
    StoreResult r = first_unit_valid(k, &valid);
    if (!r.ok) return r;
    if (valid || k == 0) break;
  }
  // Scan forward to the first invalid unit (RocketMQ recover(): offset >= 0 && size > 0).
  int64_t end = files_[k]->start();
  for (; k < files_.size(); ++k) {
    int64_t in_file = 0;
    StoreResult r = ScanValidPrefix(files_[k]->path(), file_size_, &in_file);
    if (!r.ok) return r;
    end = files_[k]->start() + in_file;
    if (in_file < file_size_) break;
  }
  // Keep the file holding `end`; a file starting exactly at `end` is empty unless it is the only one.
  size_t keep = 0;
  while (keep < files_.size() && files_[keep]->start() <= end) ++keep;
  if (keep > 1 && files_[keep - 1]->start() == end) --keep;
  StoreResult dropped = DropFilesFromLocked(keep);
  if (!dropped.ok) return dropped;

  const int64_t max = end / kCqUnitSize;
  // Min: skip the filler units a queue that started mid-file carries before its first message.
  int64_t min = files_.front()->start() / kCqUnitSize;
  uint8_t* first = files_.front()->mapped();
  if (!first) {
    StoreResult r = files_.front()->Map(&first);
    if (!r.ok) return r;
  }
  while (min < max && min - files_.front()->start() / kCqUnitSize < file_size_ / kCqUnitSize) {
    const CqUnit u = DecodeCqUnit(first + (min * kCqUnitSize - files_.front()->start()));
    if (IsValidUnit(u) && !IsBlankUnit(u)) break;
    ++min;
  }
  for (int64_t i = max - 1; i >= min; --i) {
    const std::shared_ptr<CqFile> f = FileForLocked(i * kCqUnitSize);
    uint8_t* data = nullptr;
    StoreResult r = f->Map(&data);
    if (!r.ok) return r;
    const CqUnit u = DecodeCqUnit(data + (i * kCqUnitSize - f->start()));
    if (!IsBlankUnit(u)) {
      *max_phy_end = u.commit_log_offset + u.size;
      break;
    }
  }
  min_.store(min, std::memory_order_release);
  max_.store(max, std::memory_order_release);
  flushed_bytes_.store(end, std::memory_order_relaxed);
  active_ = files_.back();
  allocated_end_ = std::max<int64_t>(0, end - active_->start());
  return StoreResult::Ok();
}

void ConsumeQueue::ResetWriterLocked() {
  active_ = files_.empty() ? nullptr : files_.back();
  allocated_end_ = 0;
}

StoreResult ConsumeQueue::DropFilesFromLocked(size_t first_dropped) {
  StoreResult result;
  while (files_.size() > first_dropped) {
    StoreResult r = UnlinkFile(files_.back()->path());
    if (!r.ok && result.ok) result = r;
    files_.pop_back();
  }
  return result;
}

StoreResult ConsumeQueue::Put(const DispatchRequest& req) {
  if (!not_recovered_.ok) return not_recovered_;
  const int64_t offset = req.consume_queue_offset;
  const int64_t max = max_.load(std::memory_order_relaxed);  // only this thread writes it
  int64_t next = max;
  const bool fresh = active_ == nullptr;
  if (fresh) {
    // First unit of a queue without files: its first file is the one holding `offset`, and the
    // units before `offset` in that file are fillers (RocketMQ fillPreBlank).
    next = offset * kCqUnitSize / file_size_ * file_size_ / kCqUnitSize;
  } else if (offset < max) {
    return StoreResult::Ok();  // already written: re-dispatch after recovery is idempotent
  } else if (offset > max) {
    StoreLog("consume queue %s/%d: gap before offset %lld (max %lld), filling %lld blank units", topic_.c_str(),
             queue_id_, static_cast<long long>(offset), static_cast<long long>(max),
             static_cast<long long>(offset - max));
  }
  for (int64_t i = next; i < offset; ++i) {
    StoreResult r = WriteUnit(i, kBlankUnit);
    if (!r.ok) return r;  // nothing published: the retry rewrites the same positions
  }
  StoreResult r = WriteUnit(offset, CqUnit{req.commit_log_offset, req.msg_size, req.tags_code});
  if (!r.ok) return r;
  if (active_ == nullptr) return StoreResult::Ok();  // the queue was destroyed meanwhile
  if (fresh) min_.store(offset, std::memory_order_release);
  max_.store(offset + 1, std::memory_order_release);
  return StoreResult::Ok();
}

StoreResult ConsumeQueue::WriteUnit(int64_t index, const CqUnit& u) {
  const int64_t pos = index * kCqUnitSize;
  if (active_ == nullptr || pos >= active_->end() || pos < active_->start()) {
    if (std::shared_ptr<CqFile> existing = FileFor(pos)) {
      // A retry after a failure that left a later file created: continue in the file that exists.
      active_ = std::move(existing);
      allocated_end_ = pos - active_->start();  // beyond `pos` nothing is published
    } else {
      StoreResult r = RollTo(pos / file_size_ * file_size_);
      if (!r.ok || active_ == nullptr) return r;
    }
  }
  const int64_t in_file = pos - active_->start();
  if (in_file + kCqUnitSize > allocated_end_) {
    StoreResult r = EnsureAllocated(in_file + kCqUnitSize);
    if (!r.ok) return r;
  }
  uint8_t* data = nullptr;
  StoreResult r = active_->Map(&data);
  if (!r.ok) return r;
  EncodeCqUnit(data + in_file, u);
  return StoreResult::Ok();
}

StoreResult ConsumeQueue::RollTo(int64_t start_bytes) {
  {
    std::shared_lock<std::shared_mutex> lock(files_mu_);
    if (deleted_) {
      active_ = nullptr;
      return StoreResult::Ok();
    }
  }
  // The syscalls run without the lock: readers of this queue never wait on a file creation.
  StoreResult r = MakeDirs(dir_);
  if (!r.ok) return r;
  const std::string path = dir_ + "/" + OffsetFileName(start_bytes);
  int fd = -1;
  r = CreateFixedSizeFile(path, file_size_, /*allocate=*/false, &fd);
  if (!r.ok) return r;
  uint8_t* data = nullptr;
  r = MapShared(fd, path, file_size_, &data);
  // The mapping keeps the file; holding its descriptor would cost one per queue, and 10,000
  // topics of 8 queues are past the usual open-files limit.
  ::close(fd);
  if (!r.ok) {
    ::unlink(path.c_str());
    return r;
  }
  auto file = std::make_shared<CqFile>(path, start_bytes, file_size_, data);
  std::unique_lock<std::shared_mutex> lock(files_mu_);
  if (deleted_) {
    ::unlink(path.c_str());
    active_ = nullptr;
    return StoreResult::Ok();
  }
  files_.push_back(std::move(file));
  ResetWriterLocked();
  return StoreResult::Ok();
}

StoreResult ConsumeQueue::EnsureAllocated(int64_t end_in_file) {
  // Opened per allocation, not held: chunks double up to kMaxChunk, so this is rare per queue.
  const int fd = ::open(active_->path().c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return StoreResult::SysError(errno, "open", active_->path());
  const int64_t page = PageSize();
  const int64_t wanted = std::max(end_in_file, allocated_end_ + next_chunk_);
  const int64_t to = std::min(file_size_, (wanted + page - 1) / page * page);
  StoreResult r = AllocateRange(fd, active_->path(), allocated_end_, to);
  if (!r.ok && to > end_in_file) {
    // Nearly full disk: a big chunk may not fit where the unit itself still does.
    r = AllocateRange(fd, active_->path(), allocated_end_, end_in_file);
    ::close(fd);
    if (r.ok) allocated_end_ = end_in_file;
    return r;
  }
  ::close(fd);
  if (!r.ok) return r;
  allocated_end_ = to;
  next_chunk_ = std::min(next_chunk_ * 2, kMaxChunk);
  return StoreResult::Ok();
}

StoreResult ConsumeQueue::TruncateDirty(int64_t phy_offset) {
  const int64_t old_max = max_.load(std::memory_order_relaxed);
  const int64_t min = min_.load(std::memory_order_relaxed);
  int64_t new_max = old_max;
  CqUnit u;
  while (new_max > min && ReadUnit(new_max - 1, &u) && (IsBlankUnit(u) || u.commit_log_offset >= phy_offset)) {
    --new_max;
  }
  if (new_max == old_max) return StoreResult::Ok();
  max_.store(new_max, std::memory_order_release);  // readers stop short before the units vanish
  if (flushed_bytes_.load(std::memory_order_relaxed) > new_max * kCqUnitSize) {
    flushed_bytes_.store(new_max * kCqUnitSize, std::memory_order_relaxed);
  }
  std::unique_lock<std::shared_mutex> lock(files_mu_);
  const int64_t end = new_max * kCqUnitSize;
  size_t keep = 0;
  while (keep < files_.size() && files_[keep]->start() <= end) ++keep;
  if (keep > 1 && files_[keep - 1]->start() == end) --keep;
  StoreResult result = DropFilesFromLocked(keep);
  // Zero the dropped units that remain in kept files, so a later Recover does not revive them.
  for (int64_t i = new_max; i < old_max; ++i) {
    const std::shared_ptr<CqFile> f = FileForLocked(i * kCqUnitSize);
    if (!f) break;
    uint8_t* data = nullptr;
    StoreResult r = f->Map(&data);
    if (!r.ok) return r;
    std::memset(data + (i * kCqUnitSize - f->start()), 0, kCqUnitSize);
  }
  ResetWriterLocked();
  if (active_) allocated_end_ = std::max<int64_t>(0, end - active_->start());
  return result;
}

size_t ConsumeQueue::Read(int64_t queue_offset, size_t max_units, CqUnit* out, StoreResult* error) const {
  const int64_t max = max_.load(std::memory_order_acquire);
  if (queue_offset < min_offset() || queue_offset >= max || max_units == 0) return 0;
  const int64_t count = std::min<int64_t>(static_cast<int64_t>(max_units), max - queue_offset);
  size_t copied = 0;
  while (static_cast<int64_t>(copied) < count) {
    const int64_t pos = (queue_offset + static_cast<int64_t>(copied)) * kCqUnitSize;
    const std::shared_ptr<CqFile> f = FileFor(pos);
    if (!f) break;  // deleted by cleanup meanwhile
    uint8_t* data = nullptr;
    StoreResult r = f->Map(&data);
    if (!r.ok) {
      *error = r;
      break;
    }
    const int64_t in_file_units = (f->end() - pos) / kCqUnitSize;
    const int64_t n = std::min<int64_t>(in_file_units, count - static_cast<int64_t>(copied));
    const uint8_t* p = data + (pos - f->start());
    for (int64_t i = 0; i < n; ++i) out[copied++] = DecodeCqUnit(p + i * kCqUnitSize);
  }
  return copied;
}

int64_t ConsumeQueue::OffsetByTime(int64_t timestamp,
                                   const std::function<int64_t(int64_t, int32_t)>& store_time_of) const {
  int64_t lo = min_offset();
  int64_t hi = max_offset();
  // First unit stored at or after `timestamp`; fillers and records already deleted count as older.
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    CqUnit u;
    int64_t t = -1;
    if (ReadUnit(mid, &u) && !IsBlankUnit(u) && IsValidUnit(u)) t = store_time_of(u.commit_log_offset, u.size);
    if (t >= 0 && t >= timestamp) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

StoreResult ConsumeQueue::Flush(int least_pages, bool* flushed) {
  *flushed = false;
  const int64_t write = max_offset() * kCqUnitSize;
  const int64_t from = flushed_bytes_.load(std::memory_order_relaxed);
  if (write <= from) return StoreResult::Ok();
  const int64_t page = PageSize();
  if (least_pages > 0 && write / page - from / page < least_pages) return StoreResult::Ok();
  for (const auto& f : Snapshot()) {
    if (f->end() <= from || f->start() >= write) continue;
    uint8_t* data = f->mapped();
    if (!data) continue;  // never mapped by this process: nothing of ours is dirty in it
    StoreResult r = SyncRange(data, f->path(), std::max(from, f->start()) - f->start(),
                              std::min(write, f->end()) - f->start());
    if (!r.ok) return r;
  }
  flushed_bytes_.store(write, std::memory_order_relaxed);
  *flushed = true;
  return StoreResult::Ok();
}

StoreResult ConsumeQueue::DeleteExpired(int64_t min_commit_log_offset, size_t* files_deleted) {
  *files_deleted = 0;
  StoreResult result;
  while (true) {
    std::shared_ptr<CqFile> oldest;
    {
      std::shared_lock<std::shared_mutex> lock(files_mu_);
      if (files_.size() < 2) break;  // never the newest file
      oldest = files_.front();
    }
    uint8_t* data = nullptr;
    StoreResult r = oldest->Map(&data);
    if (!r.ok) return r;
    // A file that is not the newest is full; its last unit has the highest offset in it.
    const CqUnit last = DecodeCqUnit(data + file_size_ - kCqUnitSize);
    if (last.commit_log_offset >= min_commit_log_offset) break;
    // Readers check the min offset first: raise it past the file before the file goes away.
    if (min_offset() < oldest->end() / kCqUnitSize) min_.store(oldest->end() / kCqUnitSize, std::memory_order_release);
    {
      std::unique_lock<std::shared_mutex> lock(files_mu_);
      if (files_.empty() || files_.front() != oldest) break;
      files_.erase(files_.begin());
    }
    r = UnlinkFile(oldest->path());
    if (!r.ok && result.ok) result = r;
    ++*files_deleted;
  }
  // Advance the min offset past units whose records are gone (RocketMQ correctMinOffset).
  std::shared_ptr<CqFile> first;
  {
    std::shared_lock<std::shared_mutex> lock(files_mu_);
    if (files_.empty()) return result;
    first = files_.front();
  }
  int64_t min = std::max(min_offset(), first->start() / kCqUnitSize);
  const int64_t max = max_offset();
  CqUnit u;
  while (min < max && ReadUnit(min, &u) && (IsBlankUnit(u) || u.commit_log_offset < min_commit_log_offset)) ++min;
  if (min > min_offset()) min_.store(min, std::memory_order_release);
  return result;
}

StoreResult ConsumeQueue::Destroy() {
  std::unique_lock<std::shared_mutex> lock(files_mu_);
  deleted_ = true;
  StoreResult result = DropFilesFromLocked(0);
  StoreResult r = RemoveDir(dir_);
  return result.ok ? r : result;
}

}  // namespace cometmq
