// transientStorePoolEnable: a few segment-sized anonymous buffers that appends write into instead
// of the page cache; the commit thread copies them into the file. Buffers are allocated lazily
// (a 1 GiB buffer per segment is costly) and reused. Exhausted pool -> nullptr; the CommitLog then
// commits what is pending before a segment goes through its mapping (CommitLog::AttachPoolBuffer).
// Thread affinity: any thread (internal lock; taken once per segment).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace cometmq {

class TransientStorePool {
 public:
  TransientStorePool(size_t max_buffers, size_t buffer_size) : max_buffers_(max_buffers), buffer_size_(buffer_size) {}
  ~TransientStorePool();
  TransientStorePool(const TransientStorePool&) = delete;
  TransientStorePool& operator=(const TransientStorePool&) = delete;

  uint8_t* Borrow();
  void Return(uint8_t* buffer);
  size_t allocated() const;

 private:
  const size_t max_buffers_;
  const size_t buffer_size_;
  mutable std::mutex mu_;
  std::vector<uint8_t*> free_;
  std::vector<uint8_t*> all_;
};

}  // namespace cometmq
