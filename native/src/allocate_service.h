// AllocateMappedFileService: creates (fallocate + map) the next CommitLog segment on a background
// thread ahead of need, then pre-faults its pages (MappedFileOptions::pre_fault), so a roll-over
// does not stall the append path.
// Take() hands out a ready segment at once (even while it is still being warmed: warming never
// stores into it), or creates one synchronously when the background has none.
// Page prefetch (for the transient pool's commits, which store into the mapping): the worker also
// keeps the pages just ahead of the append position in the page cache (POSIX_FADV_WILLNEED) and
// mapped writable (MADV_POPULATE_WRITE). Without the first, the first store into an absent page
// makes the kernel read ahead (zero-fill, the file is fallocated) a whole read_ahead_kb window on
// the storing thread: 8 MiB on a virtio disk, 15-27 ms measured here. Not a read populate through
// the mapping either: one fault reads the whole 8 MiB window without a preemption point
// (PREEMPT_NONE kernels), 18-24 ms during which the threads woken on that CPU wait; fadvise reads
// exactly the chunk asked for. Without the second, every page still costs the storing thread a
// write fault (ext4_page_mkwrite: buffer heads, the unwritten extent, dirtying): 15% of the main
// thread's time when it stored into the mapping under per-request produce; populated here, the
// same work is done in a loop without a trap per page. The zero pages it dirties ahead are
// overwritten long before writeback would find them (the flush only covers what was written).
// Thread affinity: Take/Give back/RequestAhead/PrefetchPages from the main thread; the worker
// thread inside.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "mapped_file.h"
#include "store_error.h"

namespace cometmq {

class AllocateService {
 public:
  AllocateService(std::string dir, int64_t file_size, MappedFileOptions options)
      : dir_(std::move(dir)), file_size_(file_size), options_(options) {}
  ~AllocateService() { Stop(); }

  void Start();
  // Stops the thread and deletes segments created ahead but never used.
  void Stop();

  // The segment starting at `offset`: ready-made, or created now. Errno result on failure.
  StoreResult Take(int64_t offset, std::shared_ptr<MappedFile>* out);
  // Puts back a segment taken by an append that then failed (all-or-nothing batches).
  void GiveBack(std::shared_ptr<MappedFile> file);
  // Asks the worker to prepare the segment at `offset` if it does not exist yet.
  void RequestAhead(int64_t offset);
  // Asks the worker to bring [from, to) of `file` (positions inside the file) into the page cache
  // and map it writable (MappedFile::Prefetch), never at or behind the appends (FollowAppends).
  // A request that continues the pending one extends it; one for another file replaces it.
  void PrefetchPages(std::shared_ptr<MappedFile> file, int64_t from, int64_t to);
  // The appends' end position (absolute), so prefetching never works at or behind it. Set once,
  // before Start().
  void FollowAppends(const std::atomic<int64_t>* append_position) { append_position_ = append_position; }

 private:
  void Run();
  // A range of a segment to bring into the page cache; `file` null when there is none.
  struct PendingPrefetch {
    std::shared_ptr<MappedFile> file;
    int64_t from = 0;
    int64_t to = 0;
  };
  // Creates the requested segment (lock held on entry and exit) and warms it per options_.
  void CreateAhead(std::unique_lock<std::mutex>& lock);
  // Prefetches the next chunk of `pending` (lock held on entry and exit, released meanwhile).
  void PrefetchChunk(PendingPrefetch& pending, std::unique_lock<std::mutex>& lock);
  bool stop_requested() {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }

  const std::string dir_;
  const int64_t file_size_;
  const MappedFileOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int64_t, std::shared_ptr<MappedFile>> ready_;
  int64_t requested_ = -1;    // offset the worker should prepare next, -1 none
  int64_t in_progress_ = -1;  // offset being created right now (by either side)
  int64_t highest_taken_ = -1;  // segments at or below this exist already: never pre-create them
  PendingPrefetch ahead_of_appends_;  // PrefetchPages()
  PendingPrefetch segment_head_;      // the first window of the segment created last
  const std::atomic<int64_t>* append_position_ = nullptr;
  bool failed_logged_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cometmq
