// ConsumeQueueStore against real files in a temp directory, with tiny segment files (10 units) so
// every case crosses file boundaries.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "check.h"
#include "consume_queue.h"
#include "store_fs.h"
#include "consume_queue_store.h"

using namespace cometmq;

namespace {

constexpr int64_t kUnitsPerFile = 10;
constexpr int64_t kFileSize = kUnitsPerFile * 20;

// Unit i of a test queue: distinctive, monotonic physical offsets.
int64_t PhyOf(int64_t i) { return 1000 + i * 100; }
int32_t SizeOf(int64_t i) { return static_cast<int32_t>(50 + i % 40); }

DispatchRequest Req(std::string_view topic, int32_t queue_id, int64_t i) {  // topic must outlive it
  DispatchRequest r;
  r.topic = topic;
  r.queue_id = queue_id;
  r.consume_queue_offset = i;
  r.commit_log_offset = PhyOf(i);
  r.msg_size = SizeOf(i);
  r.tags_code = -i;  // negative codes must round-trip too
  r.store_timestamp = 5000 + i * 10;
  return r;
}

struct Scratch {
  std::string root = cometmq_test::MakeTempDir("cq");
  std::string dir = root + "/consumequeue";
  ~Scratch() { cometmq_test::RemoveTree(root); }
  ConsumeQueueOptions Options() const { return ConsumeQueueOptions{dir, kFileSize}; }
};

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

void PutRange(ConsumeQueueStore& store, const std::string& topic, int32_t q, int64_t from, int64_t to) {
  for (int64_t i = from; i < to; ++i) REQUIRE(store.Put(Req(topic, q, i)).ok);
}

void CheckUnits(const ConsumeQueueStore& store, const std::string& topic, int32_t q, int64_t from, int64_t to) {
  std::vector<CqUnit> units(static_cast<size_t>(to - from));
  const size_t n = store.ReadUnits(topic, q, from, units.size(), units.data());
  CHECK_EQ(n, static_cast<size_t>(to - from));
  for (size_t k = 0; k < n; ++k) {
    const int64_t i = from + static_cast<int64_t>(k);
    CHECK_EQ(units[k].commit_log_offset, PhyOf(i));
    CHECK_EQ(units[k].size, SizeOf(i));
    CHECK_EQ(units[k].tags_code, -i);
  }
}

std::unique_ptr<ConsumeQueueStore> Reopen(const Scratch& s, int64_t* max_phy_end = nullptr) {
  auto store = std::make_unique<ConsumeQueueStore>(s.Options());
  REQUIRE(store->Load().ok);
  const int64_t end = store->Recover();
  if (max_phy_end) *max_phy_end = end;
  return store;
}

}  // namespace

TEST_CASE("units round-trip across small files, with min and max") {
  Scratch s;
  ConsumeQueueStore store(s.Options());
  REQUIRE(store.Load().ok);
  CHECK_EQ(store.Recover(), 0);
  CHECK(!store.Exists("TopicA", 3));
  PutRange(store, "TopicA", 3, 0, 35);
  CHECK(store.Exists("TopicA", 3));
  CHECK_EQ(store.MinOffset("TopicA", 3), 0);
  CHECK_EQ(store.MaxOffset("TopicA", 3), 35);
  CheckUnits(store, "TopicA", 3, 0, 35);
  CheckUnits(store, "TopicA", 3, 7, 23);  // spans three files
  CqUnit u[8];
  CHECK_EQ(store.ReadUnits("TopicA", 3, 31, 8, u), 4u);  // stops at the max offset
  CHECK_EQ(store.ReadUnits("TopicA", 3, 35, 4, u), 0u);
  CHECK_EQ(store.ReadUnits("TopicA", 4, 0, 4, u), 0u);
  for (int64_t start : {0, 200, 400, 600}) CHECK(Exists(s.dir + "/TopicA/3/" + OffsetFileName(start)));
  CHECK(!Exists(s.dir + "/TopicA/3/" + OffsetFileName(800)));
  const auto queues = store.ListQueues();
  REQUIRE(queues.size() == 1u);
  CHECK_EQ(queues[0].topic, std::string("TopicA"));
  CHECK_EQ(queues[0].max_offset, 35);
}

