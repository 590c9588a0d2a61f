// What the dispatcher (ReputService) extracts from one CommitLog record and hands to the derived
// structures: the ConsumeQueue unit and the IndexFile entries. Mirrors RocketMQ's DispatchRequest.
// The string_views point into the mapped CommitLog and are valid only during the dispatch call.
#pragma once

#include <cstdint>
#include <string_view>

namespace cometmq {

struct DispatchRequest {
  std::string_view topic;
  int32_t queue_id = 0;
  int64_t commit_log_offset = 0;  // physical offset of the record
  int32_t msg_size = 0;           // TOTALSIZE of the record
  // ConsumeQueue tag slot: Java String.hashCode() of the TAGS property (0 when absent); for
  // SCHEDULE_TOPIC_XXXX the delivery timestamp instead (store time + the delay level's delay).
  int64_t tags_code = 0;
  int64_t store_timestamp = 0;
  int64_t consume_queue_offset = 0;  // logical queue offset (QUEUEOFFSET field)
  std::string_view keys;             // KEYS property, space separated; empty when absent
  std::string_view uniq_key;         // UNIQ_KEY property; empty when absent
  int32_t sys_flag = 0;
  int64_t prepared_transaction_offset = 0;
};

}  // namespace cometmq
