#include "reput_service.h"

#include <chrono>

#include "java_hash.h"
#include "message_properties.h"
#include "record_layout.h"
#include "store_log.h"
#include "thread_name.h"

namespace cometmq {

namespace {

int64_t ParseDecimal(std::string_view s) {
  int64_t v = 0;
  if (s.empty()) return 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
    if (v > 1000000) return v;
  }
  return v;
}

}  // namespace

DispatchRequest BuildDispatchRequest(const RecordView& v, int64_t phy, const std::vector<int64_t>& delay_levels_ms) {
  DispatchRequest req;
  req.topic = v.topic;
  req.queue_id = v.queue_id;
  req.commit_log_offset = phy;
  req.msg_size = static_cast<int32_t>(v.total_size);
  req.store_timestamp = v.store_timestamp;
  req.consume_queue_offset = v.queue_offset;
  req.sys_flag = static_cast<int32_t>(v.sys_flag);
  req.prepared_transaction_offset = v.prepared_transaction_offset;
  const DispatchProperties props = ScanDispatchProperties(v.properties);
  req.keys = props.keys;
  req.uniq_key = props.uniq_key;
  req.tags_code = props.has_tags ? JavaStringHash(props.tags) : 0;
  // Delay-level messages: the tag slot holds the delivery time (RocketMQ computeDeliverTimestamp).
  if (v.topic == kScheduleTopic && !delay_levels_ms.empty()) {
    int64_t level = ParseDecimal(props.delay);
    if (level > static_cast<int64_t>(delay_levels_ms.size())) level = static_cast<int64_t>(delay_levels_ms.size());
    if (level > 0) req.tags_code = v.store_timestamp + delay_levels_ms[static_cast<size_t>(level - 1)];
  }
  return req;
}

bool ReputService::DispatchUpTo(int64_t end, StoreResult* error, uint64_t* records) {
  int64_t pos = dispatched_.load(std::memory_order_relaxed);
  std::shared_ptr<MappedFile> seg;
  while (pos < end) {
    if (!seg || pos < seg->file_from_offset() || pos >= seg->end_offset()) {
      seg = commit_log_->files().FindByOffset(pos);
      if (!seg) {
        // Retention removed the segment: continue from the first one still present.
        const int64_t min = commit_log_->min_offset();
        if (min > pos) {
          pos = min;
          dispatched_.store(pos, std::memory_order_release);
          continue;
        }
        *error = StoreResult::Error("ERR_STORE_CORRUPT", "no CommitLog segment holds offset " + std::to_string(pos), "", pos);
        return false;
      }
    }
    const int64_t base = seg->file_from_offset();
    const int64_t limit = std::min(end, seg->end_offset());
    RecordView v;
    const RecordCheck check = ParseRecord(seg->data() + (pos - base), static_cast<size_t>(limit - pos), &v);
    if (check == RecordCheck::kBlank) {
      pos = seg->end_offset();
      dispatched_.store(pos, std::memory_order_release);
      continue;
    }
    if (check != RecordCheck::kOk) {
      *error = StoreResult::Error("ERR_STORE_CORRUPT",
                                  std::string("[BUG] undispatchable record (") + RecordCheckName(check) + ") in " +
                                      seg->path() + " at offset " + std::to_string(pos),
                                  seg->path(), pos);
      return false;
    }
    const DispatchRequest req = BuildDispatchRequest(v, pos, delay_levels_ms_);
    if (!record::IsPreparedOrRollback(v.sys_flag)) {
      StoreResult r = cqs_->Put(req);
      if (!r) {
        *error = r;
        return false;
      }
    }
    StoreResult r = index_->BuildIndex(req);
    if (!r) {
      *error = r;
      return false;
    }
    pos += v.total_size;
    if (records) ++*records;
    dispatched_store_timestamp_.store(v.store_timestamp, std::memory_order_release);
    dispatched_.store(pos, std::memory_order_release);
  }
  return true;
}

StoreResult ReputService::DispatchRange(int64_t from, int64_t to, uint64_t* records) {
  dispatched_.store(from, std::memory_order_release);
  StoreResult error;
  if (!DispatchUpTo(to, &error, records)) return error;
  return StoreResult::Ok();
}

bool ReputService::TryDispatchInline(int64_t max_bytes) {
  const int64_t end = commit_log_->committed_position();
  if (end - dispatched_.load(std::memory_order_acquire) > max_bytes) return false;
  std::unique_lock<std::mutex> lock(dispatch_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return false;
  StoreResult error;
  if (!DispatchUpTo(end, &error, nullptr)) return false;
  ++inline_dispatches_;
  return true;
}

void ReputService::Start(int64_t from) {
  dispatched_.store(from, std::memory_order_release);
  stop_.store(false);
  thread_ = std::thread([this] {
    NameThisThread("cometmq-reput");
    Run();
  });
}

void ReputService::Stop() {
  stop_.store(true);
  signal_.Notify();
  if (thread_.joinable()) thread_.join();
}

void ReputService::Run() {
  bool error_logged = false;
  while (true) {
    const bool stopping = stop_.load();
    int64_t before;
    StoreResult error;
    bool ok;
    {
      std::lock_guard<std::mutex> lock(dispatch_mu_);
      before = dispatched_.load(std::memory_order_relaxed);
      ok = DispatchUpTo(commit_log_->committed_position(), &error, nullptr);
    }
    if (dispatched_.load(std::memory_order_relaxed) != before && on_dispatched_) on_dispatched_();
    if (ok) {
      error_logged = false;
    } else if (!error_logged) {
      StoreLog("dispatch stopped at offset %lld, retrying: %s",
               static_cast<long long>(dispatched_.load(std::memory_order_relaxed)), error.message.c_str());
      error_logged = true;
    }
    if (stopping) break;
    // The one timed wait: after an I/O error there is nothing to be woken by, so retry shortly.
    signal_.WaitFor(ok ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(100));
  }
}

}  // namespace cometmq
