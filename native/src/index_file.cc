#include "index_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <climits>
#include <cstring>

#include "byte_order.h"
#include "store_fs.h"
#include "java_hash.h"
#include "store_log.h"

namespace cometmq {

int32_t IndexKeyHash(std::string_view topic, std::string_view key) {
  const int32_t h = JavaStringHash(key, JavaStringHash("#", JavaStringHash(topic)));
  if (h == INT32_MIN) return 0;  // Math.abs(INT_MIN) stays negative; RocketMQ then uses 0
  return h < 0 ? -h : h;
}

IndexFile::IndexFile(std::string path, int32_t slot_num, int32_t max_index_num, uint8_t* data)
    : path_(std::move(path)),
      slot_num_(slot_num),
      max_index_num_(max_index_num),
      size_(FileSize(slot_num, max_index_num)),
      data_(data) {}

IndexFile::~IndexFile() { ::munmap(data_, static_cast<size_t>(size_)); }

StoreResult IndexFile::Create(const std::string& path, int32_t slot_num, int32_t max_index_num, int64_t prev_end_phy,
                              int64_t prev_end_timestamp, std::shared_ptr<IndexFile>* out) {
  const int64_t size = FileSize(slot_num, max_index_num);
  int fd = -1;
  StoreResult r = CreateFixedSizeFile(path, size, /*allocate=*/true, &fd);
  if (!r.ok) return r;
  uint8_t* data = nullptr;
  r = MapShared(fd, path, size, &data);
  ::close(fd);
  if (!r.ok) {
    ::unlink(path.c_str());
    return r;
  }
  std::shared_ptr<IndexFile> file(new IndexFile(path, slot_num, max_index_num, data));
  if (prev_end_phy > 0) {
    file->begin_phy_offset_ = prev_end_phy;
    file->end_phy_offset_ = prev_end_phy;
  }
  if (prev_end_timestamp > 0) {
    file->begin_timestamp_ = prev_end_timestamp;
    file->end_timestamp_ = prev_end_timestamp;
  }
  file->WriteHeader();
  *out = std::move(file);
  return StoreResult::Ok();
}

StoreResult IndexFile::Open(const std::string& path, int32_t slot_num, int32_t max_index_num,
                            std::shared_ptr<IndexFile>* out) {
  uint8_t* data = nullptr;
  StoreResult r = MapExisting(path, FileSize(slot_num, max_index_num), &data);
  if (!r.ok) return r;
  std::shared_ptr<IndexFile> file(new IndexFile(path, slot_num, max_index_num, data));
  const int32_t slot_count = LoadI32BE(data + 32);
  int32_t index_count = LoadI32BE(data + 36);
  if (index_count == 0) index_count = 1;  // created, header never written: empty
  if (index_count < 1 || index_count > max_index_num || slot_count < 0 || slot_count > slot_num) {
    return StoreResult::Error("ERR_STORE_CORRUPT",
                              "index file header out of range (hashSlotCount " + std::to_string(slot_count) +
                                  ", indexCount " + std::to_string(index_count) + "): " + path,
                              path, 32);
  }
  file->begin_timestamp_ = LoadI64BE(data);
  file->end_timestamp_ = LoadI64BE(data + 8);
  file->begin_phy_offset_ = LoadI64BE(data + 16);
  file->end_phy_offset_ = LoadI64BE(data + 24);
  file->hash_slot_count_ = slot_count;
  file->index_count_ = index_count;
  file->flushed_index_count_ = index_count;
  *out = std::move(file);
  return StoreResult::Ok();
}

// Slots are 4-byte aligned (page-aligned mapping + 40 + 4 i), so they can be accessed atomically.
uint32_t IndexFile::LoadSlot(int32_t slot) const {
  return __builtin_bswap32(__atomic_load_n(reinterpret_cast<const uint32_t*>(SlotAt(slot)), __ATOMIC_ACQUIRE));
}

void IndexFile::StoreSlot(int32_t slot, uint32_t value) {
  __atomic_store_n(reinterpret_cast<uint32_t*>(SlotAt(slot)), __builtin_bswap32(value), __ATOMIC_RELEASE);
}

void IndexFile::WriteHeader() {
  uint8_t h[kIndexHeaderSize];
  StoreI64BE(h, begin_timestamp());
  StoreI64BE(h + 8, end_timestamp());
  StoreI64BE(h + 16, begin_phy_offset());
  StoreI64BE(h + 24, end_phy_offset());
  StoreI32BE(h + 32, hash_slot_count());
  StoreI32BE(h + 36, index_count());
  std::memcpy(data_, h, sizeof h);
}

void IndexFile::PutKey(int32_t key_hash, int64_t phy_offset, int64_t store_timestamp) {
  const int32_t index = index_count();
  const int32_t slot = key_hash % slot_num_;
  int64_t prev = LoadSlot(slot);
  const bool slot_was_empty = prev < 1 || prev >= index;
  if (slot_was_empty) prev = 0;
  if (index == 1) {  // first entry: the file's time and offset range start here
    begin_phy_offset_.store(phy_offset, std::memory_order_relaxed);
    begin_timestamp_.store(store_timestamp, std::memory_order_relaxed);
  }
  const int64_t begin = begin_timestamp();
  int64_t time_diff = begin <= 0 ? 0 : (store_timestamp - begin) / 1000;
  if (time_diff > INT32_MAX) time_diff = INT32_MAX;
  if (time_diff < 0) time_diff = 0;  // a clock that went backwards

  uint8_t e[kIndexEntrySize];
  StoreI32BE(e, key_hash);
  StoreI64BE(e + 4, phy_offset);
  StoreI32BE(e + 12, static_cast<int32_t>(time_diff));
  StoreI32BE(e + 16, static_cast<int32_t>(prev));
  std::memcpy(EntryAt(index), e, sizeof e);

  if (slot_was_empty) hash_slot_count_.fetch_add(1, std::memory_order_relaxed);
  end_phy_offset_.store(phy_offset, std::memory_order_relaxed);
  end_timestamp_.store(store_timestamp, std::memory_order_release);  // Flush reads it unlocked
  index_count_.store(index + 1, std::memory_order_release);  // the entry is complete
  StoreSlot(slot, static_cast<uint32_t>(index));
  WriteHeader();
}

void IndexFile::Select(int32_t key_hash, size_t max_num, int64_t begin, int64_t end,
                       std::vector<int64_t>* out) const {
  if (out->size() >= max_num) return;
  const int64_t head = LoadSlot(key_hash % slot_num_);
  const int32_t count = index_count();  // loaded after the slot: covers every published entry
  if (head < 1 || head >= count) return;
  const int64_t file_begin = begin_timestamp();
  int64_t current = head;
  for (int32_t steps = 0; steps < count && out->size() < max_num; ++steps) {
    const uint8_t* e = EntryAt(static_cast<int32_t>(current));
    const int32_t hash_read = LoadI32BE(e);
    const int64_t phy_read = LoadI64BE(e + 4);
    const int32_t time_diff = LoadI32BE(e + 12);
    const int32_t prev = LoadI32BE(e + 16);
    if (time_diff < 0) break;
    const int64_t time_read = file_begin + static_cast<int64_t>(time_diff) * 1000;
    if (hash_read == key_hash && time_read >= begin && time_read <= end) out->push_back(phy_read);
    // Chains run newest to oldest: stop at the end, on garbage, or once older than the range.
    if (prev < 1 || prev >= current || time_read < begin) break;
    current = prev;
  }
}

bool IndexFile::IsTimeMatched(int64_t begin, int64_t end) const {
  const int64_t b = begin_timestamp();
  const int64_t e = end_timestamp();
  return (begin < b && end > e) || (begin >= b && begin <= e) || (end >= b && end <= e);
}

void IndexFile::SanitizeSlots() {
  const int32_t count = index_count();
  int32_t cleared = 0;
  for (int32_t s = 0; s < slot_num_; ++s) {
    const uint32_t v = LoadSlot(s);
    if (v != 0 && (v >= static_cast<uint32_t>(count))) {
      StoreSlot(s, 0);
      ++cleared;
    }
  }
  if (cleared > 0) StoreLog("index file %s: cleared %d slots left dangling by an unclean exit", path_.c_str(), cleared);
}

StoreResult IndexFile::Flush(int64_t* durable_end_timestamp) {
  const int32_t count = index_count();
  *durable_end_timestamp = end_timestamp();
  if (count == flushed_index_count_.load(std::memory_order_relaxed)) return StoreResult::Ok();
  StoreResult r = SyncRange(data_, path_, 0, size_);
  if (r.ok) flushed_index_count_.store(count, std::memory_order_relaxed);
  return r;
}

}  // namespace cometmq