TEST_CASE("reopen and Recover restore max offsets and the re-dispatch point") {
  Scratch s;
  {
    ConsumeQueueStore store(s.Options());
    REQUIRE(store.Load().ok);
    store.Recover();
    PutRange(store, "T", 0, 0, 20);  // exactly two full files
    PutRange(store, "T", 1, 0, 13);
    PutRange(store, "U", 0, 0, 1);
    CHECK_EQ(store.Flush(0), 3u);
    CHECK_EQ(store.Flush(0), 0u);  // nothing dirty any more
  }
  int64_t end = 0;
  auto store = Reopen(s, &end);
  CHECK_EQ(end, PhyOf(19) + SizeOf(19));
  CHECK_EQ(store->MaxOffset("T", 0), 20);
  CHECK_EQ(store->MaxOffset("T", 1), 13);
  CHECK_EQ(store->MaxOffset("U", 0), 1);
  CheckUnits(*store, "T", 0, 0, 20);
  CheckUnits(*store, "T", 1, 0, 13);
  PutRange(*store, "T", 0, 20, 25);  // writing continues in a new file after the full ones
  CheckUnits(*store, "T", 0, 0, 25);
  CHECK_EQ(store->ListQueues().size(), 3u);
}

TEST_CASE("re-putting an existing offset leaves the unit as it was") {
  Scratch s;
  auto store = Reopen(s);
  PutRange(*store, "T", 0, 0, 12);
  DispatchRequest again = Req("T", 0, 5);
  again.commit_log_offset = 999999;
  CHECK(store->Put(again).ok);
  CHECK_EQ(store->MaxOffset("T", 0), 12);
  CheckUnits(*store, "T", 0, 0, 12);
}

TEST_CASE("a gap is filled with blank units, never misplaced") {
  Scratch s;
  auto store = Reopen(s);
  PutRange(*store, "T", 0, 0, 5);
  REQUIRE(store->Put(Req("T", 0, 13)).ok);
  CHECK_EQ(store->MaxOffset("T", 0), 14);
  CqUnit u[14];
  REQUIRE(store->ReadUnits("T", 0, 0, 14, u) == 14u);
  for (int i = 5; i < 13; ++i) CHECK(IsBlankUnit(u[i]));
  CHECK_EQ(u[13].commit_log_offset, PhyOf(13));
  CHECK_EQ(u[4].commit_log_offset, PhyOf(4));

  // A queue whose first unit is mid-file: pre-blank units before it, min offset at it.
  REQUIRE(store->Put(Req("Late", 2, 25)).ok);
  CHECK_EQ(store->MinOffset("Late", 2), 25);
  CHECK_EQ(store->MaxOffset("Late", 2), 26);
  CHECK(Exists(s.dir + "/Late/2/" + OffsetFileName(400)));
  CHECK(!Exists(s.dir + "/Late/2/" + OffsetFileName(0)));
  CHECK_EQ(store->ReadUnits("Late", 2, 24, 4, u), 0u);
  CheckUnits(*store, "Late", 2, 25, 26);
  store.reset();
  int64_t end = 0;
  store = Reopen(s, &end);
  CHECK_EQ(end, PhyOf(25) + SizeOf(25));  // blanks never count as the highest offset
  CHECK_EQ(store->MinOffset("Late", 2), 25);
  CHECK_EQ(store->MaxOffset("Late", 2), 26);
  CHECK_EQ(store->MaxOffset("T", 0), 14);
}

