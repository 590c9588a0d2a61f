// The one place that walks a stored record's variable fields (V1/V2 magic, IPv4/IPv6 hosts).
// Used by append validation, the dispatcher, recovery and reads. Never allocates.
// Thread affinity: any thread (pure function over caller-owned bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cometmq {

enum class RecordCheck {
  kOk,         // a complete, internally consistent message record
  kBlank,      // end-of-segment filler: skip to the next segment
  kEmpty,      // zeros where a record would start: end of written data
  kBadMagic,   // neither a message nor a blank magic code
  kBadLength,  // TOTALSIZE disagrees with the field lengths inside it
  kTruncated,  // TOTALSIZE runs past the available bytes
};

struct RecordView {
  uint32_t total_size = 0;
  uint32_t magic = 0;
  int32_t body_crc = 0;
  int32_t queue_id = 0;
  int32_t flag = 0;
  int64_t queue_offset = 0;
  int64_t physical_offset = 0;
  uint32_t sys_flag = 0;
  int64_t born_timestamp = 0;
  int64_t store_timestamp = 0;
  uint32_t store_timestamp_pos = 0;  // byte position of STORETIMESTAMP inside the record
  int32_t reconsume_times = 0;
  int64_t prepared_transaction_offset = 0;
  uint32_t body_pos = 0;  // byte position of the body inside the record
  uint32_t body_length = 0;
  std::string_view topic;
  std::string_view properties;
};

// Parses the record starting at `p`, of which `available` bytes may be read.
// On kOk every field of `out` is set; on kBlank only total_size and magic.
RecordCheck ParseRecord(const uint8_t* p, size_t available, RecordView* out);

const char* RecordCheckName(RecordCheck check);

// The bytes after the body are not covered by BODYCRC, so a record whose last page never reached
// the disk can still parse with a valid CRC. Stored properties always end with the \x02 separator
// (RocketMQ writes one after every pair; the append path insists) and topics never contain NUL, so
// a zero-filled tail shows up here. Used by append validation and recovery.
inline bool TailLooksWritten(const RecordView& v) {
  if (v.topic.find('\0') != std::string_view::npos) return false;
  return v.properties.empty() || v.properties.back() == '\x02';
}

}  // namespace cometmq
