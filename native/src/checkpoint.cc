#include "checkpoint.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "byte_order.h"

namespace cometmq {

StoreResult Checkpoint::Open(const std::string& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return StoreResult::SysError(errno, "open", path);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return StoreResult::SysError(errno, "fstat", path);
  if (st.st_size != kFileSize) {
    if (st.st_size != 0) {
      return StoreResult::Error("ERR_STORE_FOREIGN_FILE",
                                "checkpoint file " + path + " has size " + std::to_string(st.st_size) + ", expected 4096",
                                path);
    }
    const int err = ::posix_fallocate(fd_, 0, kFileSize);
    if (err != 0) return StoreResult::SysError(err, "fallocate", path);
  }
  void* p = ::mmap(nullptr, kFileSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED) return StoreResult::SysError(errno, "mmap", path);
  data_ = static_cast<uint8_t*>(p);
  return StoreResult::Ok();
}

StoreResult Checkpoint::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!data_) return StoreResult::Ok();
  if (::msync(data_, kFileSize, MS_SYNC) != 0) return StoreResult::SysError(errno, "msync", path_);
  return StoreResult::Ok();
}

void Checkpoint::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (data_) ::munmap(data_, kFileSize);
  data_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Checkpoint::~Checkpoint() { Close(); }

int64_t Checkpoint::Get(int offset) const {
  std::lock_guard<std::mutex> lock(mu_);
  return data_ ? LoadI64BE(data_ + offset) : 0;
}

void Checkpoint::Set(int offset, int64_t value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (data_) StoreI64BE(data_ + offset, value);
}

int64_t Checkpoint::MinTimestamp() const {
  const int64_t min = std::min(physic_msg_timestamp(), logics_msg_timestamp()) - kRecoverySafetyMarginMs;
  return std::max<int64_t>(min, 0);
}

}  // namespace cometmq
