// The ordered CommitLog segments of one directory. Segment i starts at a multiple of the file
// size, so offset -> segment is arithmetic. Segments are shared_ptrs: a reader or the flusher that
// holds one keeps its mapping valid even if retention removes it from the queue meanwhile.
// Thread affinity: any thread; the short internal lock is taken per lookup, and by the append
// path only when it rolls to a new segment.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mapped_file.h"
#include "store_error.h"

namespace cometmq {

class MappedFileQueue {
 public:
  MappedFileQueue(std::string dir, int64_t file_size) : dir_(std::move(dir)), file_size_(file_size) {}

  // Opens every segment in dir. Names must be 20 digits, multiples of the file size, sizes equal
  // to it (else ERR_STORE_FOREIGN_FILE naming the file); a missing segment in the middle is
  // ERR_STORE_CORRUPT.
  StoreResult Load();

  std::shared_ptr<MappedFile> FindByOffset(int64_t offset) const;
  std::shared_ptr<MappedFile> First() const;
  std::shared_ptr<MappedFile> Last() const;
  std::vector<std::shared_ptr<MappedFile>> Snapshot() const;
  size_t count() const;
  // Start offset of the first segment, 0 when there is none.
  int64_t MinOffset() const;

  void Append(std::shared_ptr<MappedFile> file);
  // Removes the first segment from the queue (the caller destroys it).
  std::shared_ptr<MappedFile> PopFirst();
  // Removes and destroys every segment starting at or after `offset`.
  StoreResult DestroyFrom(int64_t offset);

  const std::string& dir() const { return dir_; }
  int64_t file_size() const { return file_size_; }
  int64_t SegmentStart(int64_t offset) const { return offset - offset % file_size_; }

 private:
  const std::string dir_;
  const int64_t file_size_;
  mutable std::mutex mu_;
  std::deque<std::shared_ptr<MappedFile>> files_;
};

}  // namespace cometmq
