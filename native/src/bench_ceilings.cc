#include "bench_ceilings.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace cometmq {

namespace {
int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

StoreResult MemcpyIntoMmapNanos(const std::string& path, int64_t total_bytes, int64_t chunk_bytes, bool pre_touch,
                                int64_t* nanos) {
  if (total_bytes <= 0 || chunk_bytes <= 0) return StoreResult::Error("EINVAL", "sizes must be positive", path);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return StoreResult::SysError(errno, "open", path);
  StoreResult result = StoreResult::Ok();
  const int err = ::posix_fallocate(fd, 0, total_bytes);
  void* p = MAP_FAILED;
  if (err != 0) {
    result = StoreResult::SysError(err, "fallocate", path);
  } else {
    p = ::mmap(nullptr, static_cast<size_t>(total_bytes), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) result = StoreResult::SysError(errno, "mmap", path);
  }
  if (result) {
    auto* dst = static_cast<uint8_t*>(p);
    if (pre_touch) {
      for (int64_t pos = 0; pos < total_bytes; pos += 4096) dst[pos] = 0;
    }
    std::vector<uint8_t> chunk(static_cast<size_t>(chunk_bytes), 0x5A);
    const int64_t begin = NowNanos();
    for (int64_t pos = 0; pos < total_bytes; pos += chunk_bytes) {
      std::memcpy(dst + pos, chunk.data(), static_cast<size_t>(std::min(chunk_bytes, total_bytes - pos)));
    }
    *nanos = NowNanos() - begin;
    ::munmap(p, static_cast<size_t>(total_bytes));
  }
  ::close(fd);
  ::unlink(path.c_str());
  return result;
}

StoreResult WriteWithFdatasyncNanos(const std::string& path, int64_t total_bytes, int64_t chunk_bytes,
                                    int64_t bytes_per_sync, std::vector<double>* latencies) {
  if (total_bytes <= 0 || chunk_bytes <= 0 || bytes_per_sync <= 0) {
    return StoreResult::Error("EINVAL", "sizes must be positive", path);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return StoreResult::SysError(errno, "open", path);
  StoreResult result = StoreResult::Ok();
  std::vector<uint8_t> chunk(static_cast<size_t>(chunk_bytes), 0x5A);
  int64_t pos = 0;
  while (pos < total_bytes && result) {
    const int64_t group_end = std::min(total_bytes, pos + bytes_per_sync);
    const int64_t begin = NowNanos();
    while (pos < group_end) {
      const size_t n = static_cast<size_t>(std::min(chunk_bytes, group_end - pos));
      const ssize_t w = ::write(fd, chunk.data(), n);
      if (w <= 0) {
        result = StoreResult::SysError(w < 0 ? errno : EIO, "write", path);
        break;
      }
      pos += w;
    }
    if (result && ::fdatasync(fd) != 0) result = StoreResult::SysError(errno, "fdatasync", path);
    if (result) latencies->push_back(static_cast<double>(NowNanos() - begin));
  }
  ::close(fd);
  ::unlink(path.c_str());
  return result;
}

}  // namespace cometmq
