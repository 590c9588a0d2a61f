#include "store_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace cometmq {

StoreResult ListDir(const std::string& dir, std::vector<DirEntry>* out) {
  out->clear();
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return StoreResult::Ok();
    return StoreResult::SysError(errno, "opendir", dir);
  }
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      const int err = errno;
      ::closedir(d);
      return StoreResult::SysError(err, "lstat", path);
    }
    DirEntry entry;
    entry.name = name;
    entry.is_dir = S_ISDIR(st.st_mode);
    entry.is_regular = S_ISREG(st.st_mode);
    entry.size = static_cast<int64_t>(st.st_size);
    out->push_back(std::move(entry));
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return StoreResult::SysError(err, "readdir", dir);
  std::sort(out->begin(), out->end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return StoreResult::Ok();
}

StoreResult MakeDirs(const std::string& dir) {
  if (dir.empty()) return StoreResult::Ok();
  size_t pos = 0;
  while (true) {
    pos = dir.find('/', pos + 1);
    const std::string prefix = pos == std::string::npos ? dir : dir.substr(0, pos);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return StoreResult::SysError(errno, "mkdir", prefix);
    }
    if (pos == std::string::npos) break;
  }
  return StoreResult::Ok();
}

StoreResult RemoveDir(const std::string& dir) {
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) return StoreResult::SysError(errno, "rmdir", dir);
  return StoreResult::Ok();
}

StoreResult UnlinkFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return StoreResult::SysError(errno, "unlink", path);
  return StoreResult::Ok();
}

std::string OffsetFileName(int64_t offset) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(offset));
  return buf;
}

bool ParseOffsetFileName(const std::string& name, int64_t* offset) {
  if (name.size() != 20) return false;
  uint64_t v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    const uint64_t next = v * 10 + static_cast<uint64_t>(c - '0');
    if (next / 10 != v || next > static_cast<uint64_t>(INT64_MAX)) return false;
    v = next;
  }
  *offset = static_cast<int64_t>(v);
  return true;
}

StoreResult AllocateRange(int fd, const std::string& path, int64_t from, int64_t to) {
  if (to <= from) return StoreResult::Ok();
  if (::fallocate(fd, 0, from, to - from) == 0) return StoreResult::Ok();
  if (errno != EOPNOTSUPP) return StoreResult::SysError(errno, "fallocate", path);
  // No fallocate on this file system: writing zeros allocates the blocks just as well.
  static const char kZeros[4096] = {};
  for (int64_t pos = from; pos < to;) {
    const size_t n = static_cast<size_t>(std::min<int64_t>(sizeof kZeros, to - pos));
    const ssize_t w = ::pwrite(fd, kZeros, n, pos);
    if (w < 0) {
      if (errno == EINTR) continue;
      return StoreResult::SysError(errno, "pwrite", path);
    }
    pos += w;
  }
  return StoreResult::Ok();
}

StoreResult CreateFixedSizeFile(const std::string& path, int64_t size, bool allocate, int* fd_out) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return StoreResult::SysError(errno, "open", path);
  StoreResult r;
  if (::ftruncate(fd, size) != 0) r = StoreResult::SysError(errno, "ftruncate", path);
  if (r.ok && allocate) r = AllocateRange(fd, path, 0, size);
  if (!r.ok) {
    ::close(fd);
    ::unlink(path.c_str());
    return r;
  }
  *fd_out = fd;
  return StoreResult::Ok();
}

StoreResult MapShared(int fd, const std::string& path, int64_t size, uint8_t** data) {
  void* p = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return StoreResult::SysError(errno, "mmap", path);
  // No fault read-ahead: a fault at the write position of a sparse file would otherwise read ahead
  // (zero-fill) up to megabytes of holes into the page cache, per queue. Units and slots are small
  // and accessed at scattered positions, so read-ahead buys little here.
  ::madvise(p, static_cast<size_t>(size), MADV_RANDOM);
  *data = static_cast<uint8_t*>(p);
  return StoreResult::Ok();
}

StoreResult MapExisting(const std::string& path, int64_t size, uint8_t** data) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return StoreResult::SysError(errno, "open", path);
  StoreResult r = MapShared(fd, path, size, data);
  ::close(fd);  // the mapping keeps the file referenced
  return r;
}

StoreResult SyncRange(uint8_t* base, const std::string& path, int64_t from, int64_t to) {
  if (to <= from) return StoreResult::Ok();
  const int64_t page = PageSize();
  const int64_t start = from / page * page;
  if (::msync(base + start, static_cast<size_t>(to - start), MS_SYNC) != 0) {
    return StoreResult::SysError(errno, "msync", path);
  }
  return StoreResult::Ok();
}

int64_t PageSize() {
  static const int64_t page = ::sysconf(_SC_PAGESIZE);
  return page;
}

bool AllZeros(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[65536];
  bool zeros = true;
  ssize_t n;
  while (zeros && (n = ::read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n && zeros; ++i) zeros = buf[i] == 0;
  }
  ::close(fd);
  return zeros && n == 0;
}

}  // namespace cometmq
