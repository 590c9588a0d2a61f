// One fixed-size segment file mapped MAP_SHARED, named by its 20-digit start offset.
// The file is fallocated to full size before it is mapped, so stores through the mapping cannot
// SIGBUS on a full disk: ENOSPC surfaces from Create() instead.
// With a transient-pool write buffer, appends go to the buffer and Commit() copies them into the
// mapping; readers always read the mapping.
// Thread affinity: data()/WriteTarget() writes on the main thread only; Flush() on the flush
// thread; Commit() on the commit thread; reads from any thread up to published positions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "store_error.h"

namespace cometmq {

struct MappedFileOptions {
  bool pre_touch = true;        // pre-fault every page in the background so appends do not fault
  bool mlock = false;           // mlockMappedFileEnable / warmMapedFileEnable (best effort)
  bool read_ahead = true;       // dataReadAheadEnable; false -> MADV_RANDOM
  int64_t flush_every_pages_when_warming = 0;  // > 0: warm in chunks of this many pages, msync each
};

class MappedFile {
 public:
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Creates (fallocate to `size`) and maps a new segment; fails with an errno result if the file
  // exists or space is missing, and then leaves no file behind.
  static StoreResult Create(const std::string& dir, int64_t file_from_offset, int64_t size, std::unique_ptr<MappedFile>* out);
  // Maps an existing segment whose size the caller has validated.
  static StoreResult Open(const std::string& path, int64_t file_from_offset, int64_t size, std::unique_ptr<MappedFile>* out);

  static std::string FileName(int64_t offset);  // 20-digit zero-padded

  // madvise (read-ahead policy) and, when asked, mlock. Cheap; done before first use.
  void Advise(const MappedFileOptions& options);
  // Pre-faults [from, to) writable without storing anything (MADV_POPULATE_WRITE), so it is safe
  // while the append path already writes into the same segment. Falls back to read-touching.
  void Warm(int64_t from, int64_t to, const MappedFileOptions& options);
  void Lock(const MappedFileOptions& options);

  uint8_t* data() const { return data_; }
  int64_t file_from_offset() const { return file_from_offset_; }
  int64_t size() const { return size_; }
  int64_t end_offset() const { return file_from_offset_ + size_; }
  const std::string& path() const { return path_; }

  // Transient store pool: appends write into `buffer` (size() bytes) instead of the mapping.
  void AttachWriteBuffer(uint8_t* buffer) { write_buffer_ = buffer; }
  uint8_t* DetachWriteBuffer() {
    uint8_t* b = write_buffer_;
    write_buffer_ = nullptr;
    return b;
  }
  bool has_write_buffer() const { return write_buffer_ != nullptr; }
  // Where appends go: the write buffer if attached, else the mapping.
  uint8_t* WriteTarget() const { return write_buffer_ ? write_buffer_ : data_; }
  // Copies [from, to) (positions inside the file) from the write buffer into the mapping.
  void CommitRange(int64_t from, int64_t to);

  // msync(MS_SYNC) of [from, to) (positions inside the file), page aligned.
  StoreResult FlushRange(int64_t from, int64_t to);

  // Zeros [from, size) and syncs it: recovery's truncation of a torn tail.
  StoreResult ZeroFrom(int64_t from);

  // Unlinks the file; the mapping stays valid until the object is destroyed.
  StoreResult Destroy();

  int64_t LastModifiedMs() const;

 private:
  MappedFile() = default;
  static StoreResult MapFd(int fd, const std::string& path, int64_t file_from_offset, int64_t size, std::unique_ptr<MappedFile>* out);

  std::string path_;
  int fd_ = -1;
  uint8_t* data_ = nullptr;
  int64_t file_from_offset_ = 0;
  int64_t size_ = 0;
  uint8_t* write_buffer_ = nullptr;
  bool locked_ = false;
};

}  // namespace cometmq