TEST_CASE("TruncateDirty drops units at or past the physical offset, durably") {
  Scratch s;
  auto store = Reopen(s);
  PutRange(*store, "T", 0, 0, 35);
  PutRange(*store, "T", 1, 0, 8);
  store->TruncateDirty(PhyOf(17));
  CHECK_EQ(store->MaxOffset("T", 0), 17);
  CHECK_EQ(store->MaxOffset("T", 1), 8);
  CHECK(!Exists(s.dir + "/T/0/" + OffsetFileName(400)));
  CHECK(!Exists(s.dir + "/T/0/" + OffsetFileName(600)));
  CheckUnits(*store, "T", 0, 0, 17);
  store->TruncateDirty(PhyOf(10));  // lands exactly on a file boundary
  CHECK_EQ(store->MaxOffset("T", 0), 10);
  CHECK(!Exists(s.dir + "/T/0/" + OffsetFileName(200)));
  store.reset();
  int64_t end = 0;
  store = Reopen(s, &end);
  CHECK_EQ(store->MaxOffset("T", 0), 10);
  CHECK_EQ(end, PhyOf(9) + SizeOf(9));
  PutRange(*store, "T", 0, 10, 15);  // re-dispatch rebuilds what was dropped
  CheckUnits(*store, "T", 0, 0, 15);
  store->TruncateDirty(0);
  CHECK_EQ(store->MaxOffset("T", 0), 0);
  CHECK_EQ(store->MaxOffset("T", 1), 0);
}

TEST_CASE("OffsetByTime binary-searches store times") {
  Scratch s;
  auto store = Reopen(s);
  PutRange(*store, "T", 0, 0, 33);
  int calls = 0;
  // Fake CommitLog: the store time of the record at PhyOf(i) is 5000 + 10 i; records below
  // PhyOf(3) are gone (-1).
  const auto time_of = [&](int64_t phy, int32_t size) -> int64_t {
    ++calls;
    const int64_t i = (phy - 1000) / 100;
    CHECK_EQ(size, SizeOf(i));
    return i < 3 ? -1 : 5000 + i * 10;
  };
  CHECK_EQ(store->OffsetByTime("T", 0, 5000 + 17 * 10, time_of), 17);
  CHECK_EQ(store->OffsetByTime("T", 0, 5000 + 17 * 10 - 5, time_of), 17);
  CHECK_EQ(store->OffsetByTime("T", 0, 5000 + 17 * 10 + 1, time_of), 18);
  CHECK_EQ(store->OffsetByTime("T", 0, 0, time_of), 3);       // before the start: first record left
  CHECK_EQ(store->OffsetByTime("T", 0, 999999, time_of), 33);  // past the end: max offset
  CHECK(calls > 0 && calls < 5 * 8);                           // logarithmic, not a scan
  CHECK_EQ(store->OffsetByTime("None", 0, 1, time_of), 0);
}

TEST_CASE("DeleteExpired removes whole old files and advances the min offset") {
  Scratch s;
  auto store = Reopen(s);
  PutRange(*store, "T", 0, 0, 35);
  CHECK_EQ(store->DeleteExpired(PhyOf(25)), 2u);  // files [0,10) and [10,20) point below
  CHECK(!Exists(s.dir + "/T/0/" + OffsetFileName(0)));
  CHECK(!Exists(s.dir + "/T/0/" + OffsetFileName(200)));
  CHECK(Exists(s.dir + "/T/0/" + OffsetFileName(400)));
  CHECK_EQ(store->MinOffset("T", 0), 25);
  CHECK_EQ(store->MaxOffset("T", 0), 35);
  CqUnit u[4];
  CHECK_EQ(store->ReadUnits("T", 0, 15, 4, u), 0u);
  CheckUnits(*store, "T", 0, 25, 35);
  store.reset();
  store = Reopen(s);
  CHECK_EQ(store->MinOffset("T", 0), 20);  // first unit of the first file after reload...
  CHECK_EQ(store->DeleteExpired(PhyOf(25)), 0u);
  CHECK_EQ(store->MinOffset("T", 0), 25);  // ...corrected by the CommitLog's min offset
  CHECK_EQ(store->DeleteExpired(PhyOf(1000)), 1u);  // never the newest file
  CHECK(Exists(s.dir + "/T/0/" + OffsetFileName(600)));
  CHECK_EQ(store->MinOffset("T", 0), 35);
  CHECK_EQ(store->MaxOffset("T", 0), 35);
  PutRange(*store, "T", 0, 35, 37);
  CheckUnits(*store, "T", 0, 35, 37);
}

