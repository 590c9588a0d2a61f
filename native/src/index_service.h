// The message-key index: IndexFiles under <storePathRootDir>/index/<yyyyMMddHHmmssSSS>, each in
// RocketMQ's layout (all big-endian):
//   header, 40 bytes: beginTimestamp(8) endTimestamp(8) beginPhyOffset(8) endPhyOffset(8)
//                     hashSlotCount(4) indexCount(4, starts at 1: entry 0 is never used)
//   slots: maxHashSlotNum x 4 bytes, the number of the newest entry that hashed there (0 = empty)
//   entries: maxIndexNum x 20 bytes: keyHash(4, abs(Java hashCode of "topic#key"))
//            phyOffset(8) timeDiff(4, seconds since beginTimestamp) prevIndex(4)
// File size = 40 + 4*maxHashSlotNum + 20*maxIndexNum (420,000,040 bytes by default). A full file
// is followed by a new one named by the current time.
//
// Thread affinity: BuildIndex on the dispatcher thread; Flush/DeleteExpired on the flush/cleanup
// threads; QueryOffsets on the main thread concurrently with them.
//
// Implementation: native/src/index_service.cc (+ index_file.h/.cc for one file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch_request.h"
#include "store_error.h"

namespace cometmq {

struct IndexOptions {
  std::string dir;  // <storePathRootDir>/index
  int32_t max_hash_slot_num = 5000000;
  int32_t max_index_num = 5000000 * 4;
  bool enabled = true;  // messageIndexEnable
};

class IndexService {
 public:
  explicit IndexService(IndexOptions options);
  ~IndexService();
  IndexService(const IndexService&) = delete;
  IndexService& operator=(const IndexService&) = delete;

  // Loads existing files (wrong-sized or misnamed files are ERR_STORE_FOREIGN_FILE). After an
  // unclean exit, files whose endTimestamp is later than checkpoint_index_timestamp are deleted:
  // they may be partly written, and re-dispatch rebuilds them.
  StoreResult Load(bool last_exit_ok, int64_t checkpoint_index_timestamp);

  // Indexes the UNIQ_KEY and every space-separated KEYS token of the record as "topic#key".
  // ROLLBACK transaction records are skipped; records at or below the last indexed physical offset
  // are skipped (idempotent re-dispatch). I/O failures return an errno StoreResult, nothing
  // changed; the caller retries later.
  StoreResult BuildIndex(const DispatchRequest& req);

  // Physical offsets of entries whose key hash matches "topic#key" and whose time lies in
  // [begin, end] (ms), newest first, at most max_num. Callers compare the real key: hashes collide.
  std::vector<int64_t> QueryOffsets(std::string_view topic, std::string_view key, size_t max_num,
                                    int64_t begin, int64_t end) const;

  int64_t last_update_timestamp() const;  // endTimestamp of the newest file (0 when none)
  int64_t last_update_phy_offset() const;  // endPhyOffset of the newest file (0 when none)
  size_t file_count() const;

  // Flushes dirty files; returns the endTimestamp now durable (for checkpoint indexMsgTimestamp).
  int64_t Flush();

  // Deletes files whose endPhyOffset is below min_commit_log_offset (never the newest file).
  size_t DeleteExpired(int64_t min_commit_log_offset);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cometmq
