// One IndexFile in RocketMQ's layout (documented in index_service.h): a 40-byte header, the hash
// slots, then 20-byte entries chained newest-to-oldest through prevIndex. The file is fallocated at
// creation, so stores through the mapping cannot SIGBUS on a full disk.
//
// Publication: the builder writes an entry, then the header counters (atomics mirrored here; the
// on-disk header is written last and never read concurrently), then the slot with a release store.
// A reader acquires the slot and follows the chain; entry n is trusted only if n < indexCount,
// prevIndex only if it is smaller than the entry that points to it, and a walk never takes more
// than indexCount steps, so chains left half-written by a crash cannot loop or run off the file.
//
// Thread affinity: PutKey/SanitizeSlots on the dispatcher thread (the only writer); Flush on the
// flush thread; Select and the getters on any thread. Lifetime is by shared_ptr: a reader holding a
// file keeps its mapping alive while the cleanup thread unlinks it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store_error.h"

namespace cometmq {

constexpr int64_t kIndexHeaderSize = 40;
constexpr int64_t kIndexSlotSize = 4;
constexpr int64_t kIndexEntrySize = 20;

// abs(Java "topic#key".hashCode()), with RocketMQ's rule that abs(INT_MIN) (still negative) is 0.
int32_t IndexKeyHash(std::string_view topic, std::string_view key);

class IndexFile {
 public:
  static int64_t FileSize(int32_t slot_num, int32_t max_index_num) {
    return kIndexHeaderSize + kIndexSlotSize * slot_num + kIndexEntrySize * static_cast<int64_t>(max_index_num);
  }

  // Creates and fallocates a new file. Its header starts at the previous file's end phy offset and
  // timestamp (RocketMQ does the same, so an empty newest file still answers "how far indexed").
  static StoreResult Create(const std::string& path, int32_t slot_num, int32_t max_index_num, int64_t prev_end_phy,
                            int64_t prev_end_timestamp, std::shared_ptr<IndexFile>* out);
  // Maps an existing file whose size the caller validated; a header out of range is ERR_STORE_CORRUPT.
  static StoreResult Open(const std::string& path, int32_t slot_num, int32_t max_index_num,
                          std::shared_ptr<IndexFile>* out);

  ~IndexFile();
  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  int32_t free_entries() const { return max_index_num_ - index_count(); }

  // Appends one entry; the caller made sure free_entries() > 0.
  void PutKey(int32_t key_hash, int64_t phy_offset, int64_t store_timestamp);

  // Appends to `out` the phy offsets of entries with this hash stored within [begin, end], newest
  // first, until out holds max_num.
  void Select(int32_t key_hash, size_t max_num, int64_t begin, int64_t end, std::vector<int64_t>* out) const;

  // RocketMQ isTimeMatched: [begin, end] overlaps [beginTimestamp, endTimestamp].
  bool IsTimeMatched(int64_t begin, int64_t end) const;

  // After an unclean exit: slots pointing at or past indexCount would lead readers to entries the
  // builder is about to overwrite; reset them to empty.
  void SanitizeSlots();

  // msync of the whole mapping (only dirty pages are written). *durable_end_timestamp is the
  // endTimestamp covered by this flush.
  StoreResult Flush(int64_t* durable_end_timestamp);

  const std::string& path() const { return path_; }
  int64_t begin_timestamp() const { return begin_timestamp_.load(std::memory_order_acquire); }
  int64_t end_timestamp() const { return end_timestamp_.load(std::memory_order_acquire); }
  int64_t begin_phy_offset() const { return begin_phy_offset_.load(std::memory_order_acquire); }
  int64_t end_phy_offset() const { return end_phy_offset_.load(std::memory_order_acquire); }
  int32_t hash_slot_count() const { return hash_slot_count_.load(std::memory_order_acquire); }
  int32_t index_count() const { return index_count_.load(std::memory_order_acquire); }

 private:
  IndexFile(std::string path, int32_t slot_num, int32_t max_index_num, uint8_t* data);
  uint8_t* SlotAt(int32_t slot) const { return data_ + kIndexHeaderSize + kIndexSlotSize * slot; }
  uint8_t* EntryAt(int32_t index) const {
    return data_ + kIndexHeaderSize + kIndexSlotSize * slot_num_ + kIndexEntrySize * static_cast<int64_t>(index);
  }
  uint32_t LoadSlot(int32_t slot) const;
  void StoreSlot(int32_t slot, uint32_t value);
  void WriteHeader();

  const std::string path_;
  const int32_t slot_num_;
  const int32_t max_index_num_;
  const int64_t size_;
  uint8_t* const data_;

  std::atomic<int64_t> begin_timestamp_{0};
  std::atomic<int64_t> end_timestamp_{0};
  std::atomic<int64_t> begin_phy_offset_{0};
  std::atomic<int64_t> end_phy_offset_{0};
  std::atomic<int32_t> hash_slot_count_{0};
  std::atomic<int32_t> index_count_{1};
  std::atomic<int32_t> flushed_index_count_{-1};  // -1: header not yet synced
};

}  // namespace cometmq
