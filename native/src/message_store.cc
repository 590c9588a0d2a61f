#include "message_store.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "commit_log_recovery.h"
#include "store_log.h"

namespace cometmq {

namespace {

int64_t PhysicalMemoryBytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  return (pages > 0 && page_size > 0) ? static_cast<int64_t>(pages) * page_size : (int64_t{8} << 30);
}

// mkdir -p
StoreResult EnsureDirectories(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      StoreResult r = EnsureDirectory(path.substr(0, i));
      if (!r) return r;
    }
  }
  return StoreResult::Ok();
}

}  // namespace

MessageStore::MessageStore(std::string root, const StoreConfig& config, std::vector<int64_t> delay_levels_ms)
    : root_(std::move(root)),
      config_(config),
      delay_levels_ms_(std::move(delay_levels_ms)),
      memory_limit_bytes_(static_cast<int64_t>(static_cast<double>(PhysicalMemoryBytes()) *
                                               (config.accessMessageInMemoryMaxRatio / 100.0))) {}

MessageStore::~MessageStore() { Close(); }

StoreResult MessageStore::Open(RecoveryInfo* info) {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (closed_) return StoreResult::Error("ERR_STORE_NOT_OPEN", "store " + root_ + " was closed", root_);
  if (open_.load()) return StoreResult::Error("ERR_STORE_LOCKED", "store " + root_ + " is already open by this handle", root_);
  StoreResult r = OpenLocked(info);
  if (!r) ReleaseLocked();
  return r;
}

StoreResult MessageStore::OpenLocked(RecoveryInfo* info) {
  const auto started = std::chrono::steady_clock::now();
  StoreResult r = EnsureDirectories(root_);
  if (!r) return r;
  r = lock_.Acquire(root_);
  if (!r) return r;
  r = ValidateStoreRoot(root_);
  if (!r) return r;
  for (const char* sub : {"/commitlog", "/consumequeue", "/index"}) {
    r = EnsureDirectory(root_ + sub);
    if (!r) return r;
  }
  const bool last_exit_ok = !AbortMarkerExists(root_);
  r = checkpoint_.Open(root_ + "/checkpoint");
  if (!r) return r;

  commit_log_ = std::make_unique<CommitLog>(config_, root_ + "/commitlog");
  r = commit_log_->Load();
  if (!r) return r;
  ConsumeQueueOptions cq_options;
  cq_options.dir = root_ + "/consumequeue";
  cq_options.mapped_file_size = static_cast<int64_t>(config_.mappedFileSizeConsumeQueue);
  cqs_ = std::make_unique<ConsumeQueueStore>(cq_options);
  r = cqs_->Load();
  if (!r) return r;
  IndexOptions index_options;
  index_options.dir = root_ + "/index";
  index_options.max_hash_slot_num = static_cast<int32_t>(config_.maxHashSlotNum);
  index_options.max_index_num = static_cast<int32_t>(config_.maxIndexNum);
  index_options.enabled = config_.messageIndexEnable != 0;
  index_ = std::make_unique<IndexService>(index_options);
  r = index_->Load(last_exit_ok, checkpoint_.index_msg_timestamp());
  if (!r) return r;

  CommitLogRecoveryInput in;
  in.last_exit_ok = last_exit_ok;
  in.checkpoint_min_timestamp = checkpoint_.MinTimestamp();
  in.consume_queue_max_phy = cqs_->Recover();
  // A queue that failed to recover refuses Puts; fail the open with its reason rather than later.
  if (!cqs_->last_error()) return cqs_->last_error();
  if (index_options.enabled) in.index_max_phy = index_->last_update_phy_offset();
  in.check_crc = config_.checkCRCOnRecover != 0;
  in.durable_offset = checkpoint_.confirm_phy_offset();
  CommitLogRecoveryOutcome outcome;
  r = RecoverCommitLog(commit_log_->files(), in, &outcome);
  if (!r) return r;
  cqs_->TruncateDirty(outcome.end);
  // Retention may have removed CommitLog segments the queues still point into: move each queue's
  // min offset past them (RocketMQ correctMinOffset on load).
  if (commit_log_->files().count() > 0) cqs_->DeleteExpired(commit_log_->min_offset());

  // Re-dispatch so ConsumeQueues and index are complete before open() resolves (idempotent for
  // records they already hold). After a clean exit everything up to the queues' end was
  // dispatched and flushed; after a crash, everything from the recovery start is redone.
  reput_ = std::make_unique<ReputService>(commit_log_.get(), cqs_.get(), index_.get(), delay_levels_ms_);
  int64_t redispatch_from = outcome.start;
  if (last_exit_ok) {
    redispatch_from =
        std::max(outcome.start, std::min({in.consume_queue_max_phy, in.index_max_phy, outcome.end}));
  }
  uint64_t redispatched = 0;
  r = reput_->DispatchRange(redispatch_from, outcome.end, &redispatched);
  if (!r) return r;
  for (const QueueInfo& q : cqs_->ListQueues()) commit_log_->topic_queues().Set(q.topic, q.queue_id, q.max_offset);

  r = CreateAbortMarker(root_);
  if (!r) return r;

  flush_ = std::make_unique<FlushService>(config_, commit_log_.get(), &checkpoint_, cqs_.get(), index_.get(),
                                          [reput = reput_.get()] { return reput->dispatched_store_timestamp(); });
  flush_->set_on_flushed(on_flushed_);
  ReputService* reput = reput_.get();
  FlushService* flush = flush_.get();
  flush_->set_on_committed([reput] { reput->Wake(); });
  reput_->set_on_dispatched(on_dispatched_);
  commit_log_->set_on_append([this, reput, flush] {
    flush->WakeForAppend();
    if (wake_dispatcher_on_append_) reput->Wake();
  });
  commit_log_->StartAt(outcome.end);
  reput_->Start(outcome.end);
  flush_->Start();
  open_.store(true);

  info->last_exit_ok = last_exit_ok;
  info->min_physical_offset = commit_log_->min_offset();
  info->max_physical_offset = outcome.end;
  info->recovered_from_offset = outcome.start;
  info->recovered_messages = outcome.records;
  info->truncated_bytes = outcome.truncated_bytes;
  info->duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return StoreResult::Ok();
}

