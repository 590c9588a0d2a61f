#include "flush_service.h"

#include <chrono>

#include "store_log.h"
#include "thread_name.h"

namespace cometmq {

namespace {
using Clock = std::chrono::steady_clock;
std::chrono::milliseconds Ms(double v) { return std::chrono::milliseconds(static_cast<int64_t>(v > 1 ? v : 1)); }
}  // namespace

FlushService::FlushService(const StoreConfig& config, CommitLog* commit_log, Checkpoint* checkpoint,
                           ConsumeQueueStore* cqs, IndexService* index,
                           std::function<int64_t()> dispatched_store_timestamp)
    : config_(config),
      sync_(config.sync_flush()),
      commit_log_(commit_log),
      checkpoint_(checkpoint),
      cqs_(cqs),
      index_(index),
      dispatched_store_timestamp_(std::move(dispatched_store_timestamp)) {}

void FlushService::Start() {
  stop_.store(false);
  commit_log_thread_ = std::thread([this] {
    NameThisThread("cometmq-flush");
    RunCommitLogFlush();
  });
  if (config_.transient_pool_enabled()) {
    commit_thread_ = std::thread([this] {
      NameThisThread("cometmq-commit");
      RunCommit();
    });
  }
  logic_thread_ = std::thread([this] {
    NameThisThread("cometmq-cqflush");
    RunLogicFlush();
  });
}

void FlushService::Stop() {
  stop_.store(true);
  commit_log_signal_.Notify();
  commit_signal_.Notify();
  logic_signal_.Notify();
  if (commit_log_thread_.joinable()) commit_log_thread_.join();
  if (commit_thread_.joinable()) commit_thread_.join();
  if (logic_thread_.joinable()) logic_thread_.join();
}

bool FlushService::FlushCommitLog(int least_pages, StoreResult* error) {
  std::lock_guard<std::mutex> lock(commit_log_mu_);
  const bool flushed = commit_log_->Flush(least_pages, error);
  if (flushed) {
    checkpoint_->set_physic_msg_timestamp(commit_log_->flushed_store_timestamp());
    // Recovery treats damage below this offset as corruption, never as a lost page write.
    checkpoint_->set_confirm_phy_offset(commit_log_->flushed_position());
    if (on_flushed_) on_flushed_();
  }
  return flushed;
}

bool FlushService::CommitPool(int least_pages) {
  // CommitDirty takes the CommitLog's commit lock (the commit thread, FlushAll, a dry pool's roll).
  const bool committed = commit_log_->CommitDirty(least_pages);
  if (committed && on_committed_) on_committed_();
  return committed;
}

void FlushService::RunCommitLogFlush() {
  const auto interval = Ms(config_.flushIntervalCommitLog);
  const auto thorough = Ms(config_.flushCommitLogThoroughInterval);
  auto last_thorough = Clock::now();
  while (!stop_.load()) {
    int least_pages = 0;
    if (sync_) {
      // Group commit: everything appended up to now goes in one flush. An append during the
      // previous flush left the signal set, so this returns at once: no append waits a cycle.
      commit_log_signal_.WaitFor(std::chrono::milliseconds(1000));
    } else {
      commit_log_signal_.WaitFor(interval);
      least_pages = static_cast<int>(config_.flushCommitLogLeastPages);
      if (Clock::now() - last_thorough >= thorough) {
        least_pages = 0;
        last_thorough = Clock::now();
      }
    }
    if (stop_.load()) break;
    StoreResult error;
    FlushCommitLog(least_pages, &error);
    if (!error.ok) {
      if (!error_logged_) StoreLog("CommitLog flush failed: %s", error.message.c_str());
      error_logged_ = true;
    }
  }
}

void FlushService::RunCommit() {
  const auto interval = Ms(config_.commitIntervalCommitLog);
  const auto thorough = Ms(config_.commitCommitLogThoroughInterval);
  auto last_thorough = Clock::now();
  while (!stop_.load()) {
    commit_signal_.WaitFor(interval);
    if (stop_.load()) break;
    int least_pages = static_cast<int>(config_.commitCommitLogLeastPages);
    if (Clock::now() - last_thorough >= thorough) {
      least_pages = 0;
      last_thorough = Clock::now();
    }
    CommitPool(least_pages);
  }
}

StoreResult FlushService::FlushLogic(int least_pages) {
  std::lock_guard<std::mutex> lock(logic_mu_);
  const int64_t logics_timestamp = dispatched_store_timestamp_ ? dispatched_store_timestamp_() : 0;
  cqs_->Flush(least_pages);
  const int64_t index_timestamp = index_->Flush();
  // Like RocketMQ, the logics timestamp only moves on a thorough flush: only then is every queue
  // known to be durable up to it.
  if (least_pages == 0 && logics_timestamp > 0) checkpoint_->set_logics_msg_timestamp(logics_timestamp);
  if (index_timestamp > 0) checkpoint_->set_index_msg_timestamp(index_timestamp);
  return checkpoint_->Flush();
}

void FlushService::RunLogicFlush() {
  const auto interval = Ms(config_.flushIntervalConsumeQueue);
  const auto thorough = Ms(config_.flushConsumeQueueThoroughInterval);
  auto last_thorough = Clock::now();
  while (!stop_.load()) {
    logic_signal_.WaitFor(interval);
    if (stop_.load()) break;
    int least_pages = static_cast<int>(config_.flushConsumeQueueLeastPages);
    if (Clock::now() - last_thorough >= thorough) {
      least_pages = 0;
      last_thorough = Clock::now();
    }
    StoreResult r = FlushLogic(least_pages);
    if (!r) StoreLog("checkpoint flush failed: %s", r.message.c_str());
  }
}

StoreResult FlushService::FlushAll() {
  if (config_.transient_pool_enabled()) CommitPool(0);
  StoreResult error;
  FlushCommitLog(0, &error);
  if (!error.ok) return error;
  return FlushLogic(0);
}

}  // namespace cometmq
