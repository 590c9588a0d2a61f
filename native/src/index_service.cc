// The list of IndexFiles (oldest first, ordered by their creation-time names) and the rules of
// RocketMQ's IndexService: what gets indexed, when a new file starts, how queries walk the files.
// The list is guarded by a shared_mutex; readers copy the shared_ptrs they need and release it.
#include <sys/time.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <shared_mutex>

#include "store_fs.h"
#include "index_file.h"
#include "index_service.h"
#include "store_log.h"

namespace cometmq {
namespace {

constexpr int32_t kRollbackFlags = 0x0C;  // MessageSysFlag.TRANSACTION_ROLLBACK_TYPE

// RocketMQ names index files by local creation time, yyyyMMddHHmmssSSS.
std::string IndexFileName(int64_t epoch_ms) {
  const time_t secs = static_cast<time_t>(epoch_ms / 1000);
  struct tm t;
  localtime_r(&secs, &t);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d%03d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
                t.tm_min, t.tm_sec, static_cast<int>(epoch_ms % 1000));
  return buf;
}

bool ParseIndexFileName(const std::string& name, int64_t* epoch_ms) {
  if (name.size() != 17) return false;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
  }
  const auto field = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (name[i] - '0');
    return v;
  };
  struct tm t = {};
  t.tm_year = field(0, 4) - 1900;
  t.tm_mon = field(4, 2) - 1;
  t.tm_mday = field(6, 2);
  t.tm_hour = field(8, 2);
  t.tm_min = field(10, 2);
  t.tm_sec = field(12, 2);
  const int ms = field(14, 3);
  if (t.tm_mon < 0 || t.tm_mon > 11 || t.tm_mday < 1 || t.tm_mday > 31 || t.tm_hour > 23 || t.tm_min > 59 ||
      t.tm_sec > 60) {
    return false;
  }
  t.tm_isdst = -1;
  const time_t secs = mktime(&t);
  if (secs == static_cast<time_t>(-1)) return false;
  *epoch_ms = static_cast<int64_t>(secs) * 1000 + ms;
  return true;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string BaseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

struct IndexService::Impl {
  IndexOptions options;
  mutable std::shared_mutex mu;  // guards files
  std::vector<std::shared_ptr<IndexFile>> files;
  std::atomic<int64_t> durable_timestamp{0};

  // Builder state (dispatcher thread).
  std::shared_ptr<IndexFile> current;
  int64_t last_indexed_phy = -1;
  std::vector<std::string_view> keys;

  StoreResult CheckConfig() const {
    if (options.max_hash_slot_num < 1 || options.max_index_num < 2) {
      return StoreResult::Error("ERR_STORE_CONFIG_INVALID",
                                "maxHashSlotNum must be >= 1 and maxIndexNum >= 2, got " +
                                    std::to_string(options.max_hash_slot_num) + " and " +
                                    std::to_string(options.max_index_num),
                                options.dir);
    }
    return StoreResult::Ok();
  }

  std::vector<std::shared_ptr<IndexFile>> Snapshot() const {
    std::shared_lock<std::shared_mutex> lock(mu);
    return files;
  }

  std::shared_ptr<IndexFile> Newest() const {
    std::shared_lock<std::shared_mutex> lock(mu);
    return files.empty() ? nullptr : files.back();
  }

  // A name later than the newest file's, even when two files start within one millisecond.
  std::string NextFileName() const {
    const int64_t now = NowMs();
    std::string name = IndexFileName(now);
    if (!current) return name;
    const std::string newest = BaseName(current->path());
    int64_t ms = 0;
    if (name > newest || !ParseIndexFileName(newest, &ms)) return name;
    for (int step = 1; name <= newest && step < 3600 * 1000; ++step) name = IndexFileName(ms + step);
    return name;
  }

  StoreResult Roll() {
    StoreResult r = MakeDirs(options.dir);
    if (!r.ok) return r;
    const int64_t prev_end_phy = current ? current->end_phy_offset() : 0;
    const int64_t prev_end_ts = current ? current->end_timestamp() : 0;
    std::shared_ptr<IndexFile> file;
    r = IndexFile::Create(options.dir + "/" + NextFileName(), options.max_hash_slot_num, options.max_index_num,
                          prev_end_phy, prev_end_ts, &file);
    if (!r.ok) return r;
    std::unique_lock<std::shared_mutex> lock(mu);
    files.push_back(file);
    current = std::move(file);
    return StoreResult::Ok();
  }
};

