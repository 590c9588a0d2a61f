// One fixed-size segment file mapped MAP_SHARED, named by its 20-digit start offset.
// The file is fallocated to full size before it is mapped, so stores through the mapping cannot
// SIGBUS on a full disk: ENOSPC surfaces from Create() instead.
// Appends reach the file one of two ways: pwrite through the fd (cheaper to make durable, see
// commit_log.h), or a transient-pool write buffer that Commit() copies into the mapping. Readers
// always read the mapping: it shares the page cache with pwrite, so bytes written either way are
// visible there.
// Thread affinity: data()/WriteTarget()/WriteAt() writes on the main thread only; FlushRange()/
// SyncData() on the flush thread; Commit() on the commit thread; reads from any thread up to
// published positions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "store_error.h"

struct iovec;

namespace cometmq {

// How the allocator pre-faults a fresh segment in the background.
enum class PreFault {
  kNone,
  // Writable (MADV_POPULATE_WRITE): stores through the mapping then never fault. It also marks
  // every page dirty (warmMapedFileEnable's zeros are meant to be written).
  kWrite,
  // Readable (MADV_POPULATE_READ): zeroed pages enter the page cache clean, so neither pwrite nor
  // the dispatcher's reads fault them in, and writeback has no zero pages to flush.
  kRead,
};

struct MappedFileOptions {
  PreFault pre_fault = PreFault::kWrite;
  bool mlock = false;           // mlockMappedFileEnable / warmMapedFileEnable (best effort)
  bool read_ahead = true;       // dataReadAheadEnable; false -> MADV_RANDOM
  int64_t flush_every_pages_when_warming = 0;  // > 0: warm in chunks of this many pages, msync each
  // > 0 (with PreFault::kNone): keep this many bytes ahead of the appends in the page cache
  // (AllocateService::PrefetchPages).
  int64_t prefetch_window = 0;
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
  // Pre-faults [from, to) per options.pre_fault without storing anything, so it is safe while the
  // append path already writes into the same segment. Falls back to read-touching.
  void Warm(int64_t from, int64_t to, const MappedFileOptions& options);
  // Brings [from, to) into the page cache (POSIX_FADV_WILLNEED: exactly that range is read, where
  // a fault on the mapping would read a whole read-ahead window), then maps it writable without
  // storing anything (MADV_POPULATE_WRITE, Linux 5.14; older kernels leave the write fault to the
  // first store), so it is safe while the append path writes into the same segment.
  void Prefetch(int64_t from, int64_t to);
  void Lock(const MappedFileOptions& options);

  uint8_t* data() const { return data_; }
  int fd() const { return fd_; }
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

  // pwritev of `iov` at `pos` (inside the file), retried until every byte is written. On error
  // some of the bytes may be in the file; the caller must not publish them.
  StoreResult WriteAt(const struct iovec* iov, int count, int64_t pos);

  // msync(MS_SYNC) of [from, to) (positions inside the file), page aligned.
  StoreResult FlushRange(int64_t from, int64_t to);
  // fdatasync of the whole file: what makes WriteAt() data durable (it also covers stores through
  // the mapping).
  StoreResult SyncData();

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
