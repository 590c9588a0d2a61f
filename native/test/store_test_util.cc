#include "store_test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "byte_order.h"
#include "record_layout.h"

namespace cometmq_test {

namespace r = cometmq::record;

std::string Properties(std::initializer_list<std::pair<std::string, std::string>> pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    out += k;
    out += r::kNameValueSeparator;
    out += v;
    out += r::kPropertySeparator;
  }
  return out;
}

std::vector<uint8_t> EncodeRecord(const TestMessage& m) {
  const int born_host = r::BornHostLength(m.sys_flag);
  const int store_host = r::StoreHostLength(m.sys_flag);
  const size_t topic_len_bytes = m.v2_magic ? 2 : 1;
  const size_t total = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + born_host + 8 + store_host + 4 + 8 + 4 + m.body.size() +
                       topic_len_bytes + m.topic.size() + 2 + m.properties.size();
  std::vector<uint8_t> b(total, 0);
  uint8_t* p = b.data();
  cometmq::StoreI32BE(p + r::kOffsetTotalSize, static_cast<int32_t>(total));
  cometmq::StoreU32BE(p + r::kOffsetMagic, m.v2_magic ? r::kMessageMagicCodeV2 : r::kMessageMagicCode);
  cometmq::StoreI32BE(p + r::kOffsetQueueId, m.queue_id);
  cometmq::StoreI32BE(p + r::kOffsetFlag, m.flag);
  cometmq::StoreU32BE(p + r::kOffsetSysFlag, m.sys_flag);
  cometmq::StoreI64BE(p + r::kOffsetBornTimestamp, m.born_timestamp);
  size_t pos = r::kOffsetBornHost;
  for (int i = 0; i < born_host - 4; ++i) p[pos + i] = static_cast<uint8_t>(10 + i);
  cometmq::StoreI32BE(p + pos + born_host - 4, 40000);
  pos += born_host + 8;  // STORETIMESTAMP left for the store
  for (int i = 0; i < store_host - 4; ++i) p[pos + i] = static_cast<uint8_t>(20 + i);
  cometmq::StoreI32BE(p + pos + store_host - 4, 10911);
  pos += store_host;
  cometmq::StoreI32BE(p + pos, m.reconsume_times);
  pos += 4;
  cometmq::StoreI64BE(p + pos, m.prepared_transaction_offset);
  pos += 8;
  cometmq::StoreI32BE(p + pos, static_cast<int32_t>(m.body.size()));
  pos += 4;
  std::copy(m.body.begin(), m.body.end(), p + pos);
  pos += m.body.size();
  if (m.v2_magic) {
    p[pos] = static_cast<uint8_t>(m.topic.size() >> 8);
    p[pos + 1] = static_cast<uint8_t>(m.topic.size());
  } else {
    p[pos] = static_cast<uint8_t>(m.topic.size());
  }
  pos += topic_len_bytes;
  std::copy(m.topic.begin(), m.topic.end(), p + pos);
  pos += m.topic.size();
  p[pos] = static_cast<uint8_t>(m.properties.size() >> 8);
  p[pos + 1] = static_cast<uint8_t>(m.properties.size());
  pos += 2;
  std::copy(m.properties.begin(), m.properties.end(), p + pos);
  return b;
}

std::vector<uint8_t> EncodeBatch(const std::vector<TestMessage>& messages) {
  std::vector<uint8_t> out;
  for (const auto& m : messages) {
    const auto one = EncodeRecord(m);
    out.insert(out.end(), one.begin(), one.end());
  }
  return out;
}

cometmq::StoreConfig SmallConfig(int64_t segment_bytes) {
  cometmq::StoreConfig c;
  c.mappedFileSizeCommitLog = static_cast<double>(segment_bytes);
  c.mappedFileSizeConsumeQueue = 20 * 1000;
  c.maxMessageSize = 64 * 1024;
  c.maxHashSlotNum = 1000;
  c.maxIndexNum = 4000;
  c.flushIntervalCommitLog = 50;
  c.flushIntervalConsumeQueue = 50;
  c.commitIntervalCommitLog = 20;
  c.commitCommitLogThoroughInterval = 20;
  return c;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

void WriteBytesAt(const std::string& path, int64_t offset, const void* data, size_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0 || ::pwrite(fd, data, size, offset) != static_cast<ssize_t>(size)) std::abort();
  ::close(fd);
}

std::vector<uint8_t> ReadBytesAt(const std::string& path, int64_t offset, size_t size) {
  std::vector<uint8_t> out(size);
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0 || ::pread(fd, out.data(), size, offset) != static_cast<ssize_t>(size)) std::abort();
  ::close(fd);
  return out;
}

}  // namespace cometmq_test
