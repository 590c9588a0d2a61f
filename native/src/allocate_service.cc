#include "allocate_service.h"

#include <algorithm>

#include "store_log.h"

namespace cometmq {

void AllocateService::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
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
    MappedFileOptions sync_options = options_;
    sync_options.pre_touch = false;
    sync_options.flush_every_pages_when_warming = 0;
    file->Prepare(sync_options);
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

void AllocateService::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || (requested_ >= 0 && in_progress_ < 0); });
    if (stop_) return;
    const int64_t offset = requested_;
    requested_ = -1;
    if (offset <= highest_taken_ || ready_.count(offset)) continue;
    in_progress_ = offset;
    lock.unlock();
    std::unique_ptr<MappedFile> file;
    StoreResult r = MappedFile::Create(dir_, offset, file_size_, &file);
    if (r) file->Prepare(options_);
    lock.lock();
    in_progress_ = -1;
    if (r) {
      ready_[offset] = std::move(file);
      failed_logged_ = false;
    } else if (!failed_logged_) {
      // Not fatal: the append path retries synchronously and reports the error itself.
      StoreLog("pre-allocating %s failed: %s", r.path.c_str(), r.message.c_str());
      failed_logged_ = true;
    }
    cv_.notify_all();
  }
}

}  // namespace cometmq
