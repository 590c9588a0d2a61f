#include "allocate_service.h"

#include <algorithm>

#include <sched.h>

#include "store_log.h"
#include "thread_name.h"

namespace cometmq {

namespace {
constexpr int64_t kWarmChunkBytes = 4 << 20;
// Prefetch works in pieces this size (well under a millisecond of zero-filling here), yielding in
// between, so a newer request is seen soon and the latency-sensitive threads go first.
constexpr int64_t kPrefetchChunkBytes = 256 << 10;
// When the appends have caught up with the prefetch, it resumes this far ahead of them: populating
// pages they are writing only contends with their own faults for the same page locks (measured: 4
// KiB bodies in batches of 256, ~700 MB/s, ran 25% slower).
constexpr int64_t kPrefetchLeadBytes = 1 << 20;
}

void AllocateService::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    NameThisThread("cometmq-alloc");
    Run();
  });
}

void AllocateService::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [offset, file] : ready_) file->Destroy();
  ready_.clear();
}

StoreResult AllocateService::Take(int64_t offset, std::shared_ptr<MappedFile>* out) {
  std::unique_lock<std::mutex> lock(mu_);
  // Only creation is waited for (fallocate + mmap); warming continues alongside the appends.
  cv_.wait(lock, [&] { return in_progress_ != offset; });
  highest_taken_ = std::max(highest_taken_, offset);
  if (requested_ <= highest_taken_) requested_ = -1;
  auto it = ready_.find(offset);
  if (it != ready_.end()) {
    *out = std::move(it->second);
    ready_.erase(it);
    return StoreResult::Ok();
  }
  in_progress_ = offset;
  lock.unlock();
  std::unique_ptr<MappedFile> file;
  StoreResult r = MappedFile::Create(dir_, offset, file_size_, &file);
  if (r) {
    file->Advise(options_);
    *out = std::move(file);
  }
  lock.lock();
  in_progress_ = -1;
  cv_.notify_all();
  return r;
}

void AllocateService::GiveBack(std::shared_ptr<MappedFile> file) {
  std::lock_guard<std::mutex> lock(mu_);
  ready_[file->file_from_offset()] = std::move(file);
}

void AllocateService::RequestAhead(int64_t offset) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (offset <= highest_taken_ || ready_.count(offset) || in_progress_ == offset || requested_ == offset) return;
    requested_ = offset;
  }
  cv_.notify_all();
}

void AllocateService::PrefetchPages(std::shared_ptr<MappedFile> file, int64_t from, int64_t to) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    PendingPrefetch& pending = ahead_of_appends_;
    if (pending.file == file && from <= pending.to) {
      // The worker is behind: keep what it has not done yet, and go on from there.
      pending.to = std::max(pending.to, to);
    } else {
      pending = PendingPrefetch{std::move(file), from, to};
    }
  }
  cv_.notify_all();
}

void AllocateService::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] {
      return stop_ || ahead_of_appends_.file || segment_head_.file || (requested_ >= 0 && in_progress_ < 0);
    });
    if (stop_) return;
    // The pages the appends are about to reach come first: a segment is needed only every GiB.
    if (ahead_of_appends_.file) {
      PrefetchChunk(ahead_of_appends_, lock);
    } else if (requested_ >= 0 && in_progress_ < 0) {
      CreateAhead(lock);
    } else {
      PrefetchChunk(segment_head_, lock);
    }
  }
}

// One chunk; the rest stays pending (unless a newer request replaced it meanwhile).
void AllocateService::PrefetchChunk(PendingPrefetch& pending, std::unique_lock<std::mutex>& lock) {
  std::shared_ptr<MappedFile> file = pending.file;
  if (append_position_ != nullptr) {
    const int64_t appended = append_position_->load(std::memory_order_relaxed) - file->file_from_offset();
    if (appended + kPrefetchLeadBytes > pending.from) pending.from = appended + kPrefetchLeadBytes;
    if (pending.from >= pending.to) {
      pending.file.reset();
      return;
    }
  }
  const int64_t from = pending.from;
  const int64_t to = std::min(pending.to, from + kPrefetchChunkBytes);
  if (to >= pending.to) {
    pending.file.reset();
  } else {
    pending.from = to;
  }
  lock.unlock();
  file->Prefetch(from, to);
  file.reset();
  sched_yield();
  lock.lock();
}

void AllocateService::CreateAhead(std::unique_lock<std::mutex>& lock) {
  const int64_t offset = requested_;
  requested_ = -1;
  if (offset <= highest_taken_ || ready_.count(offset)) return;
  in_progress_ = offset;
  lock.unlock();
  std::unique_ptr<MappedFile> created;
  StoreResult r = MappedFile::Create(dir_, offset, file_size_, &created);
  std::shared_ptr<MappedFile> file = std::move(created);
  if (r) file->Advise(options_);
  lock.lock();
  in_progress_ = -1;
  if (!r) {
    if (!failed_logged_) {
      // Not fatal: the append path retries synchronously and reports the error itself.
      StoreLog("pre-allocating %s failed: %s", r.path.c_str(), r.message.c_str());
      failed_logged_ = true;
    }
    cv_.notify_all();
    return;
  }
  failed_logged_ = false;
  ready_[offset] = file;
  cv_.notify_all();
  if (options_.pre_fault == PreFault::kNone) {
    // The first appends into it find their pages ready; PrefetchPages() takes over from there.
    if (options_.prefetch_window > 0) segment_head_ = PendingPrefetch{file, 0, std::min(file->size(), options_.prefetch_window)};
    return;
  }
  // Warm it in chunks, without the lock: the append path may take it (and write into it) meanwhile.
  const int64_t chunk = options_.flush_every_pages_when_warming > 0 ? options_.flush_every_pages_when_warming * 4096
                                                                    : kWarmChunkBytes;
  lock.unlock();
  for (int64_t pos = 0; pos < file->size(); pos += chunk) {
    if (stop_requested()) break;
    file->Warm(pos, std::min(file->size(), pos + chunk), options_);
  }
  file->Lock(options_);
  file.reset();
  lock.lock();
}

}  // namespace cometmq