StoreResult MessageStore::Flush() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (!open_.load()) return StoreResult::Error("ERR_STORE_NOT_OPEN", "store " + root_ + " is not open", root_);
  return flush_->FlushAll();
}

StoreResult MessageStore::Close() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  closed_ = true;
  if (!open_.load()) return StoreResult::Ok();
  open_.store(false);
  commit_log_->set_writable(false);
  // Order: stop the timed threads, commit + flush the CommitLog, let the dispatcher catch up with
  // everything committed, then flush ConsumeQueues, index and checkpoint once more.
  flush_->Stop();
  StoreResult first_error = flush_->FlushAll();
  reput_->Stop();
  StoreResult r = flush_->FlushAll();
  if (first_error.ok) first_error = r;
  if (reput_->dispatched_position() < commit_log_->committed_position() && first_error.ok) {
    first_error = StoreResult::Error("ERR_STORE_CORRUPT", "dispatch did not catch up before close", root_,
                                     reput_->dispatched_position());
  }
  if (first_error.ok) {
    r = RemoveAbortMarker(root_);
    if (!r) first_error = r;
  } else {
    StoreLog("closing %s: %s; keeping the abort marker so the next open recovers", root_.c_str(),
             first_error.message.c_str());
  }
  ReleaseLocked();
  return first_error;
}

void MessageStore::ReleaseLocked() {
  flush_.reset();
  reput_.reset();
  if (commit_log_) commit_log_->Stop();
  index_.reset();
  cqs_.reset();
  commit_log_.reset();
  checkpoint_.Close();
  lock_.Release();
}

PutStatus MessageStore::AppendBatch(uint8_t* records, size_t length, uint32_t count, double* out,
                                    bool wake_dispatcher) {
  if (!open_.load(std::memory_order_acquire)) return PutStatus::SERVICE_NOT_AVAILABLE;
  wake_dispatcher_on_append_ = wake_dispatcher;
  return commit_log_->AppendBatch(records, length, count, out);
}

CleanResult MessageStore::CleanExpiredFiles(int64_t now_ms, int64_t file_reserved_ms, bool clean_immediately,
                                            int32_t max_files) {
  CleanResult result;
  if (!open_.load()) return result;
  MappedFileQueue& files = commit_log_->files();
  // Never the segment being written, and only segments fully flushed and dispatched.
  const int64_t safe_end = std::min(commit_log_->flushed_position(), reput_->dispatched_position());
  while (static_cast<int32_t>(result.commit_log_files_deleted) < max_files && files.count() > 1) {
    auto first = files.First();
    if (!first || first->end_offset() > safe_end) break;
    const bool expired = first->LastModifiedMs() + file_reserved_ms <= now_ms;
    // Stop at the first file to keep: deleting past it would leave a hole.
    if (!expired && !clean_immediately) break;
    files.PopFirst();
    StoreResult r = first->Destroy();
    if (!r) {
      StoreLog("deleting %s failed: %s", first->path().c_str(), r.message.c_str());
      break;
    }
    result.commit_log_files_deleted++;
  }
  if (result.commit_log_files_deleted > 0 || clean_immediately) {
    const int64_t min_phy = commit_log_->min_offset();
    result.consume_queue_files_deleted = cqs_->DeleteExpired(min_phy);
    result.index_files_deleted = index_->DeleteExpired(min_phy);
  }
  return result;
}

int64_t MessageStore::BeginTimeInLock() const {
  return open_.load() ? commit_log_->begin_time_in_lock() : 0;
}

StoreStats MessageStore::Stats() const {
  StoreStats s;
  if (!open_.load()) return s;
  s.append = commit_log_->stats();
  s.begin_time_in_lock = commit_log_->begin_time_in_lock();
  s.flush_count = commit_log_->flush_count();
  s.flush_nanos_total = commit_log_->flush_nanos_total();
  s.flush_nanos_max = commit_log_->flush_nanos_max();
  s.commit_log_segments = commit_log_->files().count();
  s.consume_queues = cqs_ ? cqs_->QueueCount() : 0;
  s.index_files = index_ ? index_->file_count() : 0;
  s.wrote_position = commit_log_->wrote_position();
  s.committed_position = commit_log_->committed_position();
  s.flushed_position = commit_log_->flushed_position();
  s.dispatched_position = reput_ ? reput_->dispatched_position() : 0;
  s.inline_dispatches = reput_ ? reput_->inline_dispatches() : 0;
  return s;
}

}  // namespace cometmq
