// Helpers shared by the store tests: encode stored-layout records the way the TS encoder does
// (every field except the four the store fills), small-segment configs, file helpers.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "store_config.h"

namespace cometmq_test {

struct TestMessage {
  std::string topic = "TopicTest";
  int32_t queue_id = 0;
  std::string body = "hello";
  std::string properties;
  uint32_t sys_flag = 0;
  bool v2_magic = false;
  int32_t flag = 7;
  int64_t born_timestamp = 1700000000000;
  int32_t reconsume_times = 0;
  int64_t prepared_transaction_offset = 0;
};

std::string Properties(std::initializer_list<std::pair<std::string, std::string>> pairs);
std::vector<uint8_t> EncodeRecord(const TestMessage& m);
// Appends the encoding of each message to one batch buffer.
std::vector<uint8_t> EncodeBatch(const std::vector<TestMessage>& messages);

cometmq::StoreConfig SmallConfig(int64_t segment_bytes = 1 << 20);

std::vector<std::string> ListDir(const std::string& dir);
int64_t FileSize(const std::string& path);
void WriteBytesAt(const std::string& path, int64_t offset, const void* data, size_t size);
std::vector<uint8_t> ReadBytesAt(const std::string& path, int64_t offset, size_t size);

}  // namespace cometmq_test
