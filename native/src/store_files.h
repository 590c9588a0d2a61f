// The store directory's small bookkeeping files: `lock` (flock, one opener per directory across
// threads and processes), `abort` (exists while a store is open; its presence at open means the
// previous run crashed), and validation that the directory holds only what a store creates.
// Thread affinity: the opening/closing thread.
#pragma once

#include <string>

#include "store_error.h"

namespace cometmq {

class StoreLock {
 public:
  ~StoreLock() { Release(); }
  // ERR_STORE_LOCKED when another handle or process holds it.
  StoreResult Acquire(const std::string& root);
  void Release();

 private:
  int fd_ = -1;
};

// Top-level entries other than the store's own are ERR_STORE_FOREIGN_FILE naming the entry.
StoreResult ValidateStoreRoot(const std::string& root);

// mkdir -p of one level (EEXIST as a directory is fine).
StoreResult EnsureDirectory(const std::string& path);

bool AbortMarkerExists(const std::string& root);
StoreResult CreateAbortMarker(const std::string& root);  // contains the PID
StoreResult RemoveAbortMarker(const std::string& root);
// fsync of a directory, so that a file created or removed in it survives a power cut.
StoreResult SyncDirectory(const std::string& dir);

}  // namespace cometmq
