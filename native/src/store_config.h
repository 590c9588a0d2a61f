// The store's tunables, named exactly as RocketMQ's MessageStoreConfig fields. JS passes them as a
// Float64Array indexed by `constants.configSlots` (this list, in order); TS maps them by name.
// Numbers are ms, bytes, counts, percents or 0/1 booleans; flushDiskType 0 = ASYNC_FLUSH, 1 = SYNC_FLUSH.
// Members keep RocketMQ's camelCase names on purpose, so grep finds both sides.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cometmq {

// X(name, default)
#define COMETMQ_CONFIG_SLOTS(X)                    \
  X(mappedFileSizeCommitLog, 1073741824.0)         \
  X(mappedFileSizeConsumeQueue, 6000000.0)         \
  X(maxMessageSize, 4194304.0)                     \
  X(flushDiskType, 0.0)                            \
  X(flushIntervalCommitLog, 500.0)                 \
  X(flushCommitLogLeastPages, 4.0)                 \
  X(flushCommitLogThoroughInterval, 10000.0)       \
  X(transientStorePoolEnable, 0.0)                 \
  X(transientStorePoolSize, 5.0)                   \
  X(commitIntervalCommitLog, 200.0)                \
  X(commitCommitLogLeastPages, 4.0)                \
  X(commitCommitLogThoroughInterval, 200.0)        \
  X(warmMapedFileEnable, 0.0)                      \
  X(flushLeastPagesWhenWarmMapedFile, 4096.0)      \
  X(mlockMappedFileEnable, 0.0)                    \
  X(dataReadAheadEnable, 1.0)                      \
  X(flushIntervalConsumeQueue, 1000.0)             \
  X(flushConsumeQueueLeastPages, 2.0)              \
  X(flushConsumeQueueThoroughInterval, 60000.0)    \
  X(messageIndexEnable, 1.0)                       \
  X(maxHashSlotNum, 5000000.0)                     \
  X(maxIndexNum, 20000000.0)                       \
  X(checkCRCOnRecover, 1.0)                        \
  X(accessMessageInMemoryMaxRatio, 40.0)           \
  X(maxTransferBytesOnMessageInMemory, 262144.0)   \
  X(maxTransferCountOnMessageInMemory, 32.0)       \
  X(maxTransferBytesOnMessageInDisk, 65536.0)      \
  X(maxTransferCountOnMessageInDisk, 8.0)

enum class ConfigSlot : int {
#define COMETMQ_SLOT_ENUM(name, def) name,
  COMETMQ_CONFIG_SLOTS(COMETMQ_SLOT_ENUM)
#undef COMETMQ_SLOT_ENUM
      kCount
};

constexpr size_t kConfigSlotCount = static_cast<size_t>(ConfigSlot::kCount);

constexpr const char* kConfigSlotNames[] = {
#define COMETMQ_SLOT_NAME(name, def) #name,
    COMETMQ_CONFIG_SLOTS(COMETMQ_SLOT_NAME)
#undef COMETMQ_SLOT_NAME
};

enum FlushDiskType : int { kAsyncFlush = 0, kSyncFlush = 1 };

struct StoreConfig {
#define COMETMQ_SLOT_FIELD(name, def) double name = def;
  COMETMQ_CONFIG_SLOTS(COMETMQ_SLOT_FIELD)
#undef COMETMQ_SLOT_FIELD

  // From the JS array (exactly kConfigSlotCount values, validated by TS).
  static StoreConfig FromArray(const double* values) {
    StoreConfig c;
    size_t i = 0;
#define COMETMQ_SLOT_LOAD(name, def) c.name = values[i++];
    COMETMQ_CONFIG_SLOTS(COMETMQ_SLOT_LOAD)
#undef COMETMQ_SLOT_LOAD
    return c;
  }

  int64_t commit_log_file_size() const { return static_cast<int64_t>(mappedFileSizeCommitLog); }
  bool sync_flush() const { return static_cast<int>(flushDiskType) == kSyncFlush; }
  // RocketMQ only uses the pool for a master with ASYNC_FLUSH.
  bool transient_pool_enabled() const { return transientStorePoolEnable != 0 && !sync_flush(); }
};

}  // namespace cometmq
