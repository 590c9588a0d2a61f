#include "store_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace cometmq {

StoreResult StoreLock::Acquire(const std::string& root) {
  const std::string path = root + "/lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return StoreResult::SysError(errno, "open", path);
  // flock locks belong to the open file description, so a second open in this process fails too.
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK) {
      return StoreResult::Error("ERR_STORE_LOCKED", "store " + root + " is already open (lock file " + path + " is held)",
                                path);
    }
    return StoreResult::SysError(err, "flock", path);
  }
  return StoreResult::Ok();
}

void StoreLock::Release() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
    fd_ = -1;
  }
}

StoreResult ValidateStoreRoot(const std::string& root) {
  static const char* const kDirectories[] = {"commitlog", "consumequeue", "consumequeue_ext", "index", "config",
                                             "timerlog"};
  static const char* const kFiles[] = {"checkpoint", "abort", "lock", "timerwheel", "timercheck"};
  DIR* d = ::opendir(root.c_str());
  if (!d) return StoreResult::SysError(errno, "opendir", root);
  StoreResult result = StoreResult::Ok();
  while (struct dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = root + "/" + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      result = StoreResult::SysError(errno, "stat", path);
      break;
    }
    bool known = name.rfind("transientStore", 0) == 0;
    for (const char* dir : kDirectories) known = known || (name == dir && S_ISDIR(st.st_mode));
    for (const char* file : kFiles) known = known || (name == file && S_ISREG(st.st_mode));
    if (!known) {
      result = StoreResult::Error("ERR_STORE_FOREIGN_FILE", "unexpected entry in the store directory: " + path, path);
      break;
    }
    if (S_ISREG(st.st_mode) && ::access(path.c_str(), R_OK | W_OK) != 0) {
      result = StoreResult::SysError(errno, "access", path);
      break;
    }
  }
  ::closedir(d);
  return result;
}

StoreResult EnsureDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0) return StoreResult::Ok();
  const int err = errno;
  struct stat st {};
  if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return StoreResult::Ok();
  if (err == EEXIST) return StoreResult::Error("ERR_STORE_FOREIGN_FILE", path + " exists and is not a directory", path);
  return StoreResult::SysError(err, "mkdir", path);
}

bool AbortMarkerExists(const std::string& root) { return ::access((root + "/abort").c_str(), F_OK) == 0; }

StoreResult CreateAbortMarker(const std::string& root) {
  const std::string path = root + "/abort";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return StoreResult::SysError(errno, "open", path);
  const std::string pid = std::to_string(::getpid());
  const ssize_t n = ::write(fd, pid.data(), pid.size());
  int err = errno;
  // The marker must be durable before the first append: a power cut that lost it would make the
  // next open trust a log whose tail was never flushed (no CRC walk past the checkpoint).
  const bool synced = n == static_cast<ssize_t>(pid.size()) && ::fsync(fd) == 0;
  if (!synced && n == static_cast<ssize_t>(pid.size())) err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(pid.size())) return StoreResult::SysError(n < 0 ? err : EIO, "write", path);
  if (!synced) return StoreResult::SysError(err, "fsync", path);
  return SyncDirectory(root);
}

StoreResult SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return StoreResult::SysError(errno, "open", dir);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return StoreResult::SysError(err, "fsync", dir);
  return StoreResult::Ok();
}

StoreResult RemoveAbortMarker(const std::string& root) {
  const std::string path = root + "/abort";
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return StoreResult::SysError(errno, "unlink", path);
  return StoreResult::Ok();
}

}  // namespace cometmq
