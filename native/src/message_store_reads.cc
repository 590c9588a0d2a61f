// MessageStore reads: RocketMQ DefaultMessageStore.getMessage and friends.
#include <algorithm>

#include "byte_order.h"
#include "consume_queue.h"
#include "message_properties.h"
#include "message_store.h"
#include "record_layout.h"
#include "record_parser.h"

namespace cometmq {

namespace {

constexpr size_t kUnitChunk = 256;

bool KeyMatches(const RecordView& v, std::string_view key) {
  if (FindProperty(v.properties, kPropertyUniqKey) == key) return true;
  std::string_view keys = FindProperty(v.properties, kPropertyKeys);
  while (!keys.empty()) {
    const size_t space = keys.find(' ');
    if (keys.substr(0, space) == key) return true;
    if (space == std::string_view::npos) break;
    keys.remove_prefix(space + 1);
  }
  return false;
}

}  // namespace

bool MessageStore::InMemory(int64_t phy, int64_t max_phy) const { return max_phy - phy <= memory_limit_bytes_; }

bool MessageStore::ReadUnit(std::string_view topic, int32_t queue_id, int64_t queue_offset, CqUnit* unit) const {
  return open_.load() && queue_offset >= 0 && cqs_->ReadUnits(topic, queue_id, queue_offset, 1, unit) == 1;
}

void MessageStore::GetMessages(std::string_view topic, int32_t queue_id, int64_t offset, int32_t max_count,
                               int64_t max_bytes, const double* tags_codes, size_t tags_code_count,
                               GetResult* out) const {
  out->status = GetStatus::NO_MESSAGE_IN_QUEUE;
  out->next_begin_offset = offset;
  if (!cqs_->Exists(topic, queue_id)) {
    out->status = GetStatus::NO_MATCHED_LOGIC_QUEUE;
    out->next_begin_offset = 0;
    return;
  }
  const int64_t max_phy = commit_log_->committed_position();
  const int64_t min_offset = cqs_->MinOffset(topic, queue_id);
  const int64_t max_offset = cqs_->MaxOffset(topic, queue_id);
  out->min_offset = min_offset;
  out->max_offset = max_offset;
  if (max_offset == 0) {
    out->status = GetStatus::NO_MESSAGE_IN_QUEUE;
    out->next_begin_offset = 0;
    return;
  }
  if (offset < min_offset) {
    out->status = GetStatus::OFFSET_TOO_SMALL;
    out->next_begin_offset = min_offset;
    return;
  }
  if (offset == max_offset) {
    out->status = GetStatus::OFFSET_OVERFLOW_ONE;
    out->next_begin_offset = offset;
    return;
  }
  if (offset > max_offset) {
    out->status = GetStatus::OFFSET_OVERFLOW_BADLY;
    out->next_begin_offset = min_offset == 0 ? min_offset : max_offset;
    return;
  }

  // RocketMQ scans at most max(16000, maxMsgNums * 20) bytes of ConsumeQueue per pull.
  const int64_t max_units_scanned = std::max<int64_t>(16000, int64_t{max_count} * kCqUnitSize) / kCqUnitSize;
  CqUnit units[kUnitChunk];
  int64_t scanned = 0;
  int64_t next_phy_file_start = INT64_MIN;
  int64_t max_phy_pulling = 0;
  bool read_any = false;
  bool full = false;
  while (!full && scanned < max_units_scanned) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(kUnitChunk, max_units_scanned - scanned));
    const size_t got = cqs_->ReadUnits(topic, queue_id, offset + scanned, want, units);
    if (got == 0) break;
    read_any = true;
    if (scanned == 0) out->status = GetStatus::NO_MATCHED_MESSAGE;
    size_t i = 0;
    for (; i < got; ++i) {
      const CqUnit& u = units[i];
      // Filler units (written to close a gap after a crash) point nowhere: step over them.
      if (IsBlankUnit(u)) continue;
      max_phy_pulling = u.commit_log_offset;
      if (next_phy_file_start != INT64_MIN && u.commit_log_offset < next_phy_file_start) continue;
      const bool in_memory = InMemory(u.commit_log_offset, max_phy);
      // isTheBatchFull
      const size_t bytes = out->found.total_bytes;
      const size_t count = out->found.records.size();
      if (bytes > 0 && count > 0) {
        const int64_t limit_count = static_cast<int64_t>(
            in_memory ? config_.maxTransferCountOnMessageInMemory : config_.maxTransferCountOnMessageInDisk);
        const int64_t limit_bytes = static_cast<int64_t>(
            in_memory ? config_.maxTransferBytesOnMessageInMemory : config_.maxTransferBytesOnMessageInDisk);
        const int64_t next_bytes = static_cast<int64_t>(bytes) + u.size;
        if (static_cast<int64_t>(count) >= max_count || next_bytes > limit_bytes ||
            static_cast<int64_t>(count) > limit_count - 1 || next_bytes > max_bytes) {
          full = true;
          break;
        }
      }
      if (tags_codes) {
        bool matched = false;
        for (size_t k = 0; k < tags_code_count && !matched; ++k) matched = static_cast<int64_t>(tags_codes[k]) == u.tags_code;
        if (!matched) {
          if (out->found.total_bytes == 0) out->status = GetStatus::NO_MATCHED_MESSAGE;
          continue;
        }
      }
      CommitLogSlice slice;
      if (!commit_log_->Slice(u.commit_log_offset, u.size, &slice)) {
        if (out->found.total_bytes == 0) out->status = GetStatus::MESSAGE_WAS_REMOVING;
        const int64_t file_size = commit_log_->files().file_size();
        next_phy_file_start = u.commit_log_offset - u.commit_log_offset % file_size + file_size;
        continue;
      }
      out->found.Add(slice);
      out->status = GetStatus::FOUND;
      next_phy_file_start = INT64_MIN;
    }
    scanned += static_cast<int64_t>(i);
    if (got < want) break;
  }
  if (!read_any) {
    // The unit is below the queue's files (removed): skip to the start of the next ConsumeQueue file.
    const int64_t units_per_file = static_cast<int64_t>(config_.mappedFileSizeConsumeQueue) / kCqUnitSize;
    out->status = GetStatus::OFFSET_FOUND_NULL;
    out->next_begin_offset = offset + units_per_file - offset % units_per_file;
    return;
  }
  out->next_begin_offset = offset + scanned;
  out->suggest_pulling_from_slave = max_phy - max_phy_pulling > memory_limit_bytes_;
}

