// IndexService against real files with tiny slot and entry counts, so chains collide and files
// roll over in every case. Expected answers come from a brute-force list of what was indexed.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sys/mman.h>

#include <atomic>
#include <functional>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "byte_order.h"
#include "check.h"
#include "store_fs.h"
#include "index_file.h"
#include "index_service.h"

using namespace cometmq;

namespace {

constexpr int64_t kBaseTime = 1700000000000;  // whole seconds: timeDiff is exact

int64_t PhyOf(int64_t i) { return 4096 + i * 300; }
int64_t TimeOf(int64_t i) { return kBaseTime + i * 1000; }

struct Indexed {
  std::string topic;
  std::string key;
  int64_t phy;
  int64_t time;
};

struct Scratch {
  std::string root = cometmq_test::MakeTempDir("index");
  std::string dir = root + "/index";
  ~Scratch() { cometmq_test::RemoveTree(root); }
  IndexOptions Options(int32_t slots, int32_t entries) const { return IndexOptions{dir, slots, entries, true}; }
};

// Record i of topic T: unique key "u<i>", keys "k<i % 20>" and "all".
struct Record {
  std::string topic, uniq, keys;
  DispatchRequest req;
  Record(const std::string& t, int64_t i) : topic(t), uniq("u" + std::to_string(i)), keys("k" + std::to_string(i % 20) + " all") {
    req.topic = topic;
    req.commit_log_offset = PhyOf(i);
    req.msg_size = 300;
    req.store_timestamp = TimeOf(i);
    req.uniq_key = uniq;
    req.keys = keys;
  }
};

void Build(IndexService& index, const std::string& topic, int64_t from, int64_t to, std::vector<Indexed>* log) {
  for (int64_t i = from; i < to; ++i) {
    Record r(topic, i);
    REQUIRE(index.BuildIndex(r.req).ok);
    if (log) {
      for (const std::string& k : {r.uniq, "k" + std::to_string(i % 20), std::string("all")}) {
        log->push_back({topic, k, PhyOf(i), TimeOf(i)});
      }
    }
  }
}

// What a query must return: entries with the same key hash within [begin, end], newest first.
std::vector<int64_t> Expected(const std::vector<Indexed>& log, const std::string& topic, const std::string& key,
                              size_t max_num, int64_t begin, int64_t end) {
  const int32_t hash = IndexKeyHash(topic, key);
  std::vector<int64_t> out;
  for (auto it = log.rbegin(); it != log.rend() && out.size() < max_num; ++it) {
    if (IndexKeyHash(it->topic, it->key) == hash && it->time >= begin && it->time <= end) out.push_back(it->phy);
  }
  return out;
}

bool SameOffsets(const std::vector<int64_t>& a, const std::vector<int64_t>& b) { return a == b; }

size_t FilesIn(const std::string& dir) {
  std::vector<DirEntry> entries;
  ListDir(dir, &entries);
  return entries.size();
}

}  // namespace

TEST_CASE("key hash follows Java hashCode with RocketMQ's abs rule") {
  // "TopicTest#KEY0": hashCode computed by hand through the recurrence; abs is non-negative.
  int32_t h = 0;
  for (char c : std::string("TopicTest#KEY0")) h = static_cast<int32_t>(static_cast<uint32_t>(h) * 31u + c);
  CHECK_EQ(IndexKeyHash("TopicTest", "KEY0"), h < 0 ? -h : h);
  CHECK(IndexKeyHash("a", "b") >= 0);
}

