#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "store_files.h"
#include "store_log.h"

namespace cometmq {

namespace {
constexpr int64_t kPageSize = 4096;
std::atomic<bool> mlock_failure_logged{false};
}  // namespace

std::string MappedFile::FileName(int64_t offset) {
  char name[32];
  std::snprintf(name, sizeof name, "%020" PRId64, offset);
  return name;
}

StoreResult MappedFile::MapFd(int fd, const std::string& path, int64_t file_from_offset, int64_t size,
                              std::unique_ptr<MappedFile>* out) {
  void* p = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    StoreResult r = StoreResult::SysError(errno, "mmap", path);
    ::close(fd);
    return r;
  }
  std::unique_ptr<MappedFile> f(new MappedFile());
  f->path_ = path;
  f->fd_ = fd;
  f->data_ = static_cast<uint8_t*>(p);
  f->file_from_offset_ = file_from_offset;
  f->size_ = size;
  *out = std::move(f);
  return StoreResult::Ok();
}

StoreResult MappedFile::Create(const std::string& dir, int64_t file_from_offset, int64_t size,
                               std::unique_ptr<MappedFile>* out) {
  const std::string path = dir + "/" + FileName(file_from_offset);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return StoreResult::SysError(errno, "open", path);
  // Reserve every block now: a store through the mapping into a hole on a full disk is a SIGBUS.
  const int err = ::posix_fallocate(fd, 0, size);
  if (err != 0) {
    ::close(fd);
    ::unlink(path.c_str());
    return StoreResult::SysError(err, "fallocate", path);
  }
  // The new name must survive a power cut too: a SYNC_FLUSH fdatasync of the file acknowledges
  // data but does not cover its directory entry.
  StoreResult r = SyncDirectory(dir);
  if (!r) {
    ::close(fd);
    ::unlink(path.c_str());
    return r;
  }
  r = MapFd(fd, path, file_from_offset, size, out);
  if (!r) ::unlink(path.c_str());
  return r;
}

StoreResult MappedFile::Open(const std::string& path, int64_t file_from_offset, int64_t size,
                             std::unique_ptr<MappedFile>* out) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return StoreResult::SysError(errno, "open", path);
  return MapFd(fd, path, file_from_offset, size, out);
}

void MappedFile::Advise(const MappedFileOptions& options) {
  // No MADV_WILLNEED on a fresh segment: it would make the kernel read (zero-fill) the whole file
  // at once, competing with the chunked warm-up; read-ahead only matters for reading old data.
  if (!options.read_ahead) ::madvise(data_, static_cast<size_t>(size_), MADV_RANDOM);
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

void MappedFile::Warm(int64_t from, int64_t to, const MappedFileOptions& options) {
  if (options.pre_fault == PreFault::kNone) return;
  from &= ~(kPageSize - 1);
  if (to <= from) return;
  const int advice = options.pre_fault == PreFault::kWrite ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
  if (::madvise(data_ + from, static_cast<size_t>(to - from), advice) != 0) {
    // Older kernel: a read per page at least brings the (zeroed) page into the page cache; the
    // append path then takes only a cheap write-protect fault. Never a store: appends may be there.
    volatile const uint8_t* p = data_;
    uint8_t sink = 0;
    for (int64_t pos = from; pos < to; pos += kPageSize) sink ^= p[pos];
    (void)sink;
  }
  // warmMapedFileEnable under SYNC_FLUSH: write the warmed zeros out as we go, so they do not pile
  // up as one huge dirty burst (RocketMQ flushLeastPagesWhenWarmMapedFile). Read pre-faulting
  // leaves nothing dirty.
  if (options.flush_every_pages_when_warming > 0 && options.pre_fault == PreFault::kWrite) {
    ::msync(data_ + from, static_cast<size_t>(to - from), MS_SYNC);
  }
}

void MappedFile::Prefetch(int64_t from, int64_t to) {
  from &= ~(kPageSize - 1);
  if (to <= from) return;
  ::posix_fadvise(fd_, from, to - from, POSIX_FADV_WILLNEED);
  ::madvise(data_ + from, static_cast<size_t>(to - from), MADV_POPULATE_WRITE);
}

void MappedFile::Lock(const MappedFileOptions& options) {
  if (!options.mlock || locked_) return;
  if (::mlock(data_, static_cast<size_t>(size_)) == 0) {
    locked_ = true;
  } else if (!mlock_failure_logged.exchange(true)) {
    struct rlimit rl {};
    ::getrlimit(RLIMIT_MEMLOCK, &rl);
    StoreLog("mlock of %s failed (%s, RLIMIT_MEMLOCK %llu bytes); continuing without it", path_.c_str(),
             std::strerror(errno), static_cast<unsigned long long>(rl.rlim_cur));
  }
}

void MappedFile::CommitRange(int64_t from, int64_t to) {
  if (write_buffer_ && to > from) std::memcpy(data_ + from, write_buffer_ + from, static_cast<size_t>(to - from));
}

StoreResult MappedFile::WriteAt(const struct iovec* iov, int count, int64_t pos) {
  // Short writes are legal (signals, large requests): advance through the vector until done.
  struct iovec rest[4];
  if (count < 1 || count > 4) return StoreResult::Error("EINVAL", "WriteAt takes 1 to 4 pieces", path_);
  std::memcpy(rest, iov, sizeof(struct iovec) * static_cast<size_t>(count));
  struct iovec* next = rest;
  int left = count;
  while (left > 0) {
    if (next->iov_len == 0) {
      ++next;
      --left;
      continue;
    }
    const ssize_t n = ::pwritev(fd_, next, left, pos);
    if (n < 0) {
      if (errno == EINTR) continue;
      return StoreResult::SysError(errno, "pwrite", path_);
    }
    if (n == 0) return StoreResult::Error("EIO", "pwrite wrote nothing", path_);
    pos += n;
    size_t done = static_cast<size_t>(n);
    while (left > 0 && done >= next->iov_len) {
      done -= next->iov_len;
      ++next;
      --left;
    }
    if (left > 0) {
      next->iov_base = static_cast<uint8_t*>(next->iov_base) + done;
      next->iov_len -= done;
    }
  }
  return StoreResult::Ok();
}

StoreResult MappedFile::FlushRange(int64_t from, int64_t to) {
  if (to <= from) return StoreResult::Ok();
  const int64_t start = from & ~(kPageSize - 1);
  if (::msync(data_ + start, static_cast<size_t>(to - start), MS_SYNC) != 0) {
    return StoreResult::SysError(errno, "msync", path_);
  }
  return StoreResult::Ok();
}

StoreResult MappedFile::SyncData() {
  if (::fdatasync(fd_) != 0) return StoreResult::SysError(errno, "fdatasync", path_);
  return StoreResult::Ok();
}

StoreResult MappedFile::ZeroFrom(int64_t from) {
  if (from >= size_) return StoreResult::Ok();
  std::memset(data_ + from, 0, static_cast<size_t>(size_ - from));
  return FlushRange(from, size_);
}

StoreResult MappedFile::Destroy() {
  // Only the name goes now; the mapping lives until the last holder (a reader, the flusher)
  // drops its shared_ptr, then the destructor unmaps it.
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) return StoreResult::SysError(errno, "unlink", path_);
  return StoreResult::Ok();
}

int64_t MappedFile::LastModifiedMs() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

MappedFile::~MappedFile() {
  if (data_) {
    if (locked_) ::munlock(data_, static_cast<size_t>(size_));
    ::munmap(data_, static_cast<size_t>(size_));
  }
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace cometmq
