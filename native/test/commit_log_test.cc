#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "bench_ceilings.h"
#include "byte_order.h"
#include "check.h"
#include "commit_log.h"
#include "crc32.h"
#include "record_layout.h"
#include "record_parser.h"
#include "store_fixture.h"
#include "store_test_util.h"

using namespace cometmq;
using namespace cometmq_test;

namespace {

struct LogFixture {
  explicit LogFixture(StoreConfig config = SmallConfig(64 * 1024)) : root(MakeTempDir("commitlog")) {
    dir = root + "/commitlog";
    ::mkdir(dir.c_str(), 0755);
    log = std::make_unique<CommitLog>(config, dir);
    REQUIRE(log->Load().ok);
    log->StartAt(0);
  }
  ~LogFixture() {
    log.reset();
    RemoveTree(root);
  }
  PutStatus Append(const std::vector<TestMessage>& ms, std::vector<double>* out) {
    auto batch = EncodeBatch(ms);
    out->assign(2 * ms.size() + 1, -1);
    return log->AppendBatch(batch.data(), batch.size(), static_cast<uint32_t>(ms.size()), out->data());
  }
  std::string root;
  std::string dir;
  std::unique_ptr<CommitLog> log;
};

TestMessage Sized(size_t body, const std::string& topic = "TopicA", int32_t queue = 0) {
  TestMessage m;
  m.topic = topic;
  m.queue_id = queue;
  m.body.assign(body, 'b');
  return m;
}

}  // namespace

TEST_CASE("commit log: append stamps offsets, store time and body CRC; queue offsets per topic/queue") {
  LogFixture f;
  std::vector<double> out;
  std::vector<TestMessage> ms = {Sized(10, "A", 0), Sized(20, "A", 1), Sized(30, "A", 0), Sized(40, "B", 0)};
  REQUIRE(f.Append(ms, &out) == PutStatus::PUT_OK);
  CHECK_EQ(out[0], 0.0);
  CHECK_EQ(out[1], 0.0);  // A-0 #0
  CHECK_EQ(out[3], 0.0);  // A-1 #0
  CHECK_EQ(out[5], 1.0);  // A-0 #1
  CHECK_EQ(out[7], 0.0);  // B-0 #0
  CHECK(out[8] > 1.6e12);
  const int64_t end = f.log->wrote_position();
  CHECK_EQ(end, static_cast<int64_t>(EncodeBatch(ms).size()));
  CHECK_EQ(f.log->committed_position(), end);
  for (size_t i = 0; i < ms.size(); ++i) {
    CommitLogSlice s;
    const auto expected = EncodeRecord(ms[i]);
    REQUIRE(f.log->Slice(static_cast<int64_t>(out[2 * i]), static_cast<int64_t>(expected.size()), &s));
    RecordView v;
    REQUIRE(ParseRecord(s.data, s.size, &v) == RecordCheck::kOk);
    CHECK_EQ(v.physical_offset, static_cast<int64_t>(out[2 * i]));
    CHECK_EQ(v.queue_offset, static_cast<int64_t>(out[2 * i + 1]));
    CHECK_EQ(v.store_timestamp, static_cast<int64_t>(out[2 * ms.size()]));
    CHECK_EQ(v.body_crc, BodyCrc(s.data + v.body_pos, v.body_length));
    CHECK_EQ(f.log->StoreTimestampAt(v.physical_offset), v.store_timestamp);
  }
  std::vector<double> out2;
  REQUIRE(f.Append({Sized(5, "A", 0)}, &out2) == PutStatus::PUT_OK);
  CHECK_EQ(out2[1], 2.0);
  CHECK_EQ(out2[0], static_cast<double>(end));
}

TEST_CASE("commit log: PREPARED and ROLLBACK records get queue offset 0 and do not advance the queue") {
  LogFixture f;
  std::vector<TestMessage> ms = {Sized(1), Sized(1), Sized(1), Sized(1), Sized(1)};
  ms[1].sys_flag = record::kSysFlagTransactionPrepared;
  ms[2].sys_flag = record::kSysFlagTransactionRollback;
  ms[3].sys_flag = record::kSysFlagTransactionCommit;
  std::vector<double> out;
  REQUIRE(f.Append(ms, &out) == PutStatus::PUT_OK);
  CHECK_EQ(out[1], 0.0);
  CHECK_EQ(out[3], 0.0);
  CHECK_EQ(out[5], 0.0);
  CHECK_EQ(out[7], 1.0);
  CHECK_EQ(out[9], 2.0);
}

