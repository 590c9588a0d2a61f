#include "record_parser.h"

#include "byte_order.h"
#include "record_layout.h"

namespace cometmq {

namespace r = record;

RecordCheck ParseRecord(const uint8_t* p, size_t available, RecordView* out) {
  if (available < static_cast<size_t>(r::kBlankRecordLength)) {
    for (size_t i = 0; i < available; ++i) {
      if (p[i] != 0) return RecordCheck::kTruncated;
    }
    return RecordCheck::kEmpty;
  }
  const uint32_t total = LoadU32BE(p + r::kOffsetTotalSize);
  const uint32_t magic = LoadU32BE(p + r::kOffsetMagic);
  out->total_size = total;
  out->magic = magic;
  if (magic == r::kBlankMagicCode) {
    if (total < static_cast<uint32_t>(r::kBlankRecordLength) || total > available) return RecordCheck::kBadLength;
    return RecordCheck::kBlank;
  }
  if (magic != r::kMessageMagicCode && magic != r::kMessageMagicCodeV2) {
    return (magic == 0 && total == 0) ? RecordCheck::kEmpty : RecordCheck::kBadMagic;
  }
  if (total > available) return RecordCheck::kTruncated;
  if (total < static_cast<uint32_t>(r::kOffsetBornHost)) return RecordCheck::kBadLength;

  out->body_crc = LoadI32BE(p + r::kOffsetBodyCrc);
  out->queue_id = LoadI32BE(p + r::kOffsetQueueId);
  out->flag = LoadI32BE(p + r::kOffsetFlag);
  out->queue_offset = LoadI64BE(p + r::kOffsetQueueOffset);
  out->physical_offset = LoadI64BE(p + r::kOffsetPhysicalOffset);
  const uint32_t sys_flag = LoadU32BE(p + r::kOffsetSysFlag);
  out->sys_flag = sys_flag;
  out->born_timestamp = LoadI64BE(p + r::kOffsetBornTimestamp);

  // Every later position is checked against `total` before it is read; 64-bit arithmetic so that
  // a hostile length cannot wrap.
  uint64_t pos = static_cast<uint64_t>(r::BodyLengthOffset(sys_flag));
  if (pos + 4 > total) return RecordCheck::kBadLength;
  out->store_timestamp_pos = static_cast<uint32_t>(r::StoreTimestampOffset(sys_flag));
  out->store_timestamp = LoadI64BE(p + out->store_timestamp_pos);
  out->reconsume_times = LoadI32BE(p + r::ReconsumeTimesOffset(sys_flag));
  out->prepared_transaction_offset = LoadI64BE(p + r::PreparedTransactionOffsetOffset(sys_flag));

  const int32_t body_length = LoadI32BE(p + pos);
  if (body_length < 0) return RecordCheck::kBadLength;
  pos += 4;
  if (pos + static_cast<uint64_t>(body_length) > total) return RecordCheck::kBadLength;
  out->body_pos = static_cast<uint32_t>(pos);
  out->body_length = static_cast<uint32_t>(body_length);
  pos += static_cast<uint64_t>(body_length);

  uint64_t topic_length;
  if (magic == r::kMessageMagicCode) {
    if (pos + 1 > total) return RecordCheck::kBadLength;
    topic_length = p[pos];
    pos += 1;
  } else {
    if (pos + 2 > total) return RecordCheck::kBadLength;
    topic_length = LoadU16BE(p + pos);
    pos += 2;
  }
  if (pos + topic_length > total) return RecordCheck::kBadLength;
  out->topic = std::string_view(reinterpret_cast<const char*>(p + pos), topic_length);
  pos += topic_length;

  if (pos + 2 > total) return RecordCheck::kBadLength;
  const uint64_t properties_length = LoadU16BE(p + pos);
  pos += 2;
  if (pos + properties_length != total) return RecordCheck::kBadLength;
  out->properties = std::string_view(reinterpret_cast<const char*>(p + pos), properties_length);
  return RecordCheck::kOk;
}

const char* RecordCheckName(RecordCheck check) {
  switch (check) {
    case RecordCheck::kOk: return "ok";
    case RecordCheck::kBlank: return "blank";
    case RecordCheck::kEmpty: return "empty";
    case RecordCheck::kBadMagic: return "bad magic code";
    case RecordCheck::kBadLength: return "field lengths disagree with TOTALSIZE";
    case RecordCheck::kTruncated: return "record runs past the end of the data";
  }
  return "unknown";
}

}  // namespace cometmq