TEST_CASE("queries by key and time range return exactly the matching offsets, many keys per slot") {
  Scratch s;
  IndexService index(s.Options(3, 2000));  // 3 slots: every chain mixes many keys
  REQUIRE(index.Load(true, 0).ok);
  std::vector<Indexed> log;
  Build(index, "T", 0, 200, &log);
  Build(index, "Other", 200, 230, &log);  // later records: offsets must grow
  CHECK_EQ(index.file_count(), 1u);
  CHECK_EQ(index.last_update_phy_offset(), PhyOf(229));
  CHECK_EQ(index.last_update_timestamp(), TimeOf(229));
  const int64_t all_begin = 0, all_end = INT64_MAX;
  CHECK(SameOffsets(index.QueryOffsets("T", "k5", 100, all_begin, all_end), Expected(log, "T", "k5", 100, all_begin, all_end)));
  CHECK_EQ(index.QueryOffsets("T", "k5", 100, all_begin, all_end).size(), 10u);
  CHECK(SameOffsets(index.QueryOffsets("T", "u77", 5, all_begin, all_end), std::vector<int64_t>{PhyOf(77)}));
  CHECK(SameOffsets(index.QueryOffsets("T", "all", 7, all_begin, all_end), Expected(log, "T", "all", 7, all_begin, all_end)));
  CHECK(SameOffsets(index.QueryOffsets("T", "k5", 100, TimeOf(50), TimeOf(120)),
                    Expected(log, "T", "k5", 100, TimeOf(50), TimeOf(120))));
  CHECK_EQ(index.QueryOffsets("T", "k5", 100, TimeOf(50), TimeOf(120)).size(), 3u);  // records 65, 85, 105
  CHECK(SameOffsets(index.QueryOffsets("Other", "k5", 100, all_begin, all_end), std::vector<int64_t>{PhyOf(225), PhyOf(205)}));
  CHECK(index.QueryOffsets("T", "missing", 10, all_begin, all_end).empty());
  CHECK(index.QueryOffsets("T", "k5", 0, all_begin, all_end).empty());
}

TEST_CASE("indexing rules: uniq key and KEYS tokens, rollback skipped, re-dispatch skipped") {
  Scratch s;
  IndexService index(s.Options(16, 100));
  REQUIRE(index.Load(true, 0).ok);
  DispatchRequest req;
  req.topic = "T";
  req.commit_log_offset = 100;
  req.store_timestamp = kBaseTime;
  req.keys = " a  b ";
  REQUIRE(index.BuildIndex(req).ok);
  CHECK_EQ(index.QueryOffsets("T", "a", 10, 0, INT64_MAX).size(), 1u);
  CHECK_EQ(index.QueryOffsets("T", "b", 10, 0, INT64_MAX).size(), 1u);
  CHECK(index.QueryOffsets("T", "", 10, 0, INT64_MAX).empty());

  req.commit_log_offset = 200;
  req.keys = "rolled";
  req.sys_flag = 0x0C;  // TRANSACTION_ROLLBACK_TYPE
  REQUIRE(index.BuildIndex(req).ok);
  CHECK(index.QueryOffsets("T", "rolled", 10, 0, INT64_MAX).empty());
  req.sys_flag = 0x08;  // COMMIT is indexed
  REQUIRE(index.BuildIndex(req).ok);
  CHECK_EQ(index.QueryOffsets("T", "rolled", 10, 0, INT64_MAX).size(), 1u);

  req.sys_flag = 0;
  req.keys = "again";  // at or below the last indexed offset: re-dispatch, skipped
  REQUIRE(index.BuildIndex(req).ok);
  req.commit_log_offset = 150;
  REQUIRE(index.BuildIndex(req).ok);
  CHECK(index.QueryOffsets("T", "again", 10, 0, INT64_MAX).empty());

  IndexService disabled(IndexOptions{s.dir + "-off", 16, 100, false});
  REQUIRE(disabled.Load(true, 0).ok);
  req.commit_log_offset = 300;
  REQUIRE(disabled.BuildIndex(req).ok);
  CHECK_EQ(disabled.file_count(), 0u);
  CHECK(disabled.QueryOffsets("T", "again", 10, 0, INT64_MAX).empty());
}

