#include <string>

#include "byte_order.h"
#include "check.h"
#include "message_properties.h"
#include "record_layout.h"
#include "record_parser.h"
#include "store_test_util.h"

using namespace cometmq;
using namespace cometmq_test;

TEST_CASE("record parser: V1 magic with IPv4 hosts, every field") {
  TestMessage m;
  m.topic = "T";
  m.queue_id = 3;
  m.body = "body!";
  m.properties = Properties({{"TAGS", "a"}, {"KEYS", "k1 k2"}});
  m.reconsume_times = 2;
  m.prepared_transaction_offset = 99;
  auto b = EncodeRecord(m);
  CHECK_EQ(b.size(), size_t(91) + m.body.size() + m.topic.size() + m.properties.size());
  RecordView v;
  REQUIRE(ParseRecord(b.data(), b.size(), &v) == RecordCheck::kOk);
  CHECK_EQ(v.total_size, b.size());
  CHECK_EQ(v.queue_id, 3);
  CHECK_EQ(v.flag, 7);
  CHECK_EQ(v.born_timestamp, 1700000000000);
  CHECK_EQ(v.store_timestamp_pos, 56u);
  CHECK_EQ(v.reconsume_times, 2);
  CHECK_EQ(v.prepared_transaction_offset, 99);
  CHECK_EQ(std::string(reinterpret_cast<const char*>(b.data() + v.body_pos), v.body_length), "body!");
  CHECK_EQ(std::string(v.topic), "T");
  CHECK_EQ(std::string(FindProperty(v.properties, "KEYS")), "k1 k2");
  CHECK_EQ(std::string(FindProperty(v.properties, "TAGS")), "a");
  bool found = true;
  FindProperty(v.properties, "TAG", &found);
  CHECK(!found);
}

TEST_CASE("record parser: IPv6 hosts widen both host fields and shift later fields") {
  TestMessage m;
  m.sys_flag = record::kSysFlagBornHostV6 | record::kSysFlagStoreHostV6;
  m.reconsume_times = 5;
  auto b = EncodeRecord(m);
  CHECK_EQ(b.size(), size_t(91 + 24) + m.body.size() + m.topic.size());
  RecordView v;
  REQUIRE(ParseRecord(b.data(), b.size(), &v) == RecordCheck::kOk);
  CHECK_EQ(v.store_timestamp_pos, 48u + 20u);
  CHECK_EQ(v.reconsume_times, 5);
  CHECK_EQ(std::string(v.topic), m.topic);

  TestMessage only_born;
  only_born.sys_flag = record::kSysFlagBornHostV6;
  auto c = EncodeRecord(only_born);
  REQUIRE(ParseRecord(c.data(), c.size(), &v) == RecordCheck::kOk);
  CHECK_EQ(v.store_timestamp_pos, 68u);
  CHECK_EQ(c.size(), size_t(91 + 12) + only_born.body.size() + only_born.topic.size());
}

TEST_CASE("record parser: V2 magic uses a 2-byte topic length") {
  TestMessage m;
  m.v2_magic = true;
  m.topic = std::string(300, 'x');
  auto b = EncodeRecord(m);
  RecordView v;
  REQUIRE(ParseRecord(b.data(), b.size(), &v) == RecordCheck::kOk);
  CHECK_EQ(v.topic.size(), size_t(300));
  CHECK_EQ(v.magic, record::kMessageMagicCodeV2);
}

TEST_CASE("record parser: rejects lengths that disagree with TOTALSIZE, bad magic, truncation") {
  TestMessage m;
  m.properties = Properties({{"TAGS", "a"}});
  auto good = EncodeRecord(m);
  RecordView v;
  auto b = good;
  StoreI32BE(b.data() + record::BodyLengthOffset(0), 1 << 20);  // body longer than the record
  CHECK(ParseRecord(b.data(), b.size(), &v) == RecordCheck::kBadLength);
  b = good;
  StoreI32BE(b.data() + record::BodyLengthOffset(0), -1);
  CHECK(ParseRecord(b.data(), b.size(), &v) == RecordCheck::kBadLength);
  b = good;
  StoreI32BE(b.data(), static_cast<int32_t>(good.size() + 1));  // TOTALSIZE one too big
  b.push_back(0);
  CHECK(ParseRecord(b.data(), b.size(), &v) == RecordCheck::kBadLength);
  b = good;
  StoreU32BE(b.data() + 4, 0x12345678);
  CHECK(ParseRecord(b.data(), b.size(), &v) == RecordCheck::kBadMagic);
  CHECK(ParseRecord(good.data(), good.size() - 1, &v) == RecordCheck::kTruncated);
  std::vector<uint8_t> zeros(64, 0);
  CHECK(ParseRecord(zeros.data(), zeros.size(), &v) == RecordCheck::kEmpty);
  uint8_t blank[8];
  StoreI32BE(blank, 8);
  StoreU32BE(blank + 4, record::kBlankMagicCode);
  CHECK(ParseRecord(blank, sizeof blank, &v) == RecordCheck::kBlank);
  CHECK_EQ(v.total_size, 8u);
}

TEST_CASE("message properties: lookup without a trailing separator and with empty values") {
  std::string props = "A";
  props += '\x01';
  props += "1";
  props += '\x02';
  props += "EMPTY";
  props += '\x01';
  props += '\x02';
  props += "LAST";
  props += '\x01';
  props += "z";
  bool found = false;
  CHECK_EQ(std::string(FindProperty(props, "A", &found)), "1");
  CHECK(found);
  CHECK_EQ(std::string(FindProperty(props, "EMPTY", &found)), "");
  CHECK(found);
  CHECK_EQ(std::string(FindProperty(props, "LAST", &found)), "z");
  CHECK(found);
  FindProperty(props, "MISSING", &found);
  CHECK(!found);
}

TEST_CASE("message properties: one-pass scan finds the dispatcher's properties like FindProperty") {
  const std::string props = Properties({{"A", "1"}, {"TAGS", "t1"}, {"KEYS", "k1 k2"}, {"UNIQ_KEY", "U"},
                                        {"DELAY", "3"}, {"TAGS", "second"}});
  const DispatchProperties d = ScanDispatchProperties(props);
  CHECK(d.has_tags);
  CHECK_EQ(std::string(d.tags), std::string(FindProperty(props, "TAGS")));
  CHECK_EQ(std::string(d.tags), "t1");
  CHECK_EQ(std::string(d.keys), "k1 k2");
  CHECK_EQ(std::string(d.uniq_key), "U");
  CHECK_EQ(std::string(d.delay), "3");
  const DispatchProperties none = ScanDispatchProperties(Properties({{"X", "y"}}));
  CHECK(!none.has_tags);
  CHECK(none.keys.empty());
  const DispatchProperties empty_tags = ScanDispatchProperties(Properties({{"TAGS", ""}}));
  CHECK(empty_tags.has_tags);
}
