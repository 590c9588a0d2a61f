// The table of ConsumeQueues (topic -> queueId -> queue) and the directory scan that fills it.
// The table is guarded by a shared_mutex (readers and the dispatcher's lookups shared; creating
// or deleting a queue exclusive). The dispatcher also caches its last queue, so a run of Puts to
// one queue skips the lookup; DeleteTopic bumps a generation number that invalidates the cache.
#include "consume_queue_store.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "consume_queue.h"
#include "store_fs.h"
#include "store_log.h"

namespace cometmq {
namespace {

bool ParseQueueId(const std::string& name, int32_t* id) {
  if (name.empty() || name.size() > 10) return false;
  int64_t v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > INT32_MAX || (name.size() > 1 && name[0] == '0')) return false;
  *id = static_cast<int32_t>(v);
  return true;
}

// The topic becomes a directory name: refuse anything that could escape or alias one.
bool IsSafeTopicName(std::string_view topic) {
  if (topic.empty() || topic == "." || topic == ".." || topic.size() > 255) return false;
  return topic.find('/') == std::string_view::npos && topic.find('\0') == std::string_view::npos;
}

}  // namespace

struct ConsumeQueueStore::Impl {
  using QueueMap = std::map<int32_t, std::shared_ptr<ConsumeQueue>>;

  ConsumeQueueOptions options;
  mutable std::shared_mutex table_mu;
  std::unordered_map<std::string, QueueMap> table;
  std::atomic<uint64_t> generation{0};

  mutable std::mutex error_mu;
  StoreResult last_error;

  // Dispatcher-thread cache of the last queue Put wrote to.
  std::string cached_topic;
  int32_t cached_queue_id = -1;
  uint64_t cached_generation = ~uint64_t{0};
  std::shared_ptr<ConsumeQueue> cached_queue;

  std::shared_ptr<ConsumeQueue> Find(std::string_view topic, int32_t queue_id) const {
    thread_local std::string key;  // reused: no allocation per lookup
    key.assign(topic.data(), topic.size());
    std::shared_lock<std::shared_mutex> lock(table_mu);
    auto t = table.find(key);
    if (t == table.end()) return nullptr;
    auto q = t->second.find(queue_id);
    return q == t->second.end() ? nullptr : q->second;
  }

  std::shared_ptr<ConsumeQueue> CreateLocked(const std::string& topic, int32_t queue_id) {
    auto& slot = table[topic][queue_id];
    if (!slot) {
      slot = std::make_shared<ConsumeQueue>(topic, queue_id, options.dir + "/" + topic + "/" + std::to_string(queue_id),
                                            options.mapped_file_size);
    }
    return slot;
  }

  std::vector<std::shared_ptr<ConsumeQueue>> All() const {
    std::vector<std::shared_ptr<ConsumeQueue>> out;
    std::shared_lock<std::shared_mutex> lock(table_mu);
    for (const auto& t : table) {
      for (const auto& q : t.second) out.push_back(q.second);
    }
    return out;
  }

  void SetError(const StoreResult& r) {
    std::lock_guard<std::mutex> lock(error_mu);
    last_error = r;
  }

  StoreResult CheckConfig() const {
    if (options.mapped_file_size <= 0 || options.mapped_file_size % kCqUnitSize != 0) {
      return StoreResult::Error("ERR_STORE_CONFIG_INVALID",
                                "mappedFileSizeConsumeQueue must be a positive multiple of 20, got " +
                                    std::to_string(options.mapped_file_size),
                                options.dir);
    }
    return StoreResult::Ok();
  }

  StoreResult LoadQueue(const std::string& topic, const DirEntry& entry);
};