IndexService::IndexService(IndexOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

IndexService::~IndexService() = default;

StoreResult IndexService::Load(bool last_exit_ok, int64_t checkpoint_index_timestamp) {
  Impl& s = *impl_;
  StoreResult r = s.CheckConfig();
  if (!r.ok) return r;
  std::vector<DirEntry> entries;
  r = ListDir(s.options.dir, &entries);
  if (!r.ok) return r;
  const int64_t size = IndexFile::FileSize(s.options.max_hash_slot_num, s.options.max_index_num);
  // A crash while creating the newest file leaves it short and zero-filled: it never held an
  // entry, and re-dispatch rebuilds whatever it was about to receive.
  while (!entries.empty() && entries.back().is_regular && entries.back().size != size &&
         AllZeros(s.options.dir + "/" + entries.back().name)) {
    const std::string path = s.options.dir + "/" + entries.back().name;
    StoreLog("dropping %s: a short, zero-filled index file left by an interrupted creation", path.c_str());
    r = UnlinkFile(path);
    if (!r.ok) return r;
    entries.pop_back();
  }
  std::vector<std::shared_ptr<IndexFile>> loaded;
  for (const DirEntry& e : entries) {
    const std::string path = s.options.dir + "/" + e.name;
    int64_t ms = 0;
    if (!e.is_regular || !ParseIndexFileName(e.name, &ms) || e.size != size) {
      return StoreResult::Error("ERR_STORE_FOREIGN_FILE",
                                "not an index file (expected a yyyyMMddHHmmssSSS name and " + std::to_string(size) +
                                    " bytes): " + path,
                                path);
    }
    std::shared_ptr<IndexFile> file;
    r = IndexFile::Open(path, s.options.max_hash_slot_num, s.options.max_index_num, &file);
    if (!r.ok) return r;
    if (!last_exit_ok && file->end_timestamp() > checkpoint_index_timestamp) {
      // Possibly partly written; re-dispatch from the checkpoint rebuilds its entries.
      StoreLog("index file %s ends after the checkpoint (%lld > %lld) after an unclean exit: deleted", path.c_str(),
               static_cast<long long>(file->end_timestamp()), static_cast<long long>(checkpoint_index_timestamp));
      file.reset();
      r = UnlinkFile(path);
      if (!r.ok) return r;
      continue;
    }
    loaded.push_back(std::move(file));
  }
  std::unique_lock<std::shared_mutex> lock(s.mu);
  s.files = std::move(loaded);
  s.current = s.files.empty() ? nullptr : s.files.back();
  s.last_indexed_phy = -1;
  if (s.current && (s.files.size() > 1 || s.current->index_count() > 1)) {
    s.last_indexed_phy = s.current->end_phy_offset();
  }
  if (s.current && !last_exit_ok) s.current->SanitizeSlots();
  s.durable_timestamp = s.current ? s.current->end_timestamp() : 0;
  return StoreResult::Ok();
}

StoreResult IndexService::BuildIndex(const DispatchRequest& req) {
  Impl& s = *impl_;
  if (!s.options.enabled) return StoreResult::Ok();
  if ((req.sys_flag & kRollbackFlags) == kRollbackFlags) return StoreResult::Ok();
  if (req.commit_log_offset <= s.last_indexed_phy) return StoreResult::Ok();  // re-dispatch
  StoreResult r = s.CheckConfig();
  if (!r.ok) return r;
  s.keys.clear();
  if (!req.uniq_key.empty()) s.keys.push_back(req.uniq_key);
  for (size_t pos = 0; pos < req.keys.size();) {
    size_t space = req.keys.find(' ', pos);
    if (space == std::string_view::npos) space = req.keys.size();
    if (space > pos) s.keys.push_back(req.keys.substr(pos, space - pos));
    pos = space + 1;
  }
  if (s.keys.empty()) return StoreResult::Ok();
  // Roll before writing anything when the record's keys do not fit, so a failed roll changes nothing.
  const int32_t capacity = s.options.max_index_num - 1;
  const int32_t needed = static_cast<int32_t>(std::min<size_t>(s.keys.size(), static_cast<size_t>(capacity)));
  if (!s.current || s.current->free_entries() < needed) {
    r = s.Roll();
    if (!r.ok) return r;
  }
  for (std::string_view key : s.keys) {
    if (s.current->free_entries() == 0) {  // only for records with more keys than a whole file
      r = s.Roll();
      if (!r.ok) return r;
    }
    s.current->PutKey(IndexKeyHash(req.topic, key), req.commit_log_offset, req.store_timestamp);
  }
  s.last_indexed_phy = req.commit_log_offset;
  return StoreResult::Ok();
}

std::vector<int64_t> IndexService::QueryOffsets(std::string_view topic, std::string_view key, size_t max_num,
                                                int64_t begin, int64_t end) const {
  std::vector<int64_t> out;
  if (!impl_->options.enabled || max_num == 0) return out;
  const int32_t hash = IndexKeyHash(topic, key);
  const auto files = impl_->Snapshot();
  for (size_t i = files.size(); i > 0; --i) {
    const IndexFile& f = *files[i - 1];
    if (f.IsTimeMatched(begin, end)) f.Select(hash, max_num, begin, end, &out);
    if (f.begin_timestamp() < begin || out.size() >= max_num) break;
  }
  return out;
}

int64_t IndexService::last_update_timestamp() const {
  auto f = impl_->Newest();
  return f ? f->end_timestamp() : 0;
}

int64_t IndexService::last_update_phy_offset() const {
  auto f = impl_->Newest();
  return f ? f->end_phy_offset() : 0;
}

size_t IndexService::file_count() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->files.size();
}

int64_t IndexService::Flush() {
  const auto files = impl_->Snapshot();
  if (files.empty()) return impl_->durable_timestamp.load();
  int64_t newest_durable = 0;
  for (const auto& f : files) {
    StoreResult r = f->Flush(&newest_durable);
    if (!r.ok) {
      // No error channel here: the checkpoint simply does not advance, and the failure is logged.
      StoreLog("%s", r.message.c_str());
      return impl_->durable_timestamp.load();
    }
  }
  impl_->durable_timestamp.store(newest_durable);
  return newest_durable;
}

size_t IndexService::DeleteExpired(int64_t min_commit_log_offset) {
  std::vector<std::shared_ptr<IndexFile>> expired;
  {
    std::unique_lock<std::shared_mutex> lock(impl_->mu);
    auto& files = impl_->files;
    while (files.size() > 1 && files.front()->end_phy_offset() < min_commit_log_offset) {
      expired.push_back(files.front());
      files.erase(files.begin());
    }
  }
  for (const auto& f : expired) {
    StoreResult r = UnlinkFile(f->path());  // readers holding it keep the mapping until they finish
    if (!r.ok) StoreLog("%s", r.message.c_str());
  }
  return expired.size();
}

}  // namespace cometmq