TEST_CASE("commit log: records roll across tiny segments behind a blank filler") {
  LogFixture f;  // 64 KiB segments
  std::vector<double> out;
  int64_t last_end = 0;
  int rolls = 0;
  for (int i = 0; i < 40; ++i) {
    std::vector<TestMessage> batch(4, Sized(1000 + i));
    REQUIRE(f.Append(batch, &out) == PutStatus::PUT_OK);
    for (int k = 0; k < 4; ++k) {
      const int64_t phy = static_cast<int64_t>(out[2 * k]);
      const int64_t size = static_cast<int64_t>(EncodeRecord(batch[k]).size());
      if (phy != last_end) {
        // Rolled: the gap is a blank filler reaching exactly to the segment end.
        ++rolls;
        CHECK_EQ(phy % (64 * 1024), 0);
        CommitLogSlice blank;
        REQUIRE(f.log->Slice(last_end, 8, &blank));
        CHECK_EQ(LoadU32BE(blank.data + 4), record::kBlankMagicCode);
        CHECK_EQ(static_cast<int64_t>(LoadU32BE(blank.data)), phy - last_end);
      }
      CHECK_EQ(phy / (64 * 1024), (phy + size - 1) / (64 * 1024));  // never spans segments
      last_end = phy + size;
    }
  }
  CHECK(rolls >= 2);
  CHECK_EQ(static_cast<int>(f.log->files().count()), rolls + 1);
  const auto names = ListDir(f.dir);
  REQUIRE(names.size() >= 2u);
  CHECK_EQ(names[0], std::string("00000000000000000000"));
  CHECK_EQ(names[1], std::string("00000000000000065536"));
  CHECK_EQ(FileSize(f.dir + "/" + names[0]), 64 * 1024);
}

TEST_CASE("commit log: an invalid batch is refused whole and changes nothing") {
  LogFixture f;
  std::vector<double> out;
  REQUIRE(f.Append({Sized(10)}, &out) == PutStatus::PUT_OK);
  const int64_t before = f.log->wrote_position();

  auto batch = EncodeBatch({Sized(10), Sized(10), Sized(10)});
  const size_t second = EncodeRecord(Sized(10)).size();
  auto broken = batch;
  StoreU32BE(broken.data() + second + 4, 0xDEADBEEF);  // bad magic in the 2nd record
  std::vector<double> o(7);
  CHECK(f.log->AppendBatch(broken.data(), broken.size(), 3, o.data()) == PutStatus::MESSAGE_ILLEGAL);
  CHECK(f.log->AppendBatch(batch.data(), batch.size() - 1, 3, o.data()) == PutStatus::MESSAGE_ILLEGAL);
  CHECK(f.log->AppendBatch(batch.data(), batch.size(), 2, o.data()) == PutStatus::MESSAGE_ILLEGAL);  // trailing bytes

  TestMessage big = Sized(64 * 1024 + 1);
  CHECK(f.Append({Sized(1), big}, &out) == PutStatus::MESSAGE_ILLEGAL);
  TestMessage props = Sized(1);
  props.properties = Properties({{"K", std::string(40000, 'v')}});
  CHECK(f.Append({Sized(1), props}, &out) == PutStatus::PROPERTIES_SIZE_EXCEEDED);
  TestMessage no_topic = Sized(1);
  no_topic.topic = "";
  CHECK(f.Append({no_topic}, &out) == PutStatus::MESSAGE_ILLEGAL);

  CHECK_EQ(f.log->wrote_position(), before);
  REQUIRE(f.Append({Sized(10)}, &out) == PutStatus::PUT_OK);
  CHECK_EQ(out[0], static_cast<double>(before));
  CHECK_EQ(out[1], 1.0);  // the refused batches consumed no queue offsets
}