TEST_CASE("DeleteTopic removes the topic's queues and files") {
  Scratch s;
  auto store = Reopen(s);
  PutRange(*store, "Gone", 0, 0, 12);
  PutRange(*store, "Gone", 1, 0, 3);
  PutRange(*store, "Kept", 0, 0, 3);
  CHECK_EQ(store->DeleteTopic("Gone"), 2u);
  CHECK_EQ(store->DeleteTopic("Gone"), 0u);
  CHECK(!store->Exists("Gone", 0));
  CHECK(!Exists(s.dir + "/Gone"));
  CHECK_EQ(store->MaxOffset("Gone", 0), 0);
  CheckUnits(*store, "Kept", 0, 0, 3);
  PutRange(*store, "Gone", 0, 0, 2);  // the topic can be created again
  CheckUnits(*store, "Gone", 0, 0, 2);
  store.reset();
  store = Reopen(s);
  CHECK_EQ(store->ListQueues().size(), 2u);
}

TEST_CASE("foreign files and bad requests give clear errors") {
  const auto load_error = [](const std::function<void(const std::string&)>& plant) {
    Scratch s;
    {
      auto store = Reopen(s);
      PutRange(*store, "T", 0, 0, 15);
    }
    plant(s.dir);
    ConsumeQueueStore store(s.Options());
    return store.Load();
  };
  const auto write_file = [](const std::string& path, size_t size) { std::ofstream(path) << std::string(size, 'x'); };
  StoreResult r = load_error([&](const std::string& d) { write_file(d + "/T/0/00000000000000000400", 7); });
  CHECK_EQ(r.code, std::string("ERR_STORE_FOREIGN_FILE"));
  CHECK_EQ(r.path.substr(r.path.size() - 20), std::string("00000000000000000400"));
  r = load_error([&](const std::string& d) { write_file(d + "/T/0/notes.txt", kFileSize); });
  CHECK_EQ(r.code, std::string("ERR_STORE_FOREIGN_FILE"));
  r = load_error([&](const std::string& d) { ::mkdir((d + "/T/x1").c_str(), 0755); });
  CHECK_EQ(r.code, std::string("ERR_STORE_FOREIGN_FILE"));
  r = load_error([&](const std::string& d) { write_file(d + "/stray", 1); });
  CHECK_EQ(r.code, std::string("ERR_STORE_FOREIGN_FILE"));
  r = load_error([&](const std::string& d) { write_file(d + "/T/0/00000000000000000150", kFileSize); });
  CHECK_EQ(r.code, std::string("ERR_STORE_FOREIGN_FILE"));  // not on a file boundary
  r = load_error([&](const std::string& d) { write_file(d + "/T/0/00000000000000000600", kFileSize); });
  CHECK_EQ(r.code, std::string("ERR_STORE_CORRUPT"));  // a missing file in between
  r = load_error([](const std::string&) {});
  CHECK(r.ok);

  Scratch s;
  auto store = Reopen(s);
  DispatchRequest bad = Req("../escape", 0, 0);
  r = store->Put(bad);
  CHECK_EQ(r.code, std::string("ERR_STORE_INVALID_DISPATCH"));
  bad = Req("T", 0, -1);
  CHECK_EQ(store->Put(bad).code, std::string("ERR_STORE_INVALID_DISPATCH"));
  CHECK(store->ListQueues().empty());
  ConsumeQueueStore misconfigured(ConsumeQueueOptions{s.dir, 30});
  CHECK_EQ(misconfigured.Load().code, std::string("ERR_STORE_CONFIG_INVALID"));
}

