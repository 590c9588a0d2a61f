// Recovery: clean reopen, crash (abort marker) with torn tails, damage in the middle of the log,
// lost ConsumeQueues.
#include <unistd.h>

#include <cstdlib>

#include <string>

#include "byte_order.h"
#include "check.h"
#include "commit_log.h"
#include "record_layout.h"
#include "record_parser.h"
#include "store_fixture.h"

using namespace cometmq;
using namespace cometmq_test;

namespace {

constexpr int64_t kSegment = 64 * 1024;

std::string SegmentPath(const std::string& root, int64_t phy) {
  return root + "/commitlog/" + MappedFile::FileName(phy - phy % kSegment);
}

// Writes `count` messages to a fresh store and closes it; returns their physical offsets.
std::vector<int64_t> Populate(StoreFixture& f, int count, size_t body = 700) {
  REQUIRE(f.Open().ok);
  std::vector<int64_t> phys;
  for (int i = 0; i < count; ++i) {
    std::vector<double> out;
    REQUIRE(f.Append({Msg("Q", i % 2, std::string(body, static_cast<char>('a' + i % 26)) + std::to_string(i))}, &out) ==
            PutStatus::PUT_OK);
    phys.push_back(static_cast<int64_t>(out[0]));
  }
  REQUIRE(f.WaitDispatched());
  f.Close();
  return phys;
}

void SimulateCrash(const std::string& root) { REQUIRE(CreateAbortMarker(root).ok); }

int64_t RecordSizeAt(const std::string& root, int64_t phy) {
  const auto head = ReadBytesAt(SegmentPath(root, phy), phy % kSegment, 4);
  return LoadI32BE(head.data());
}

}  // namespace

TEST_CASE("recovery: a clean reopen keeps everything and continues queue offsets") {
  StoreFixture f(SmallConfig(kSegment));
  const auto phys = Populate(f, 200);
  RecoveryInfo info;
  REQUIRE(f.Open(&info).ok);
  CHECK(info.last_exit_ok);
  CHECK_EQ(info.truncated_bytes, 0);
  CHECK_EQ(info.max_physical_offset, phys.back() + RecordSizeAt(f.root, phys.back()));
  CHECK_EQ(f.store->MaxOffsetInQueue("Q", 0), 100);
  CHECK_EQ(f.store->MaxOffsetInQueue("Q", 1), 100);
  std::vector<double> out;
  REQUIRE(f.Append({Msg("Q", 1, "next")}, &out) == PutStatus::PUT_OK);
  CHECK_EQ(out[1], 100.0);
  CHECK_EQ(out[0], static_cast<double>(info.max_physical_offset));
}

TEST_CASE("recovery: after a crash a truncated last record is cut off") {
  StoreFixture f(SmallConfig(kSegment));
  const auto phys = Populate(f, 50);
  const int64_t end = phys.back() + RecordSizeAt(f.root, phys.back());
  // A torn write: the first 300 bytes of a further record, the rest never reached the disk.
  TestMessage torn = Msg("Q", 0, std::string(700, 'z'));
  auto bytes = EncodeRecord(torn);
  StoreI64BE(bytes.data() + record::kOffsetPhysicalOffset, end);
  WriteBytesAt(SegmentPath(f.root, end), end % kSegment, bytes.data(), 300);
  SimulateCrash(f.root);
  RecoveryInfo info;
  REQUIRE(f.Open(&info).ok);
  CHECK(!info.last_exit_ok);
  CHECK_EQ(info.max_physical_offset, end);
  CHECK_EQ(info.truncated_bytes, 300);
  CHECK(ReadBytesAt(SegmentPath(f.root, end), end % kSegment, 300) == std::vector<uint8_t>(300, 0));
  CHECK_EQ(f.store->MaxOffsetInQueue("Q", 0), 25);
  std::vector<double> out;
  REQUIRE(f.Append({Msg("Q", 0, "after")}, &out) == PutStatus::PUT_OK);
  CHECK_EQ(out[0], static_cast<double>(end));
  CHECK_EQ(out[1], 25.0);
}

TEST_CASE("recovery: a bit-flipped last record is cut off and its queue unit dropped") {
  StoreFixture f(SmallConfig(kSegment));
  const auto phys = Populate(f, 51);
  const int64_t last = phys.back();
  const int64_t size = RecordSizeAt(f.root, last);
  auto byte = ReadBytesAt(SegmentPath(f.root, last), last % kSegment + 100, 1);
  byte[0] ^= 0x10;  // inside the body (it starts at byte 88 with IPv4 hosts)
  WriteBytesAt(SegmentPath(f.root, last), last % kSegment + 100, byte.data(), 1);
  SimulateCrash(f.root);
  RecoveryInfo info;
  REQUIRE(f.Open(&info).ok);
  CHECK_EQ(info.max_physical_offset, last);
  CHECK_EQ(info.truncated_bytes, size);
  CHECK_EQ(f.store->MaxOffsetInQueue("Q", 0), 25);  // message #50 went to queue 0 and is gone
  CommitLogSlice s;
  CHECK(!f.store->LookMessageByOffset(last, &s));
  GetResult g;
  f.store->GetMessages("Q", 0, 24, 32, 1 << 20, nullptr, 0, &g);
  CHECK_EQ(g.found.records.size(), size_t(1));
}

TEST_CASE("recovery: a zeroed last record ends the log there") {
  StoreFixture f(SmallConfig(kSegment));
  const auto phys = Populate(f, 11);
  const int64_t last = phys.back();
  const int64_t size = RecordSizeAt(f.root, last);
  std::vector<uint8_t> zeros(static_cast<size_t>(size), 0);
  WriteBytesAt(SegmentPath(f.root, last), last % kSegment, zeros.data(), zeros.size());
  SimulateCrash(f.root);
  RecoveryInfo info;
  REQUIRE(f.Open(&info).ok);
  CHECK_EQ(info.max_physical_offset, last);
  CHECK_EQ(info.truncated_bytes, 0);
  CHECK_EQ(f.store->MaxOffsetInQueue("Q", 0), 5);
}

