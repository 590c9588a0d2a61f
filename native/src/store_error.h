// The one error currency of the napi-free core. The glue turns a failed StoreResult into a JS Error
// whose `code` is `code` (permanent: ERR_STORE_* or an errno name such as ENOSPC), with `path`,
// `syscall` and, for corruption, `offset`. Expected outcomes are statuses, never StoreResults.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace cometmq {

struct StoreResult {
  bool ok = true;
  std::string code;     // ERR_STORE_LOCKED, ERR_STORE_CORRUPT, ERR_STORE_FOREIGN_FILE, ENOSPC, ...
  std::string message;  // human readable, names the file
  std::string path;     // file concerned, if any
  std::string syscall;  // failing system call, for errno errors
  int64_t offset = -1;  // byte offset concerned (corruption), -1 if none
  int err_no = 0;

  static StoreResult Ok() { return {}; }

  static StoreResult Error(std::string code, std::string message, std::string path = {}, int64_t offset = -1) {
    StoreResult r;
    r.ok = false;
    r.code = std::move(code);
    r.message = std::move(message);
    r.path = std::move(path);
    r.offset = offset;
    return r;
  }

  // From errno after a failed system call, e.g. SysError(errno, "fallocate", path).
  static StoreResult SysError(int err, std::string syscall, std::string path);

  explicit operator bool() const { return ok; }
};

const char* ErrnoName(int err);

inline StoreResult StoreResult::SysError(int err, std::string syscall, std::string path) {
  StoreResult r;
  r.ok = false;
  r.err_no = err;
  r.code = ErrnoName(err);
  r.message = syscall + " failed on " + path + ": " + std::strerror(err);
  r.path = std::move(path);
  r.syscall = std::move(syscall);
  return r;
}

inline const char* ErrnoName(int err) {
  switch (err) {
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case EIO: return "EIO";
    case EROFS: return "EROFS";
    case ENOMEM: return "ENOMEM";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EISDIR: return "EISDIR";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case EBUSY: return "EBUSY";
    case EFBIG: return "EFBIG";
    default: return "EUNKNOWN";
  }
}

}  // namespace cometmq