TEST_CASE("commit log: a segment that cannot be created fails the batch cleanly; later appends succeed") {
  LogFixture f;
  std::vector<double> out;
  REQUIRE(f.Append({Sized(1000)}, &out) == PutStatus::PUT_OK);
  // Creating the next segment fails (file size limit -> EFBIG), as a full disk would (ENOSPC).
  std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit saved {};
  ::getrlimit(RLIMIT_FSIZE, &saved);
  struct rlimit limited = saved;
  limited.rlim_cur = 4096;
  ::setrlimit(RLIMIT_FSIZE, &limited);
  const int64_t before = f.log->wrote_position();
  std::vector<TestMessage> big(150, Sized(1000));  // needs two more segments (one may be pre-allocated)
  const PutStatus status = f.Append(big, &out);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  CHECK(status == PutStatus::CREATE_MAPPED_FILE_FAILED);
  CHECK_EQ(f.log->last_append_error().code, std::string("EFBIG"));
  CHECK_EQ(f.log->wrote_position(), before);
  CommitLogSlice s;
  CHECK(!f.log->Slice(before, 8, &s));
  REQUIRE(f.Append(big, &out) == PutStatus::PUT_OK);
  CHECK_EQ(out[1], 1.0);
  CHECK(f.log->files().count() >= 2u);
}

TEST_CASE("commit log: with the transient pool, readers see data only after commit") {
  StoreConfig c = SmallConfig(64 * 1024);
  c.transientStorePoolEnable = 1;
  c.transientStorePoolSize = 2;
  LogFixture f(c);
  std::vector<double> out;
  // The first segment is created by the first append, so it gets a pool buffer.
  REQUIRE(f.Append({Sized(100), Sized(100)}, &out) == PutStatus::PUT_OK);
  CHECK(f.log->wrote_position() > 0);
  CHECK_EQ(f.log->committed_position(), 0);
  CommitLogSlice s;
  CHECK(!f.log->Slice(0, 8, &s));
  CHECK(!f.log->CommitDirty(4));  // less than 4 pages pending
  CHECK(f.log->CommitDirty(0));
  CHECK_EQ(f.log->committed_position(), f.log->wrote_position());
  REQUIRE(f.log->Slice(0, static_cast<int64_t>(EncodeRecord(Sized(100)).size()), &s));
  RecordView v;
  CHECK(ParseRecord(s.data, s.size, &v) == RecordCheck::kOk);
  // Fill past several segments: buffers are returned and reused, filler tails are zero in the file.
  for (int i = 0; i < 200; ++i) {
    REQUIRE(f.Append({Sized(1500)}, &out) == PutStatus::PUT_OK);
    if (i % 10 == 0) f.log->CommitDirty(0);
  }
  f.log->CommitDirty(0);
  CHECK_EQ(f.log->committed_position(), f.log->wrote_position());
  StoreResult err;
  CHECK(f.log->Flush(0, &err));
  CHECK_EQ(f.log->flushed_position(), f.log->wrote_position());
  int64_t pos = 0;
  int records = 0;
  while (pos < f.log->wrote_position()) {
    auto seg = f.log->files().FindByOffset(pos);
    REQUIRE(seg);
    RecordView rv;
    const RecordCheck check = ParseRecord(seg->data() + (pos - seg->file_from_offset()),
                                          static_cast<size_t>(seg->end_offset() - pos), &rv);
    if (check == RecordCheck::kBlank) {
      for (int64_t k = pos + 8; k < seg->end_offset(); ++k) REQUIRE(seg->data()[k - seg->file_from_offset()] == 0);
      pos = seg->end_offset();
      continue;
    }
    REQUIRE(check == RecordCheck::kOk);
    CHECK_EQ(rv.physical_offset, pos);
    pos += rv.total_size;
    ++records;
  }
  CHECK_EQ(records, 202);
}

TEST_CASE("commit log: flush with least pages waits for enough dirty pages; thorough flush takes all") {
  LogFixture f;
  std::vector<double> out;
  REQUIRE(f.Append({Sized(100)}, &out) == PutStatus::PUT_OK);
  StoreResult err;
  CHECK(!f.log->Flush(4, &err));
  CHECK_EQ(f.log->flushed_position(), 0);
  CHECK(f.log->Flush(0, &err));
  CHECK_EQ(f.log->flushed_position(), f.log->wrote_position());
  CHECK(err.ok);
}