StoreResult ConsumeQueueStore::Impl::LoadQueue(const std::string& topic, const DirEntry& entry) {
  const std::string qdir = options.dir + "/" + topic + "/" + entry.name;
  int32_t queue_id = 0;
  if (!entry.is_dir || !ParseQueueId(entry.name, &queue_id)) {
    return StoreResult::Error("ERR_STORE_FOREIGN_FILE",
                              "not a consume queue directory (expected <topic>/<queueId>): " + qdir, qdir);
  }
  std::vector<DirEntry> files;
  StoreResult r = ListDir(qdir, &files);
  if (!r.ok) return r;
  // A crash while creating the newest file (before its first unit reached it) leaves it short
  // and zero-filled: nothing was ever visible there, so it is dropped like a torn tail.
  while (!files.empty() && files.back().is_regular && files.back().size != options.mapped_file_size &&
         AllZeros(qdir + "/" + files.back().name)) {
    const std::string path = qdir + "/" + files.back().name;
    StoreLog("dropping %s: a short, zero-filled consume queue file left by an interrupted creation", path.c_str());
    r = UnlinkFile(path);
    if (!r.ok) return r;
    files.pop_back();
  }
  std::shared_ptr<ConsumeQueue> queue = CreateLocked(topic, queue_id);
  int64_t expected = -1;
  for (const DirEntry& f : files) {
    const std::string path = qdir + "/" + f.name;
    int64_t start = 0;
    if (!f.is_regular || !ParseOffsetFileName(f.name, &start) || start % options.mapped_file_size != 0 ||
        f.size != options.mapped_file_size) {
      return StoreResult::Error("ERR_STORE_FOREIGN_FILE",
                                "not a consume queue file (expected a 20-digit offset name and " +
                                    std::to_string(options.mapped_file_size) + " bytes): " + path,
                                path);
    }
    if (expected >= 0 && start != expected) {
      return StoreResult::Error("ERR_STORE_CORRUPT",
                                "consume queue files are not contiguous: expected " + OffsetFileName(expected) +
                                    " before " + path,
                                path);
    }
    queue->AddLoadedFile(start);
    expected = start + options.mapped_file_size;
  }
  return StoreResult::Ok();
}

