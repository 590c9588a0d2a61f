#include "mapped_file_queue.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>

#include "store_fs.h"
#include "store_log.h"

namespace cometmq {

namespace {
bool IsSegmentName(const std::string& name) {
  return name.size() == 20 && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

StoreResult MappedFileQueue::Load() {
  DIR* d = ::opendir(dir_.c_str());
  if (!d) return StoreResult::SysError(errno, "opendir", dir_);
  struct Found {
    int64_t offset;
    std::string path;
    int64_t size;
    bool operator<(const Found& o) const { return offset < o.offset; }
  };
  std::vector<Found> found;
  StoreResult result = StoreResult::Ok();
  while (struct dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir_ + "/" + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      result = StoreResult::SysError(errno, "stat", path);
      break;
    }
    if (!IsSegmentName(name) || !S_ISREG(st.st_mode)) {
      result = StoreResult::Error("ERR_STORE_FOREIGN_FILE", "not a CommitLog segment: " + path, path);
      break;
    }
    // 20 digits can exceed int64: parse with an overflow check (no exceptions in the addon build).
    int64_t offset = 0;
    bool overflow = false;
    for (char c : name) overflow = overflow || __builtin_mul_overflow(offset, 10, &offset) ||
                                   __builtin_add_overflow(offset, c - '0', &offset);
    if (overflow || offset % file_size_ != 0) {
      result = StoreResult::Error("ERR_STORE_FOREIGN_FILE",
                                  "CommitLog segment name " + path + " is not a multiple of mappedFileSizeCommitLog " +
                                      std::to_string(file_size_),
                                  path);
      break;
    }
    found.push_back({offset, path, static_cast<int64_t>(st.st_size)});
  }
  ::closedir(d);
  if (!result) return result;
  std::sort(found.begin(), found.end());
  // A crash while pre-allocating (between creating the file and reserving its blocks) leaves a
  // short trailing segment of zeros: a torn tail without data, dropped here.
  while (!found.empty() && found.back().size != file_size_ && AllZeros(found.back().path)) {
    StoreLog("dropping %s: a short, zero-filled segment left by an interrupted pre-allocation",
             found.back().path.c_str());
    if (::unlink(found.back().path.c_str()) != 0) return StoreResult::SysError(errno, "unlink", found.back().path);
    found.pop_back();
  }
  for (const Found& f : found) {
    if (f.size != file_size_) {
      return StoreResult::Error("ERR_STORE_FOREIGN_FILE",
                                "CommitLog segment " + f.path + " does not match mappedFileSizeCommitLog " +
                                    std::to_string(file_size_) + " (size " + std::to_string(f.size) + ")",
                                f.path);
    }
  }
  for (size_t i = 1; i < found.size(); ++i) {
    if (found[i].offset != found[i - 1].offset + file_size_) {
      return StoreResult::Error("ERR_STORE_CORRUPT", "CommitLog segment missing before " + found[i].path,
                                found[i].path, found[i - 1].offset + file_size_);
    }
  }
  std::deque<std::shared_ptr<MappedFile>> files;
  for (const Found& f : found) {
    std::unique_ptr<MappedFile> mapped;
    StoreResult r = MappedFile::Open(f.path, f.offset, file_size_, &mapped);
    if (!r) return r;
    files.push_back(std::move(mapped));
  }
  std::lock_guard<std::mutex> lock(mu_);
  files_ = std::move(files);
  return StoreResult::Ok();
}

std::shared_ptr<MappedFile> MappedFileQueue::FindByOffset(int64_t offset) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.empty() || offset < files_.front()->file_from_offset()) return nullptr;
  const size_t index = static_cast<size_t>((offset - files_.front()->file_from_offset()) / file_size_);
  return index < files_.size() ? files_[index] : nullptr;
}

std::shared_ptr<MappedFile> MappedFileQueue::First() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.empty() ? nullptr : files_.front();
}

std::shared_ptr<MappedFile> MappedFileQueue::Last() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.empty() ? nullptr : files_.back();
}

std::vector<std::shared_ptr<MappedFile>> MappedFileQueue::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {files_.begin(), files_.end()};
}

size_t MappedFileQueue::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.size();
}

int64_t MappedFileQueue::MinOffset() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.empty() ? 0 : files_.front()->file_from_offset();
}

void MappedFileQueue::Append(std::shared_ptr<MappedFile> file) {
  std::lock_guard<std::mutex> lock(mu_);
  files_.push_back(std::move(file));
}

std::shared_ptr<MappedFile> MappedFileQueue::PopFirst() {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.empty()) return nullptr;
  auto f = files_.front();
  files_.pop_front();
  return f;
}

StoreResult MappedFileQueue::DestroyFrom(int64_t offset) {
  std::vector<std::shared_ptr<MappedFile>> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!files_.empty() && files_.back()->file_from_offset() >= offset) {
      doomed.push_back(files_.back());
      files_.pop_back();
    }
  }
  for (auto& f : doomed) {
    StoreResult r = f->Destroy();
    if (!r) return r;
  }
  return StoreResult::Ok();
}

}  // namespace cometmq