StoreConfig SyncConfig(int64_t segment_bytes) {
  StoreConfig c = SmallConfig(segment_bytes);
  c.flushDiskType = kSyncFlush;
  return c;
}

// The transient pool's commits are what still store into the mapping, so what the prefetch is for.
StoreConfig PoolConfig(int64_t segment_bytes) {
  StoreConfig c = SmallConfig(segment_bytes);
  c.transientStorePoolEnable = 1;
  c.transientStorePoolSize = 2;
  return c;
}

namespace {
// True once the page at `pos` of the mapping is in the page cache (mincore), polled up to 10 s.
bool BecomesResident(const uint8_t* data, int64_t pos) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    unsigned char vec = 0;
    if (::mincore(const_cast<uint8_t*>(data) + (pos & ~int64_t{4095}), 4096, &vec) == 0 && (vec & 1)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}
}  // namespace

TEST_CASE("commit log (transient pool): the pages ahead of the appends are brought into the page cache in the background") {
  // 64 MiB segments: the 16 MiB prefetch window lies well beyond a fault's own read-ahead.
  LogFixture f(PoolConfig(64 << 20));
  std::vector<double> out;
  REQUIRE(f.Append({Sized(1000)}, &out) == PutStatus::PUT_OK);
  auto segment = f.log->files().Last();
  REQUIRE(segment != nullptr);
  CHECK(BecomesResident(segment->data(), 12 << 20));
  CHECK(BecomesResident(segment->data(), (16 << 20) - 4096));
  // The window moves with the appends, a step at a time.
  std::vector<TestMessage> big(9, Sized(60 * 1024));
  for (int i = 0; i < 16; ++i) REQUIRE(f.Append(big, &out) == PutStatus::PUT_OK);
  REQUIRE(f.log->wrote_position() > (8 << 20));
  CHECK(BecomesResident(segment->data(), f.log->wrote_position() + (14 << 20)));
}

TEST_CASE("commit log (transient pool): the next segment's first pages are prefetched when it is created ahead") {
  LogFixture f(PoolConfig(32 << 20));
  std::vector<double> out;
  REQUIRE(f.Append({Sized(1000)}, &out) == PutStatus::PUT_OK);
  // The allocator creates the segment at 32 MiB once the first one is in use; wait for its file.
  const std::string next = f.dir + "/" + MappedFile::FileName(32 << 20);
  std::unique_ptr<MappedFile> view;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!MappedFile::Open(next, 32 << 20, 32 << 20, &view).ok && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  REQUIRE(view != nullptr);
  // mincore of our own mapping of the file reports the page cache, whoever brought the pages in.
  CHECK(BecomesResident(view->data(), 12 << 20));
}

TEST_CASE("commit log (transient pool): with the pool dry, what the mapping holds is still a prefix of the log") {
  // Two buffers and no commit thread: the third segment finds the pool empty. Were it written
  // through its mapping while the first two still held their records in buffers, a crash would
  // keep the third and lose the first two: a hole, not a lost tail.
  LogFixture f(PoolConfig(64 * 1024));
  std::vector<double> out;
  for (int i = 0; i < 40; ++i) REQUIRE(f.Append({Sized(4000), Sized(3000)}, &out) == PutStatus::PUT_OK);
  const auto segments = f.log->files().Snapshot();
  REQUIRE(segments.size() >= 4);
  // Walk the records through the mappings from offset 0 up to the first one missing there.
  int64_t pos = 0;
  for (const auto& seg : segments) {
    if (pos < seg->file_from_offset()) break;
    while (pos + 8 <= seg->end_offset()) {
      const uint8_t* at = seg->data() + (pos - seg->file_from_offset());
      const int32_t size = LoadI32BE(at + record::kOffsetTotalSize);
      const uint32_t magic = LoadU32BE(at + record::kOffsetMagic);
      if (magic == record::kBlankMagicCode) {
        pos = seg->end_offset();
        break;
      }
      if (size <= 0 || (magic != record::kMessageMagicCodeV2 && magic != record::kMessageMagicCode)) break;
      pos += size;
    }
    if (pos < seg->end_offset()) break;
  }
  CHECK(pos > 0);  // some of it was committed on the way
  CHECK(pos <= f.log->wrote_position());
  // Beyond that point, the mappings hold nothing at all.
  int64_t stray = -1;
  for (const auto& seg : segments) {
    for (int64_t p = std::max(pos, seg->file_from_offset()); p < seg->end_offset() && stray < 0; ++p) {
      if (seg->data()[p - seg->file_from_offset()] != 0) stray = p;
    }
  }
  CHECK(stray == -1);
  // And a full commit still brings the whole log into the mappings.
  REQUIRE(f.log->CommitDirty(0));
  CHECK(f.log->committed_position() == f.log->wrote_position());
}