ConsumeQueueStore::ConsumeQueueStore(ConsumeQueueOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

ConsumeQueueStore::~ConsumeQueueStore() = default;

StoreResult ConsumeQueueStore::Load() {
  StoreResult r = impl_->CheckConfig();
  if (!r.ok) return r;
  std::vector<DirEntry> topics;
  r = ListDir(impl_->options.dir, &topics);
  if (!r.ok) return r;
  std::unique_lock<std::shared_mutex> lock(impl_->table_mu);
  for (const DirEntry& t : topics) {
    const std::string tdir = impl_->options.dir + "/" + t.name;
    if (!t.is_dir || !IsSafeTopicName(t.name)) {
      return StoreResult::Error("ERR_STORE_FOREIGN_FILE", "not a topic directory: " + tdir, tdir);
    }
    std::vector<DirEntry> queues;
    r = ListDir(tdir, &queues);
    if (!r.ok) return r;
    for (const DirEntry& q : queues) {
      r = impl_->LoadQueue(t.name, q);
      if (!r.ok) return r;
    }
  }
  return StoreResult::Ok();
}

int64_t ConsumeQueueStore::Recover() {
  int64_t max_phy_end = 0;
  for (const auto& q : impl_->All()) {
    int64_t end = 0;
    StoreResult r = q->Recover(&end);
    if (!r.ok) impl_->SetError(r);
    max_phy_end = std::max(max_phy_end, end);
  }
  return max_phy_end;
}

StoreResult ConsumeQueueStore::Put(const DispatchRequest& req) {
  Impl& s = *impl_;
  if (req.consume_queue_offset < 0 || req.commit_log_offset < 0 || req.msg_size <= 0 || req.queue_id < 0 ||
      !IsSafeTopicName(req.topic)) {
    return StoreResult::Error("ERR_STORE_INVALID_DISPATCH",
                              "invalid dispatch request for consume queue " + std::string(req.topic) + "/" +
                                  std::to_string(req.queue_id) + " at queue offset " +
                                  std::to_string(req.consume_queue_offset),
                              s.options.dir);
  }
  const uint64_t generation = s.generation.load(std::memory_order_acquire);
  if (s.cached_queue && s.cached_generation == generation && s.cached_queue_id == req.queue_id &&
      s.cached_topic == req.topic) {
    return s.cached_queue->Put(req);
  }
  StoreResult r = s.CheckConfig();
  if (!r.ok) return r;
  std::shared_ptr<ConsumeQueue> queue = s.Find(req.topic, req.queue_id);
  if (!queue) {
    std::unique_lock<std::shared_mutex> lock(s.table_mu);
    queue = s.CreateLocked(std::string(req.topic), req.queue_id);
  }
  s.cached_topic.assign(req.topic.data(), req.topic.size());
  s.cached_queue_id = req.queue_id;
  s.cached_generation = generation;
  s.cached_queue = queue;
  return queue->Put(req);
}

void ConsumeQueueStore::TruncateDirty(int64_t phy_offset) {
  for (const auto& q : impl_->All()) {
    StoreResult r = q->TruncateDirty(phy_offset);
    if (!r.ok) impl_->SetError(r);
  }
}

size_t ConsumeQueueStore::ReadUnits(std::string_view topic, int32_t queue_id, int64_t queue_offset, size_t max_units,
                                    CqUnit* out) const {
  std::shared_ptr<ConsumeQueue> q = impl_->Find(topic, queue_id);
  if (!q) return 0;
  StoreResult error;
  const size_t n = q->Read(queue_offset, max_units, out, &error);
  if (!error.ok) impl_->SetError(error);
  return n;
}

bool ConsumeQueueStore::Exists(std::string_view topic, int32_t queue_id) const {
  return impl_->Find(topic, queue_id) != nullptr;
}

int64_t ConsumeQueueStore::MinOffset(std::string_view topic, int32_t queue_id) const {
  std::shared_ptr<ConsumeQueue> q = impl_->Find(topic, queue_id);
  return q ? q->min_offset() : 0;
}

int64_t ConsumeQueueStore::MaxOffset(std::string_view topic, int32_t queue_id) const {
  std::shared_ptr<ConsumeQueue> q = impl_->Find(topic, queue_id);
  return q ? q->max_offset() : 0;
}

int64_t ConsumeQueueStore::OffsetByTime(std::string_view topic, int32_t queue_id, int64_t timestamp,
                                        const std::function<int64_t(int64_t, int32_t)>& store_time_of) const {
  std::shared_ptr<ConsumeQueue> q = impl_->Find(topic, queue_id);
  return q ? q->OffsetByTime(timestamp, store_time_of) : 0;
}

std::vector<QueueInfo> ConsumeQueueStore::ListQueues() const {
  std::vector<QueueInfo> out;
  for (const auto& q : impl_->All()) out.push_back({q->topic(), q->queue_id(), q->min_offset(), q->max_offset()});
  std::sort(out.begin(), out.end(), [](const QueueInfo& a, const QueueInfo& b) {
    return a.topic != b.topic ? a.topic < b.topic : a.queue_id < b.queue_id;
  });
  return out;
}

size_t ConsumeQueueStore::QueueCount() const {
  std::shared_lock<std::shared_mutex> lock(impl_->table_mu);
  size_t n = 0;
  for (const auto& t : impl_->table) n += t.second.size();
  return n;
}

size_t ConsumeQueueStore::DeleteTopic(std::string_view topic) {
  Impl::QueueMap queues;
  {
    std::unique_lock<std::shared_mutex> lock(impl_->table_mu);
    auto it = impl_->table.find(std::string(topic));
    if (it == impl_->table.end()) return 0;
    queues = std::move(it->second);
    impl_->table.erase(it);
    impl_->generation.fetch_add(1, std::memory_order_release);
  }
  for (const auto& q : queues) {
    StoreResult r = q.second->Destroy();
    if (!r.ok) impl_->SetError(r);
  }
  StoreResult r = RemoveDir(impl_->options.dir + "/" + std::string(topic));
  if (!r.ok) impl_->SetError(r);
  return queues.size();
}

size_t ConsumeQueueStore::Flush(int least_pages) {
  size_t flushed_queues = 0;
  for (const auto& q : impl_->All()) {
    bool flushed = false;
    StoreResult r = q->Flush(least_pages, &flushed);
    if (!r.ok) impl_->SetError(r);
    if (flushed) ++flushed_queues;
  }
  return flushed_queues;
}

size_t ConsumeQueueStore::DeleteExpired(int64_t min_commit_log_offset) {
  size_t deleted = 0;
  for (const auto& q : impl_->All()) {
    size_t n = 0;
    StoreResult r = q->DeleteExpired(min_commit_log_offset, &n);
    if (!r.ok) impl_->SetError(r);
    deleted += n;
  }
  return deleted;
}

const StoreResult& ConsumeQueueStore::last_error() const {
  std::lock_guard<std::mutex> lock(impl_->error_mu);
  return impl_->last_error;
}

}  // namespace cometmq
