// MessageStore end to end over real files: open/close, dispatch, reads, flush, lock, foreign files,
// retention.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "byte_order.h"
#include "check.h"
#include "java_hash.h"
#include "record_layout.h"
#include "record_parser.h"
#include "store_fixture.h"

using namespace cometmq;
using namespace cometmq_test;

namespace {

std::vector<RecordView> ParseAll(const RecordList& list) {
  std::vector<RecordView> out;
  for (const auto& [data, size] : list.records) {
    RecordView v;
    if (ParseRecord(data, size, &v) == RecordCheck::kOk) out.push_back(v);
  }
  return out;
}

}  // namespace

TEST_CASE("store: append, dispatch and getMessages with RocketMQ statuses") {
  StoreFixture f;
  RecoveryInfo info;
  REQUIRE(f.Open(&info).ok);
  CHECK(info.last_exit_ok);
  CHECK(AbortMarkerExists(f.root));
  std::vector<TestMessage> ms;
  for (int i = 0; i < 10; ++i) ms.push_back(Msg("T", 1, "m" + std::to_string(i), i % 2 ? "odd" : "even", "k" + std::to_string(i)));
  std::vector<double> out;
  REQUIRE(f.Append(ms, &out) == PutStatus::PUT_OK);
  REQUIRE(f.WaitDispatched());

  GetResult r;
  f.store->GetMessages("T", 1, 0, 32, 1 << 20, nullptr, 0, &r);
  CHECK(r.status == GetStatus::FOUND);
  CHECK_EQ(r.found.records.size(), size_t(10));
  CHECK_EQ(r.next_begin_offset, 10);
  CHECK_EQ(r.min_offset, 0);
  CHECK_EQ(r.max_offset, 10);
  auto views = ParseAll(r.found);
  REQUIRE(views.size() == 10u);
  CHECK_EQ(views[3].queue_offset, 3);
  CHECK_EQ(views[3].physical_offset, static_cast<int64_t>(out[6]));

  GetResult limited;
  f.store->GetMessages("T", 1, 2, 3, 1 << 20, nullptr, 0, &limited);
  CHECK_EQ(limited.found.records.size(), size_t(3));
  CHECK_EQ(limited.next_begin_offset, 5);

  GetResult small_bytes;
  f.store->GetMessages("T", 1, 0, 32, 1, nullptr, 0, &small_bytes);
  CHECK_EQ(small_bytes.found.records.size(), size_t(1));  // the first record always fits

  const double odd = JavaStringHash("odd");
  GetResult tagged;
  f.store->GetMessages("T", 1, 0, 32, 1 << 20, &odd, 1, &tagged);
  CHECK(tagged.status == GetStatus::FOUND);
  CHECK_EQ(tagged.found.records.size(), size_t(5));
  for (const auto& v : ParseAll(tagged.found)) CHECK_EQ(v.queue_offset % 2, 1);

  const double none = JavaStringHash("none");
  GetResult unmatched;
  f.store->GetMessages("T", 1, 0, 32, 1 << 20, &none, 1, &unmatched);
  CHECK(unmatched.status == GetStatus::NO_MATCHED_MESSAGE);
  CHECK_EQ(unmatched.next_begin_offset, 10);
  CHECK(unmatched.found.records.empty());

  GetResult s;
  f.store->GetMessages("nope", 0, 0, 32, 1 << 20, nullptr, 0, &s);
  CHECK(s.status == GetStatus::NO_MATCHED_LOGIC_QUEUE);
  f.store->GetMessages("T", 1, 10, 32, 1 << 20, nullptr, 0, &s);
  CHECK(s.status == GetStatus::OFFSET_OVERFLOW_ONE);
  CHECK_EQ(s.next_begin_offset, 10);
  f.store->GetMessages("T", 1, 50, 32, 1 << 20, nullptr, 0, &s);
  CHECK(s.status == GetStatus::OFFSET_OVERFLOW_BADLY);
  CHECK_EQ(s.next_begin_offset, 0);  // min offset 0 -> RocketMQ corrects to the min

  CHECK_EQ(f.store->MinOffsetInQueue("T", 1), 0);
  CHECK_EQ(f.store->MaxOffsetInQueue("T", 1), 10);
  CHECK_EQ(f.store->CommitLogOffsetInQueue("T", 1, 4), static_cast<int64_t>(out[8]));
  CHECK_EQ(f.store->CommitLogOffsetInQueue("T", 1, 10), -1);
  const int64_t store_time = static_cast<int64_t>(out[20]);
  CHECK_EQ(f.store->MessageStoreTimestamp("T", 1, 4), store_time);
  CHECK_EQ(f.store->EarliestMessageTime("T", 1), store_time);
  CHECK_EQ(f.store->EarliestMessageTime("nope", 0), -1);
  CHECK_EQ(f.store->OffsetInQueueByTime("T", 1, store_time), 0);
  CHECK_EQ(f.store->OffsetInQueueByTime("T", 1, store_time + 1), 10);

  CommitLogSlice one;
  REQUIRE(f.store->LookMessageByOffset(static_cast<int64_t>(out[2]), &one));
  RecordView v;
  REQUIRE(ParseRecord(one.data, one.size, &v) == RecordCheck::kOk);
  CHECK_EQ(std::string(reinterpret_cast<const char*>(one.data + v.body_pos), v.body_length), "m1");
  CHECK(!f.store->LookMessageByOffset(static_cast<int64_t>(out[2]) + 1, &one));
  CHECK(!f.store->LookMessageByOffset(f.store->wrote_position(), &one));

  QueryResult q;
  f.store->QueryMessage("T", "k7", 32, 0, INT64_MAX, &q);
  REQUIRE(q.found.records.size() == 1u);
  const auto queried = ParseAll(q.found);
  CHECK_EQ(queried[0].queue_offset, 7);
  QueryResult by_uniq;
  f.store->QueryMessage("T", "U-T-m2", 32, 0, INT64_MAX, &by_uniq);
  CHECK_EQ(by_uniq.found.records.size(), size_t(1));
  QueryResult other_topic;
  f.store->QueryMessage("Other", "k7", 32, 0, INT64_MAX, &other_topic);
  CHECK(other_topic.found.records.empty());

  auto queues = f.store->ListQueues();
  REQUIRE(queues.size() == 1u);
  CHECK_EQ(queues[0].topic, std::string("T"));
  CHECK_EQ(queues[0].max_offset, 10);

  f.Close();
  CHECK(!AbortMarkerExists(f.root));
}