TEST_CASE("commit log (SYNC_FLUSH): pwrite'd batches are stamped in place, readable, flushed and reopened") {
  const StoreConfig c = SyncConfig(64 * 1024);
  LogFixture f(c);
  std::vector<double> out;
  std::vector<std::vector<uint8_t>> sent;  // each record as the caller's buffer held it afterwards
  std::vector<int64_t> offsets;
  for (int i = 0; i < 60; ++i) {
    std::vector<TestMessage> ms = {Sized(900 + i, "S", 0), Sized(1100, "S", 1), Sized(700 + i, "S", 0)};
    auto batch = EncodeBatch(ms);
    out.assign(2 * ms.size() + 1, -1);
    REQUIRE(f.log->AppendBatch(batch.data(), batch.size(), 3, out.data()) == PutStatus::PUT_OK);
    size_t pos = 0;
    for (size_t k = 0; k < ms.size(); ++k) {
      const size_t size = EncodeRecord(ms[k]).size();
      // The batch buffer itself carries the four store-owned fields now (documented contract).
      RecordView v;
      REQUIRE(ParseRecord(batch.data() + pos, size, &v) == RecordCheck::kOk);
      CHECK_EQ(v.physical_offset, static_cast<int64_t>(out[2 * k]));
      CHECK_EQ(v.queue_offset, static_cast<int64_t>(out[2 * k + 1]));
      CHECK_EQ(v.store_timestamp, static_cast<int64_t>(out[2 * ms.size()]));
      CHECK_EQ(v.body_crc, BodyCrc(batch.data() + pos + v.body_pos, v.body_length));
      sent.emplace_back(batch.begin() + static_cast<long>(pos), batch.begin() + static_cast<long>(pos + size));
      offsets.push_back(v.physical_offset);
      pos += size;
    }
  }
  CHECK_EQ(f.log->committed_position(), f.log->wrote_position());
  CHECK(f.log->files().count() >= 3u);
  // Readers see every record through the mapping (the page cache pwrite filled).
  for (size_t i = 0; i < sent.size(); ++i) {
    CommitLogSlice s;
    REQUIRE(f.log->Slice(offsets[i], static_cast<int64_t>(sent[i].size()), &s));
    CHECK(std::equal(sent[i].begin(), sent[i].end(), s.data));
    RecordView v;
    REQUIRE(ParseRecord(sent[i].data(), sent[i].size(), &v) == RecordCheck::kOk);
    CHECK_EQ(f.log->StoreTimestampAt(offsets[i]), v.store_timestamp);
  }
  // Every segment but the last ends with a blank filler written through the fd as well.
  const auto segments = f.log->files().Snapshot();
  for (size_t k = 0; k + 1 < segments.size(); ++k) {
    int64_t pos = segments[k]->file_from_offset();
    RecordView v;
    RecordCheck check = RecordCheck::kOk;
    while ((check = ParseRecord(segments[k]->data() + (pos - segments[k]->file_from_offset()),
                                static_cast<size_t>(segments[k]->end_offset() - pos), &v)) == RecordCheck::kOk) {
      pos += v.total_size;
    }
    REQUIRE(check == RecordCheck::kBlank);
    const auto header = ReadBytesAt(segments[k]->path(), pos - segments[k]->file_from_offset(), 8);
    CHECK_EQ(static_cast<int64_t>(LoadU32BE(header.data())), segments[k]->end_offset() - pos);
    CHECK_EQ(LoadU32BE(header.data() + 4), record::kBlankMagicCode);
  }
  StoreResult err;
  REQUIRE(f.log->Flush(0, &err));
  CHECK(err.ok);
  CHECK_EQ(f.log->flushed_position(), f.log->wrote_position());
  CHECK_EQ(f.log->flush_count(), 1u);

  // A fresh CommitLog over the same files reads the same bytes (the files, not a cache of ours).
  const int64_t wrote = f.log->wrote_position();
  f.log.reset();
  CommitLog reopened(c, f.dir);
  REQUIRE(reopened.Load().ok);
  reopened.StartAt(wrote);
  for (size_t i = 0; i < sent.size(); ++i) {
    CommitLogSlice s;
    REQUIRE(reopened.Slice(offsets[i], static_cast<int64_t>(sent[i].size()), &s));
    CHECK(std::equal(sent[i].begin(), sent[i].end(), s.data));
  }
}