TEST_CASE("recovery: damage in the middle of the log is ERR_STORE_CORRUPT with file and offset") {
  StoreFixture f(SmallConfig(kSegment));
  const auto phys = Populate(f, 200);
  // One damaged record early in the log (found by crash recovery, which rescans from the start
  // here) and, for a clean restart, one in the newest segment (rescanned in both cases).
  for (const int64_t victim : {phys[30], phys[195]}) {
    const std::string path = SegmentPath(f.root, victim);
    auto byte = ReadBytesAt(path, victim % kSegment + 120, 1);
    byte[0] ^= 0xFF;
    WriteBytesAt(path, victim % kSegment + 120, byte.data(), 1);
    const auto before = ReadBytesAt(path, 0, kSegment);
    for (bool crash : {false, true}) {
      if (crash) SimulateCrash(f.root);
      if (!crash && victim == phys[30]) continue;  // a clean restart trusts segments older than the last three
      StoreResult r = f.Open();
      CHECK_EQ(r.code, std::string("ERR_STORE_CORRUPT"));
      CHECK_EQ(r.path, path);
      CHECK_EQ(r.offset, victim);
      CHECK(!f.store->is_open());
      CHECK(AbortMarkerExists(f.root) == crash);
    }
    CHECK(ReadBytesAt(path, 0, kSegment) == before);  // nothing truncated
    CHECK_EQ(ListDir(f.root + "/commitlog").size(), size_t(phys.back() / kSegment + 1));
    byte[0] ^= 0xFF;
    WriteBytesAt(path, victim % kSegment + 120, byte.data(), 1);
    REQUIRE(RemoveAbortMarker(f.root).ok);
  }
}

TEST_CASE("recovery: a last record whose properties never reached the disk is cut off (its CRC still passes)") {
  StoreFixture f(SmallConfig(kSegment));
  const auto phys = Populate(f, 21);
  const int64_t last = phys.back();
  const int64_t size = RecordSizeAt(f.root, last);
  std::vector<uint8_t> zeros(40, 0);  // the properties' tail only: the body and its CRC are intact
  WriteBytesAt(SegmentPath(f.root, last), last % kSegment + size - 40, zeros.data(), zeros.size());
  SimulateCrash(f.root);
  RecoveryInfo info;
  REQUIRE(f.Open(&info).ok);
  CHECK_EQ(info.max_physical_offset, last);
  CHECK_EQ(f.store->MaxOffsetInQueue("Q", 0), 10);
}

namespace {
void SetCheckpointConfirmOffset(const std::string& root, int64_t offset) {
  uint8_t field[8];
  StoreI64BE(field, offset);
  WriteBytesAt(root + "/checkpoint", 32, field, sizeof field);
}
}  // namespace

TEST_CASE("recovery: a lost page write beyond the checkpointed flush is a torn tail, below it corruption") {
  StoreFixture f(SmallConfig(kSegment));
  const auto phys = Populate(f, 200);
  // Zero one whole page in the newest segment, records after it intact (a power cut persisted
  // later pages but not that one).
  const int64_t page = (phys[185] + 4096) & ~int64_t{4095};
  size_t first_hit = 0;
  while (phys[first_hit] + RecordSizeAt(f.root, phys[first_hit]) <= page) ++first_hit;
  REQUIRE(first_hit + 3 < phys.size());
  std::vector<uint8_t> zeros(4096, 0);
  const std::string path = SegmentPath(f.root, page);

  SetCheckpointConfirmOffset(f.root, phys[185]);  // flushed only up to before the page
  SimulateCrash(f.root);
  WriteBytesAt(path, page % kSegment, zeros.data(), zeros.size());
  // The same damage inside the range the checkpoint knows to be flushed: corruption.
  {
    StoreFixture copy(SmallConfig(kSegment), MakeTempDir("store-copy"));
    REQUIRE(std::system(("cp -a " + f.root + "/. " + copy.root + "/").c_str()) == 0);
    SetCheckpointConfirmOffset(copy.root, phys.back());
    StoreResult r = copy.Open();
    CHECK_EQ(r.code, std::string("ERR_STORE_CORRUPT"));
    CHECK_EQ(r.offset, phys[first_hit]);
  }
  RecoveryInfo info;
  REQUIRE(f.Open(&info).ok);
  CHECK_EQ(info.max_physical_offset, phys[first_hit]);
  CHECK(info.truncated_bytes > 0);
  CommitLogSlice s;
  CHECK(!f.store->LookMessageByOffset(phys[first_hit + 2], &s));
  CHECK(f.store->LookMessageByOffset(phys[first_hit - 1], &s));
}

TEST_CASE("recovery: lost ConsumeQueues are rebuilt from the CommitLog") {
  StoreFixture f(SmallConfig(kSegment));
  Populate(f, 120);
  RemoveTree(f.root + "/consumequeue");
  SimulateCrash(f.root);
  RecoveryInfo info;
  REQUIRE(f.Open(&info).ok);
  CHECK_EQ(info.recovered_from_offset, 0);
  CHECK_EQ(info.recovered_messages, 120u);
  CHECK_EQ(f.store->MaxOffsetInQueue("Q", 0), 60);
  GetResult g;
  f.store->GetMessages("Q", 1, 59, 32, 1 << 20, nullptr, 0, &g);
  CHECK(g.status == GetStatus::FOUND);
  CHECK_EQ(g.found.records.size(), size_t(1));
}