TEST_CASE("a concurrent reader never sees a unit before it is complete") {
  Scratch s;
  auto store = Reopen(s);
  constexpr int64_t kTotal = 20000;
  std::atomic<bool> reader_failed{false};
  std::atomic<bool> writer_failed{false};
  std::atomic<int64_t> checked{0};
  std::thread reader([&] {
    std::vector<CqUnit> buf(64);
    int64_t next = 0;
    while (next < kTotal && !writer_failed) {
      const size_t n = store->ReadUnits("T", 0, next, buf.size(), buf.data());
      for (size_t k = 0; k < n; ++k, ++next) {
        if (buf[k].commit_log_offset != PhyOf(next) || buf[k].size != SizeOf(next) || buf[k].tags_code != -next) {
          reader_failed = true;
        }
      }
      if (reader_failed) return;
      if (n == 0) std::this_thread::yield();  // waiting on the writer's progress, not on time
      checked = next;
    }
  });
  for (int64_t i = 0; i < kTotal && !writer_failed; ++i) writer_failed = !store->Put(Req("T", 0, i)).ok;
  reader.join();
  CHECK(!writer_failed);
  CHECK(!reader_failed);
  CHECK_EQ(checked.load(), kTotal);
  CHECK_EQ(store->Flush(0), 1u);
}

namespace {

// A real, tiny file system so ENOSPC is real (the suite runs as root; it fails, never skips).
struct SmallTmpfs {
  std::string dir = cometmq_test::MakeTempDir("cq-full");
  bool mounted = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=256k") == 0;
  ~SmallTmpfs() {
    if (mounted) ::umount2(dir.c_str(), MNT_DETACH);
    ::rmdir(dir.c_str());
  }
  // Fills the file system with a filler file; returns false if it could not.
  bool Fill() const {
    const int fd = ::open((dir + "/filler").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) return false;
    static const char block[4096] = {};
    while (::write(fd, block, sizeof block) > 0) {
    }
    const bool full = errno == ENOSPC;
    ::close(fd);
    return full;
  }
  void Free() const { ::unlink((dir + "/filler").c_str()); }
};

}  // namespace

TEST_CASE("a full disk fails Put with ENOSPC naming the file, loses nothing, and writing resumes") {
  SmallTmpfs fs;
  REQUIRE(fs.mounted);
  {
    ConsumeQueueStore store(ConsumeQueueOptions{fs.dir + "/consumequeue", 20 * 100000});  // sparse 2 MB files
    REQUIRE(store.Load().ok);
    store.Recover();
    REQUIRE(fs.Fill());
    StoreResult r = store.Put(Req("T", 0, 0));
    CHECK_EQ(r.code, std::string("ENOSPC"));
    CHECK(r.path.find("/consumequeue/T/0/") != std::string::npos);
    CHECK_EQ(store.MaxOffset("T", 0), 0);
    fs.Free();
    int64_t written = 0;
    for (; written < 20000; ++written) {  // runs into the limit again, mid-file this time
      r = store.Put(Req("T", 0, written));
      if (!r.ok) break;
      if (written == 100) REQUIRE(fs.Fill());
    }
    CHECK_EQ(r.code, std::string("ENOSPC"));
    CHECK(written > 100);
    CHECK_EQ(store.MaxOffset("T", 0), written);
    CheckUnits(store, "T", 0, 0, written);
    CHECK_EQ(store.Put(Req("T", 0, written)).code, std::string("ENOSPC"));  // the caller's retry
    fs.Free();
    PutRange(store, "T", 0, written, written + 50);
    CheckUnits(store, "T", 0, 0, written + 50);
    CHECK(store.Flush(0) == 1u);
  }
  ConsumeQueueStore reopened(ConsumeQueueOptions{fs.dir + "/consumequeue", 20 * 100000});
  REQUIRE(reopened.Load().ok);
  reopened.Recover();
  CHECK(reopened.MaxOffset("T", 0) > 150);
  CheckUnits(reopened, "T", 0, 0, reopened.MaxOffset("T", 0));
}

TEST_CASE("a Put retried after ENOSPC in the middle of a gap crossing files completes it") {
  SmallTmpfs fs;
  REQUIRE(fs.mounted);
  ConsumeQueueStore store(ConsumeQueueOptions{fs.dir + "/consumequeue", kFileSize});
  REQUIRE(store.Load().ok);
  store.Recover();
  PutRange(store, "T", 0, 0, 5);  // the first file's blocks are reserved whole
  REQUIRE(fs.Fill());
  StoreResult r = store.Put(Req("T", 0, 15));  // blanks 5..9 fit, the next file's blocks do not
  CHECK_EQ(r.code, std::string("ENOSPC"));
  CHECK_EQ(store.MaxOffset("T", 0), 5);
  CheckUnits(store, "T", 0, 0, 5);
  fs.Free();
  REQUIRE(store.Put(Req("T", 0, 15)).ok);
  CHECK_EQ(store.MaxOffset("T", 0), 16);
  CqUnit u[16];
  REQUIRE(store.ReadUnits("T", 0, 0, 16, u) == 16u);
  for (int i = 5; i < 15; ++i) CHECK(IsBlankUnit(u[i]));
  CHECK_EQ(u[15].commit_log_offset, PhyOf(15));
  CHECK_EQ(u[4].commit_log_offset, PhyOf(4));
}