TEST_CASE("commit log (SYNC_FLUSH): a batch whose first record rolls writes the filler alone, then the record") {
  LogFixture f(SyncConfig(64 * 1024));
  std::vector<double> out;
  int64_t last_end = 0;
  int rolls = 0;
  for (int i = 0; i < 150 && rolls < 2; ++i) {
    REQUIRE(f.Append({Sized(1000 + i)}, &out) == PutStatus::PUT_OK);
    const int64_t phy = static_cast<int64_t>(out[0]);
    if (phy != last_end) {
      ++rolls;
      auto seg = f.log->files().FindByOffset(last_end);
      REQUIRE(seg);
      const auto header = ReadBytesAt(seg->path(), last_end - seg->file_from_offset(), 8);
      CHECK_EQ(static_cast<int64_t>(LoadU32BE(header.data())), phy - last_end);
      CHECK_EQ(LoadU32BE(header.data() + 4), record::kBlankMagicCode);
    }
    CommitLogSlice s;
    const int64_t size = static_cast<int64_t>(EncodeRecord(Sized(1000 + i)).size());
    REQUIRE(f.log->Slice(phy, size, &s));
    RecordView v;
    REQUIRE(ParseRecord(s.data, s.size, &v) == RecordCheck::kOk);
    CHECK_EQ(v.physical_offset, phy);
    last_end = phy + size;
  }
  CHECK_EQ(rolls, 2);
}

// Both flush types append with pwrite (only the transient pool stores into the mapping).
static void CheckFailedPwrite(const StoreConfig& config) {
  LogFixture f(config);
  std::vector<double> out;
  REQUIRE(f.Append({Sized(6000, "S", 0)}, &out) == PutStatus::PUT_OK);
  const int64_t before = f.log->wrote_position();
  // Writing past RLIMIT_FSIZE fails with EFBIG even inside the fallocated file: a stand-in for EIO.
  std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit saved {};
  ::getrlimit(RLIMIT_FSIZE, &saved);
  struct rlimit limited = saved;
  limited.rlim_cur = 4096;
  ::setrlimit(RLIMIT_FSIZE, &limited);
  const PutStatus status = f.Append({Sized(100, "S", 0), Sized(100, "S", 0)}, &out);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  CHECK(status == PutStatus::UNKNOWN_ERROR);
  CHECK_EQ(f.log->last_append_error().code, std::string("EFBIG"));
  CHECK_EQ(f.log->wrote_position(), before);
  CHECK_EQ(f.log->committed_position(), before);
  CHECK_EQ(f.log->topic_queues().Slot("S", 0), 1);  // only the first record's offset stays taken
  CommitLogSlice s;
  CHECK(!f.log->Slice(before, 8, &s));
  CHECK(f.log->flush_failed());
  CHECK(f.Append({Sized(100, "S", 0)}, &out) == PutStatus::SERVICE_NOT_AVAILABLE);
  StoreResult err;
  CHECK(!f.log->Flush(0, &err));
  CHECK(!err.ok);
}

TEST_CASE("commit log (SYNC_FLUSH): a failed pwrite publishes nothing, returns its queue offsets, fails the log") {
  CheckFailedPwrite(SyncConfig(64 * 1024));
}

TEST_CASE("commit log (ASYNC_FLUSH): a failed pwrite publishes nothing, returns its queue offsets, fails the log") {
  CheckFailedPwrite(SmallConfig(64 * 1024));
}