TEST_CASE("full files roll over to new ones and queries span them") {
  Scratch s;
  IndexService index(s.Options(5, 40));  // 39 entries per file, 3 per record
  REQUIRE(index.Load(true, 0).ok);
  std::vector<Indexed> log;
  Build(index, "T", 0, 100, &log);
  CHECK_EQ(index.file_count(), 8u);  // 13 records per file
  CHECK_EQ(FilesIn(s.dir), 8u);
  std::vector<DirEntry> entries;
  REQUIRE(ListDir(s.dir, &entries).ok);
  for (const DirEntry& e : entries) CHECK_EQ(e.name.size(), 17u);
  for (const char* key : {"k3", "all", "u42", "k19"}) {
    CHECK(SameOffsets(index.QueryOffsets("T", key, 500, 0, INT64_MAX), Expected(log, "T", key, 500, 0, INT64_MAX)));
    CHECK(SameOffsets(index.QueryOffsets("T", key, 500, TimeOf(20), TimeOf(70)),
                      Expected(log, "T", key, 500, TimeOf(20), TimeOf(70))));
  }
  CHECK_EQ(index.QueryOffsets("T", "all", 500, 0, INT64_MAX).size(), 100u);
  CHECK_EQ(index.QueryOffsets("T", "all", 25, 0, INT64_MAX).size(), 25u);
}

TEST_CASE("reload after a clean exit keeps everything and continues in the newest file") {
  Scratch s;
  std::vector<Indexed> log;
  {
    IndexService index(s.Options(5, 40));
    REQUIRE(index.Load(true, 0).ok);
    Build(index, "T", 0, 30, &log);
    CHECK_EQ(index.Flush(), TimeOf(29));
  }
  IndexService index(s.Options(5, 40));
  REQUIRE(index.Load(true, 0).ok);
  CHECK_EQ(index.file_count(), 3u);
  CHECK_EQ(index.last_update_phy_offset(), PhyOf(29));
  CHECK(SameOffsets(index.QueryOffsets("T", "all", 500, 0, INT64_MAX), Expected(log, "T", "all", 500, 0, INT64_MAX)));
  Build(index, "T", 25, 30, nullptr);  // re-dispatch of indexed records changes nothing
  Build(index, "T", 30, 35, &log);
  CHECK_EQ(index.file_count(), 3u);  // the newest file still had room
  CHECK(SameOffsets(index.QueryOffsets("T", "all", 500, 0, INT64_MAX), Expected(log, "T", "all", 500, 0, INT64_MAX)));
}

TEST_CASE("reload after an unclean exit drops files newer than the checkpoint; re-dispatch rebuilds") {
  Scratch s;
  std::vector<Indexed> log;
  {
    IndexService index(s.Options(5, 40));
    REQUIRE(index.Load(true, 0).ok);
    Build(index, "T", 0, 30, &log);  // files end at records 12, 25, 29
  }
  IndexService index(s.Options(5, 40));
  REQUIRE(index.Load(false, TimeOf(25)).ok);
  CHECK_EQ(index.file_count(), 2u);
  CHECK_EQ(index.last_update_phy_offset(), PhyOf(25));
  Build(index, "T", 0, 30, nullptr);  // recovery re-dispatches from before the checkpoint
  CHECK(SameOffsets(index.QueryOffsets("T", "all", 500, 0, INT64_MAX), Expected(log, "T", "all", 500, 0, INT64_MAX)));
  CHECK(SameOffsets(index.QueryOffsets("T", "u27", 5, 0, INT64_MAX), std::vector<int64_t>{PhyOf(27)}));
}