TEST_CASE("readers, the dispatcher, flushes and cleanup run at once without tearing units") {
  Scratch s;
  auto store = Reopen(s);
  constexpr int64_t kTotal = 20000;
  std::atomic<int64_t> written{0};
  std::atomic<bool> failed{false};
  std::thread cleanup([&] {
    while (written.load() < kTotal && !failed) {
      store->DeleteExpired(PhyOf(written.load() / 2));  // keeps the older half of what was written
      store->Flush(1);
    }
  });
  std::thread reader([&] {
    CqUnit buf[32];
    while (written.load() < kTotal && !failed) {
      const int64_t from = store->MinOffset("T", 0);
      const size_t n = store->ReadUnits("T", 0, from, 32, buf);
      for (size_t k = 0; k < n; ++k) {
        const int64_t i = from + static_cast<int64_t>(k);
        if (buf[k].commit_log_offset != PhyOf(i) || buf[k].size != SizeOf(i)) failed = true;
      }
    }
  });
  for (int64_t i = 0; i < kTotal && !failed; ++i) {
    if (!store->Put(Req("T", 0, i)).ok) failed = true;
    written = i + 1;
  }
  written = kTotal;
  reader.join();
  cleanup.join();
  CHECK(!failed);
  store->DeleteExpired(PhyOf(kTotal / 2));
  CHECK_EQ(store->MinOffset("T", 0), kTotal / 2);
  CheckUnits(*store, "T", 0, store->MinOffset("T", 0), kTotal);
}

TEST_CASE("a loaded queue refuses Puts until Recover has found its max offset") {
  Scratch s;
  {
    auto store = Reopen(s);
    PutRange(*store, "T", 0, 0, 15);
  }
  ConsumeQueueStore store(s.Options());
  REQUIRE(store.Load().ok);
  CHECK_EQ(store.Put(Req("T", 0, 15)).code, std::string("ERR_STORE_NOT_OPEN"));
  CHECK(store.Put(Req("New", 0, 0)).ok);  // queues that did not exist on disk are unaffected
  store.Recover();
  CHECK(store.Put(Req("T", 0, 15)).ok);
  CheckUnits(store, "T", 0, 0, 16);
}

TEST_CASE("Recover stops at the first invalid unit and drops trailing files without units") {
  Scratch s;
  {
    auto store = Reopen(s);
    PutRange(*store, "T", 0, 0, 15);
    PutRange(*store, "E", 0, 0, 10);  // exactly one full file
  }
  // A crash lost unit 12 of T (a page never written back) and left E a created-but-empty file.
  {
    std::fstream f(s.dir + "/T/0/" + OffsetFileName(200), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2 * 20);
    f.write(std::string(20, '\0').data(), 20);
  }
  std::ofstream(s.dir + "/E/0/" + OffsetFileName(200)) << std::string(kFileSize, '\0');
  int64_t end = 0;
  auto store = Reopen(s, &end);
  CHECK_EQ(store->MaxOffset("T", 0), 12);
  CHECK_EQ(store->MaxOffset("E", 0), 10);
  CHECK(!Exists(s.dir + "/E/0/" + OffsetFileName(200)));
  CHECK_EQ(end, PhyOf(11) + SizeOf(11));
  PutRange(*store, "T", 0, 12, 15);  // re-dispatch restores the lost units
  PutRange(*store, "E", 0, 10, 12);
  CheckUnits(*store, "T", 0, 0, 15);
  CheckUnits(*store, "E", 0, 0, 12);
}