TEST_CASE("store: SCHEDULE_TOPIC_XXXX units carry the delivery time; PREPARED records get no unit") {
  StoreFixture f;
  REQUIRE(f.Open().ok);
  TestMessage delayed = Msg("SCHEDULE_TOPIC_XXXX", 1, "d");
  delayed.properties += Properties({{"DELAY", "2"}});
  TestMessage prepared = Msg("Tx", 0, "p");
  prepared.sys_flag = record::kSysFlagTransactionPrepared;
  TestMessage normal = Msg("Tx", 0, "n");
  std::vector<double> out;
  REQUIRE(f.Append({delayed, prepared, normal}, &out) == PutStatus::PUT_OK);
  REQUIRE(f.WaitDispatched());
  // The unit's tag slot holds store time + level-2 delay: filtering on that code finds it.
  const double deliver = out[6] + 5000;
  GetResult r;
  f.store->GetMessages("SCHEDULE_TOPIC_XXXX", 1, 0, 32, 1 << 20, &deliver, 1, &r);
  CHECK(r.status == GetStatus::FOUND);
  CHECK_EQ(f.store->MaxOffsetInQueue("Tx", 0), 1);
  CHECK_EQ(f.store->CommitLogOffsetInQueue("Tx", 0, 0), static_cast<int64_t>(out[4]));
}

TEST_CASE("store: SYNC_FLUSH group commit makes flushedPosition cover every append") {
  StoreConfig c = SmallConfig();
  c.flushDiskType = kSyncFlush;
  StoreFixture f(c);
  REQUIRE(f.Open().ok);
  for (int round = 0; round < 20; ++round) {
    REQUIRE(f.Append({Msg("S", 0, std::string(500, 'x')), Msg("S", 1, "y")}) == PutStatus::PUT_OK);
    const int64_t wrote = f.store->wrote_position();
    CHECK(f.events.WaitUntil([&] { return f.store->flushed_position() >= wrote; }));
  }
  CHECK(f.store->Stats().flush_count >= 1u);
  CHECK(f.store->Stats().flush_count <= 20u);
}

TEST_CASE("store: the transient pool path commits, flushes and dispatches") {
  StoreConfig c = SmallConfig(64 * 1024);
  c.transientStorePoolEnable = 1;
  c.transientStorePoolSize = 2;
  StoreFixture f(c);
  REQUIRE(f.Open().ok);
  for (int i = 0; i < 100; ++i) REQUIRE(f.Append({Msg("P", 0, std::string(1000, 'p'))}) == PutStatus::PUT_OK);
  REQUIRE(f.WaitDispatched());
  CHECK(f.events.WaitUntil([&] { return f.store->flushed_position() >= f.store->wrote_position(); }));
  CHECK_EQ(f.store->MaxOffsetInQueue("P", 0), 100);
  REQUIRE(f.store->Flush().ok);
  f.Close();
  StoreFixture again(c, f.root);
  again.owns_root = false;
  RecoveryInfo info;
  REQUIRE(again.Open(&info).ok);
  CHECK_EQ(again.store->MaxOffsetInQueue("P", 0), 100);
}

TEST_CASE("store: a second open of the same directory is ERR_STORE_LOCKED") {
  StoreFixture f;
  REQUIRE(f.Open().ok);
  StoreFixture second(SmallConfig(), f.root);
  second.owns_root = false;
  StoreResult r = second.Open();
  CHECK(!r.ok);
  CHECK_EQ(r.code, std::string("ERR_STORE_LOCKED"));
  CHECK(f.store->is_open());
  CHECK(f.Append({Msg("T", 0, "still writable")}) == PutStatus::PUT_OK);
}