TEST_CASE("chains corrupted by a crash end the walk instead of looping or reading past the file") {
  Scratch s;
  const int32_t slots = 2, entries = 64;
  {
    IndexService index(s.Options(slots, entries));
    REQUIRE(index.Load(true, 0).ok);
    Build(index, "T", 0, 20, nullptr);  // 60 entries in one file
  }
  std::vector<DirEntry> files;
  REQUIRE(ListDir(s.dir, &files).ok);
  REQUIRE(files.size() == 1u);
  const std::string path = s.dir + "/" + files[0].name;
  uint8_t* data = nullptr;
  REQUIRE(MapExisting(path, IndexFile::FileSize(slots, entries), &data).ok);
  uint8_t* entry0 = data + kIndexHeaderSize + kIndexSlotSize * slots;
  for (int n = 1; n < 61; ++n) StoreI32BE(entry0 + 20 * n + 16, n % 3 == 0 ? n : n + 2);  // self and forward links
  StoreI32BE(data + kIndexHeaderSize, 63);  // slot 0 -> past indexCount
  ::munmap(data, static_cast<size_t>(IndexFile::FileSize(slots, entries)));

  IndexService index(s.Options(slots, entries));
  REQUIRE(index.Load(false, INT64_MAX).ok);  // unclean: dangling slots are cleared
  for (const char* key : {"all", "k1", "u7"}) {
    const auto got = index.QueryOffsets("T", key, 1000, 0, INT64_MAX);
    CHECK(got.size() <= 1u);  // every chain now stops after its head
  }
  Build(index, "T", 20, 21, nullptr);  // the builder continues safely
  CHECK(SameOffsets(index.QueryOffsets("T", "u20", 5, 0, INT64_MAX), std::vector<int64_t>{PhyOf(20)}));
}

TEST_CASE("DeleteExpired removes files wholly below the CommitLog min offset, never the newest") {
  Scratch s;
  IndexService index(s.Options(5, 40));
  REQUIRE(index.Load(true, 0).ok);
  std::vector<Indexed> log;
  Build(index, "T", 0, 60, &log);  // 5 files, ending at records 12, 25, 38, 51, 59
  CHECK_EQ(index.DeleteExpired(PhyOf(26)), 2u);
  CHECK_EQ(index.file_count(), 3u);
  CHECK_EQ(FilesIn(s.dir), 3u);
  CHECK_EQ(index.QueryOffsets("T", "all", 500, 0, INT64_MAX).size(), 60u - 26u);
  CHECK_EQ(index.DeleteExpired(PhyOf(1000)), 2u);
  CHECK_EQ(index.file_count(), 1u);
  CHECK(SameOffsets(index.QueryOffsets("T", "u55", 5, 0, INT64_MAX), std::vector<int64_t>{PhyOf(55)}));
}

TEST_CASE("foreign and corrupt files in the index directory are reported by name") {
  const auto load = [](const std::function<void(const std::string&)>& plant) {
    Scratch s;
    {
      IndexService index(s.Options(5, 40));
      REQUIRE(index.Load(true, 0).ok);
      Build(index, "T", 0, 5, nullptr);
    }
    plant(s.dir);
    IndexService index(s.Options(5, 40));
    return index.Load(true, 0);
  };
  const int64_t size = IndexFile::FileSize(5, 40);
  StoreResult r = load([&](const std::string& d) { std::ofstream(d + "/20990101000000000") << std::string(10, 'x'); });
  CHECK_EQ(r.code, std::string("ERR_STORE_FOREIGN_FILE"));
  CHECK_EQ(r.path.substr(r.path.size() - 17), std::string("20990101000000000"));
  r = load([&](const std::string& d) { std::ofstream(d + "/notes") << std::string(size, 'x'); });
  CHECK_EQ(r.code, std::string("ERR_STORE_FOREIGN_FILE"));
  r = load([&](const std::string& d) { std::ofstream(d + "/20991301000000000") << std::string(size, 'x'); });
  CHECK_EQ(r.code, std::string("ERR_STORE_FOREIGN_FILE"));  // month 13
  r = load([&](const std::string& d) {
    std::string bytes(size, '\0');
    StoreI32BE(reinterpret_cast<uint8_t*>(&bytes[36]), 1000);  // indexCount beyond maxIndexNum
    std::ofstream(d + "/20990101000000000") << bytes;
  });
  CHECK_EQ(r.code, std::string("ERR_STORE_CORRUPT"));
  CHECK(load([](const std::string&) {}).ok);
  IndexService bad(IndexOptions{"/nonexistent", 0, 10, true});
  CHECK_EQ(bad.Load(true, 0).code, std::string("ERR_STORE_CONFIG_INVALID"));
}

