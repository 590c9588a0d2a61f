// StoreCheckpoint: the 4 KiB `checkpoint` file, big-endian fields at fixed offsets:
//   physicMsgTimestamp@0  logicsMsgTimestamp@8  indexMsgTimestamp@16  masterFlushedOffset@24
//   confirmPhyOffset@32
// Each timestamp is the store time of the last record made durable in that structure; recovery
// after a crash starts from min(physic, logics) - 3 s. confirmPhyOffset holds the CommitLog's
// flushed position as of the last checkpoint flush (recovery: below it, damage is corruption).
// Thread affinity: setters from the flush threads, Flush from either (internal lock), reads at open.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "store_error.h"

namespace cometmq {

class Checkpoint {
 public:
  static constexpr int64_t kFileSize = 4096;
  static constexpr int64_t kRecoverySafetyMarginMs = 3000;

  ~Checkpoint();
  StoreResult Open(const std::string& path);  // creates a zeroed file when missing
  StoreResult Flush();
  void Close();

  int64_t physic_msg_timestamp() const { return Get(0); }
  int64_t logics_msg_timestamp() const { return Get(8); }
  int64_t index_msg_timestamp() const { return Get(16); }
  int64_t master_flushed_offset() const { return Get(24); }
  int64_t confirm_phy_offset() const { return Get(32); }
  void set_physic_msg_timestamp(int64_t v) { Set(0, v); }
  void set_logics_msg_timestamp(int64_t v) { Set(8, v); }
  void set_index_msg_timestamp(int64_t v) { Set(16, v); }
  void set_master_flushed_offset(int64_t v) { Set(24, v); }
  void set_confirm_phy_offset(int64_t v) { Set(32, v); }

  // RocketMQ getMinTimestamp(): min(physic, logics) - 3 s, never negative.
  int64_t MinTimestamp() const;

 private:
  int64_t Get(int offset) const;
  void Set(int offset, int64_t value);

  std::string path_;
  int fd_ = -1;
  uint8_t* data_ = nullptr;
  mutable std::mutex mu_;
};

}  // namespace cometmq