TEST_CASE("store: foreign files are ERR_STORE_FOREIGN_FILE naming the file") {
  {
    StoreFixture f;
    ::mkdir(f.root.c_str(), 0755);
    const std::string stray = f.root + "/notes.txt";
    ::close(::open(stray.c_str(), O_CREAT | O_WRONLY, 0644));
    StoreResult r = f.Open();
    CHECK_EQ(r.code, std::string("ERR_STORE_FOREIGN_FILE"));
    CHECK_EQ(r.path, stray);
    CHECK(!f.store->is_open());
  }
  {
    StoreFixture f;
    REQUIRE(f.Open().ok);
    REQUIRE(f.Append({Msg("T", 0, "x")}) == PutStatus::PUT_OK);
    f.Close();
    // Right name, wrong size, and data in it (a short zero-filled tail would be dropped instead).
    const std::string odd = f.root + "/commitlog/00000000000001048576";
    const int fd = ::open(odd.c_str(), O_CREAT | O_WRONLY, 0644);
    REQUIRE(::write(fd, "data", 4) == 4);
    ::close(fd);
    StoreResult r = f.Open();
    CHECK_EQ(r.code, std::string("ERR_STORE_FOREIGN_FILE"));
    CHECK_EQ(r.path, odd);
    ::unlink(odd.c_str());
    const std::string misnamed = f.root + "/commitlog/segment-1";
    ::close(::open(misnamed.c_str(), O_CREAT | O_WRONLY, 0644));
    r = f.Open();
    CHECK_EQ(r.code, std::string("ERR_STORE_FOREIGN_FILE"));
    CHECK_EQ(r.path, misnamed);
  }
}

TEST_CASE("store: retention deletes old segments, never the last, then expired ConsumeQueue data") {
  StoreFixture f(SmallConfig(64 * 1024));
  REQUIRE(f.Open().ok);
  for (int i = 0; i < 300; ++i) REQUIRE(f.Append({Msg("R", 0, std::string(1000, 'r'))}) == PutStatus::PUT_OK);
  REQUIRE(f.WaitDispatched());
  REQUIRE(f.store->Flush().ok);
  const auto before = f.store->Stats().commit_log_segments;
  REQUIRE(before >= 4u);
  // Not expired yet: nothing goes.
  CleanResult kept = f.store->CleanExpiredFiles(0, 1000, false, 10);
  CHECK_EQ(kept.commit_log_files_deleted, 0u);
  CleanResult r = f.store->CleanExpiredFiles(INT64_MAX / 2, 0, false, 2);
  CHECK_EQ(r.commit_log_files_deleted, 2u);
  CHECK_EQ(f.store->min_physical_offset(), 2 * 64 * 1024);
  r = f.store->CleanExpiredFiles(0, 1000, true, 100);  // cleanImmediately ignores age
  CHECK_EQ(f.store->Stats().commit_log_segments, 1u);
  CHECK(f.store->MinOffsetInQueue("R", 0) > 0);
  GetResult g;
  f.store->GetMessages("R", 0, 0, 32, 1 << 20, nullptr, 0, &g);
  CHECK(g.status == GetStatus::OFFSET_TOO_SMALL);
  CHECK_EQ(g.next_begin_offset, f.store->MinOffsetInQueue("R", 0));
  GetResult last;
  f.store->GetMessages("R", 0, 299, 32, 1 << 20, nullptr, 0, &last);
  CHECK(last.status == GetStatus::FOUND);
  CHECK(f.Append({Msg("R", 0, "after")}) == PutStatus::PUT_OK);
}

TEST_CASE("store: deleteTopic drops the queues and restarts queue offsets") {
  StoreFixture f;
  REQUIRE(f.Open().ok);
  REQUIRE(f.Append({Msg("D", 0, "a"), Msg("D", 1, "b"), Msg("E", 0, "c")}) == PutStatus::PUT_OK);
  REQUIRE(f.WaitDispatched());
  CHECK_EQ(f.store->DeleteTopic("D"), size_t(2));
  CHECK_EQ(f.store->ListQueues().size(), size_t(1));
  std::vector<double> out;
  REQUIRE(f.Append({Msg("D", 0, "again")}, &out) == PutStatus::PUT_OK);
  CHECK_EQ(out[1], 0.0);
}

TEST_CASE("store: close is idempotent and a closed store refuses appends") {
  StoreFixture f;
  REQUIRE(f.Open().ok);
  REQUIRE(f.store->Close().ok);
  REQUIRE(f.store->Close().ok);
  CHECK(f.Append({Msg("T", 0, "late")}) == PutStatus::SERVICE_NOT_AVAILABLE);
  CHECK_EQ(f.store->Open(nullptr).code, std::string("ERR_STORE_NOT_OPEN"));
}
