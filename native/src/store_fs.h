// Small POSIX helpers shared by the CommitLog, ConsumeQueue and IndexFile code: directory listing, mkdir -p,
// the 20-digit offset file names, fixed-size file creation and mapping. Every failure is a
// StoreResult naming the path. Any thread; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store_error.h"

namespace cometmq {

struct DirEntry {
  std::string name;
  bool is_dir = false;
  bool is_regular = false;
  int64_t size = 0;
};

// Lists `dir` (without "." and ".."), sorted by name. A missing directory is an empty listing.
StoreResult ListDir(const std::string& dir, std::vector<DirEntry>* out);

// mkdir -p; existing directories are fine.
StoreResult MakeDirs(const std::string& dir);

// Removes an empty directory; ENOENT is fine, ENOTEMPTY is reported.
StoreResult RemoveDir(const std::string& dir);

StoreResult UnlinkFile(const std::string& path);

// "00000000000006000000" for 6000000.
std::string OffsetFileName(int64_t offset);

// Parses a 20-digit offset name; false for anything else (other lengths, non-digits, overflow).
bool ParseOffsetFileName(const std::string& name, int64_t* offset);

// Creates `path` exclusively with `size` bytes. With `allocate` the blocks are reserved up front
// (fallocate; ENOSPC surfaces here, not as SIGBUS later); otherwise the file is sparse. On failure
// no file is left behind. The descriptor is returned in *fd (caller closes).
StoreResult CreateFixedSizeFile(const std::string& path, int64_t size, bool allocate, int* fd);

// Reserves blocks for [from, to) of an open file. Falls back to writing zeros where the file system
// has no fallocate, so only call it on bytes that hold no data yet.
StoreResult AllocateRange(int fd, const std::string& path, int64_t from, int64_t to);

// Maps `size` bytes of `fd` MAP_SHARED, read-write, without fault read-ahead (MADV_RANDOM).
StoreResult MapShared(int fd, const std::string& path, int64_t size, uint8_t** data);

// Opens and maps an existing file of `size` bytes (the caller validated the size).
StoreResult MapExisting(const std::string& path, int64_t size, uint8_t** data);

// msync(MS_SYNC) of [from, to) of a mapping, widened to whole pages.
StoreResult SyncRange(uint8_t* base, const std::string& path, int64_t from, int64_t to);

int64_t PageSize();

// True when the file holds only zero bytes (false when it cannot be read). A crash between creating
// a file and reserving its blocks leaves a short zero-filled file: a torn tail without data.
bool AllZeros(const std::string& path);

}  // namespace cometmq