bool MessageStore::LookMessageByOffset(int64_t phy, CommitLogSlice* out) const {
  if (!open_.load()) return false;
  CommitLogSlice head;
  if (!commit_log_->Slice(phy, record::kBlankRecordLength, &head)) return false;
  RecordView v;
  const uint32_t size = LoadU32BE(head.data);
  if (!commit_log_->Slice(phy, size, out)) return false;
  return ParseRecord(out->data, static_cast<size_t>(out->size), &v) == RecordCheck::kOk;
}

void MessageStore::QueryMessage(std::string_view topic, std::string_view key, int32_t max_num, int64_t begin,
                                int64_t end, QueryResult* out) const {
  out->index_last_update_timestamp = index_->last_update_timestamp();
  out->index_last_update_phy_offset = index_->last_update_phy_offset();
  const std::vector<int64_t> offsets =
      index_->QueryOffsets(topic, key, static_cast<size_t>(std::max(max_num, 0)), begin, end);
  for (int64_t phy : offsets) {
    CommitLogSlice slice;
    if (!LookMessageByOffset(phy, &slice)) continue;
    RecordView v;
    ParseRecord(slice.data, static_cast<size_t>(slice.size), &v);
    // Hash collisions: keep only records whose topic and key really match.
    if (v.topic != topic || !KeyMatches(v, key)) continue;
    out->found.Add(slice);
  }
}

int64_t MessageStore::MinOffsetInQueue(std::string_view topic, int32_t queue_id) const {
  return cqs_->MinOffset(topic, queue_id);
}

int64_t MessageStore::MaxOffsetInQueue(std::string_view topic, int32_t queue_id) const {
  return cqs_->MaxOffset(topic, queue_id);
}

int64_t MessageStore::OffsetInQueueByTime(std::string_view topic, int32_t queue_id, int64_t timestamp) const {
  const CommitLog* log = commit_log_.get();
  return cqs_->OffsetByTime(topic, queue_id, timestamp,
                            [log](int64_t phy, int32_t) { return log->StoreTimestampAt(phy); });
}

int64_t MessageStore::EarliestMessageTime(std::string_view topic, int32_t queue_id) const {
  return MessageStoreTimestamp(topic, queue_id, cqs_->MinOffset(topic, queue_id));
}

int64_t MessageStore::MessageStoreTimestamp(std::string_view topic, int32_t queue_id, int64_t queue_offset) const {
  CqUnit unit;
  if (!ReadUnit(topic, queue_id, queue_offset, &unit)) return -1;
  return commit_log_->StoreTimestampAt(unit.commit_log_offset);
}

int64_t MessageStore::CommitLogOffsetInQueue(std::string_view topic, int32_t queue_id, int64_t queue_offset) const {
  CqUnit unit;
  if (!ReadUnit(topic, queue_id, queue_offset, &unit)) return -1;
  return unit.commit_log_offset;
}

std::vector<QueueInfo> MessageStore::ListQueues() const { return cqs_->ListQueues(); }

size_t MessageStore::DeleteTopic(std::string_view topic) {
  commit_log_->topic_queues().EraseTopic(topic);
  return cqs_->DeleteTopic(topic);
}

}  // namespace cometmq