TEST_CASE("a concurrent reader sees only complete entries, newest first") {
  Scratch s;
  IndexService index(s.Options(7, 500));
  REQUIRE(index.Load(true, 0).ok);
  constexpr int64_t kTotal = 3000;
  std::atomic<bool> done{false};
  std::atomic<bool> bad{false};
  std::atomic<int> queries{0};
  std::thread reader([&] {
    while (!done) {
      const auto got = index.QueryOffsets("T", "k3", 1000, 0, INT64_MAX);
      for (size_t k = 0; k < got.size(); ++k) {
        const int64_t i = (got[k] - 4096) / 300;
        if ((got[k] - 4096) % 300 != 0 || i % 20 != 3 || (k > 0 && got[k] >= got[k - 1])) bad = true;
      }
      ++queries;
    }
  });
  // Overlap is the point of the test: the writer waits for the reader's first query, and again
  // for a fresh one halfway, so a slow scheduler cannot let it finish before any read happens.
  const auto await_query_after = [&](int seen) {
    while (queries.load() <= seen) std::this_thread::yield();
  };
  await_query_after(0);
  for (int64_t i = 0; i < kTotal && !bad; ++i) {
    if (i == kTotal / 2) await_query_after(queries.load());
    Record r("T", i);
    if (!index.BuildIndex(r.req).ok) bad = true;
  }
  done = true;
  reader.join();
  CHECK(!bad);
  CHECK(queries.load() > 0);
  CHECK_EQ(index.QueryOffsets("T", "k3", 1000, 0, INT64_MAX).size(), static_cast<size_t>(kTotal / 20));
  CHECK(index.file_count() > 1u);
}

TEST_CASE("a full disk fails the roll-over with ENOSPC, leaves no file, and indexing resumes") {
  const std::string mnt = cometmq_test::MakeTempDir("index-full");
  const bool mounted = ::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=256k") == 0;
  REQUIRE(mounted);
  struct Unmount {
    std::string dir;
    ~Unmount() {
      ::umount2(dir.c_str(), MNT_DETACH);
      ::rmdir(dir.c_str());
    }
  } unmount{mnt};
  const IndexOptions options{mnt + "/index", 1000, 4000};  // 84,040-byte files: three fit in 256 KiB
  IndexService index(options);
  REQUIRE(index.Load(true, 0).ok);
  std::vector<Indexed> log;
  StoreResult r;
  int64_t i = 0;
  for (; i < 10000; ++i) {
    Record rec("T", i);
    r = index.BuildIndex(rec.req);
    if (!r.ok) break;
    for (const std::string& k : {rec.uniq, "k" + std::to_string(i % 20), std::string("all")}) {
      log.push_back({"T", k, PhyOf(i), TimeOf(i)});
    }
  }
  CHECK_EQ(r.code, std::string("ENOSPC"));
  CHECK(r.path.find(mnt + "/index/") == 0);
  CHECK_EQ(index.file_count(), 3u);
  CHECK_EQ(FilesIn(mnt + "/index"), 3u);  // the failed file was removed
  CHECK(SameOffsets(index.QueryOffsets("T", "all", 100000, 0, INT64_MAX), Expected(log, "T", "all", 100000, 0, INT64_MAX)));
  CHECK_EQ(index.DeleteExpired(PhyOf(i)), 2u);  // space comes back
  Record retry("T", i);
  REQUIRE(index.BuildIndex(retry.req).ok);
  CHECK(SameOffsets(index.QueryOffsets("T", retry.uniq, 5, 0, INT64_MAX), std::vector<int64_t>{PhyOf(i)}));
}