TEST_CASE("store (SYNC_FLUSH): acknowledged appends are served by getMessages and lookMessageByOffset, before and after reopen") {
  StoreFixture f(SyncConfig(64 * 1024));
  REQUIRE(f.Open().ok);
  std::vector<std::vector<uint8_t>> stored;
  std::vector<int64_t> offsets;
  for (int i = 0; i < 60; ++i) {
    std::vector<double> out;
    const TestMessage m = Msg("SyncTopic", 2, std::string(1500 + i, static_cast<char>('a' + i % 26)), "tag");
    REQUIRE(f.Append({m}, &out) == PutStatus::PUT_OK);
    offsets.push_back(static_cast<int64_t>(out[0]));
    stored.push_back(EncodeRecord(m));
    const int64_t wrote = f.store->wrote_position();
    REQUIRE(f.events.WaitUntil([&] { return f.store->flushed_position() >= wrote; }));
  }
  REQUIRE(f.WaitDispatched());
  auto check_all = [&](MessageStore& store) {
    size_t i = 0;
    while (i < stored.size()) {  // a pull returns at most maxTransferCount records: page through
      GetResult r;
      store.GetMessages("SyncTopic", 2, static_cast<int64_t>(i), 100, 1 << 24, nullptr, 0, &r);
      REQUIRE(r.status == GetStatus::FOUND);
      REQUIRE(!r.found.records.empty());
      for (const auto& rec : r.found.records) {
        REQUIRE(i < stored.size());
        RecordView v;
        REQUIRE(ParseRecord(rec.first, rec.second, &v) == RecordCheck::kOk);
        CHECK_EQ(v.queue_offset, static_cast<int64_t>(i));
        CHECK_EQ(v.physical_offset, offsets[i]);
        CHECK_EQ(std::string(reinterpret_cast<const char*>(rec.first + v.body_pos), v.body_length),
                 std::string(reinterpret_cast<const char*>(stored[i].data()) + v.body_pos, v.body_length));
        CommitLogSlice looked;
        REQUIRE(store.LookMessageByOffset(offsets[i], &looked));
        CHECK_EQ(looked.size, static_cast<int64_t>(rec.second));
        CHECK(std::equal(looked.data, looked.data + looked.size, rec.first));
        ++i;
      }
    }
    CHECK_EQ(i, stored.size());
  };
  check_all(*f.store);
  CHECK(f.store->Stats().flush_count >= 1u);
  f.Close();
  StoreFixture again(SyncConfig(64 * 1024), f.root);
  again.owns_root = false;
  RecoveryInfo info;
  REQUIRE(again.Open(&info).ok);
  CHECK(info.last_exit_ok);
  CHECK_EQ(info.truncated_bytes, 0);
  check_all(*again.store);
  std::vector<double> out;
  REQUIRE(again.Append({Msg("SyncTopic", 2, "after reopen")}, &out) == PutStatus::PUT_OK);
  CHECK_EQ(out[1], 60.0);
  REQUIRE(again.WaitDispatched());
  CHECK_EQ(again.store->MaxOffsetInQueue("SyncTopic", 2), 61);
}

TEST_CASE("bench ceilings: memcpy into a fresh mmap and write+fdatasync groups, scratch file removed") {
  const std::string dir = MakeTempDir("ceilings");
  const std::string path = dir + "/scratch";
  int64_t nanos = 0;
  REQUIRE(MemcpyIntoMmapNanos(path, 1 << 20, 1024, true, &nanos).ok);
  CHECK(nanos > 0);
  CHECK_EQ(FileSize(path), -1);
  std::vector<double> latencies;
  REQUIRE(WriteWithFdatasyncNanos(path, 256 * 1024, 4096, 64 * 1024, &latencies).ok);
  CHECK_EQ(latencies.size(), size_t(4));
  for (double l : latencies) CHECK(l > 0);
  CHECK_EQ(FileSize(path), -1);
  CHECK_EQ(MemcpyIntoMmapNanos(dir + "/missing/x", 4096, 1024, false, &nanos).code, std::string("ENOENT"));
  RemoveTree(dir);
}
