#include "transient_store_pool.h"

#include <sys/mman.h>

namespace cometmq {

uint8_t* TransientStorePool::Borrow() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!free_.empty()) {
    uint8_t* b = free_.back();
    free_.pop_back();
    return b;
  }
  if (all_.size() >= max_buffers_) return nullptr;
  void* p = ::mmap(nullptr, buffer_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  all_.push_back(static_cast<uint8_t*>(p));
  return static_cast<uint8_t*>(p);
}

void TransientStorePool::Return(uint8_t* buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(buffer);
}

size_t TransientStorePool::allocated() const {
  std::lock_guard<std::mutex> lock(mu_);
  return all_.size();
}

TransientStorePool::~TransientStorePool() {
  for (uint8_t* b : all_) ::munmap(b, buffer_size_);
}

}  // namespace cometmq
