// Next queue offset per (topic, queueId): RocketMQ's CommitLog.topicQueueTable. The append path
// looks keys up through a reused key buffer, so a steady-state lookup allocates nothing.
// Thread affinity: main thread only (appends, deleteTopic) or the opening thread before appends.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cometmq {

class TopicQueueTable {
 public:
  // The slot holding the next offset of (topic, queueId), created at 0.
  int64_t& Slot(std::string_view topic, int32_t queue_id) {
    BuildKey(topic, queue_id);
    auto it = table_.find(key_);
    if (it != table_.end()) return it->second;
    return table_.emplace(key_, 0).first->second;
  }

  void Set(std::string_view topic, int32_t queue_id, int64_t next_offset) { Slot(topic, queue_id) = next_offset; }

  // Drops every queue of `topic`.
  void EraseTopic(std::string_view topic) {
    for (auto it = table_.begin(); it != table_.end();) {
      if (it->first.size() == topic.size() + 5 && std::string_view(it->first).substr(0, topic.size()) == topic) {
        it = table_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void Clear() { table_.clear(); }
  size_t size() const { return table_.size(); }

 private:
  // topic bytes, a NUL, then the 4 queueId bytes: unambiguous since topics contain no NUL.
  void BuildKey(std::string_view topic, int32_t queue_id) {
    key_.assign(topic.data(), topic.size());
    key_.push_back('\0');
    char id[4];
    std::memcpy(id, &queue_id, 4);
    key_.append(id, 4);
  }

  std::unordered_map<std::string, int64_t> table_;
  std::string key_;
};

}  // namespace cometmq
