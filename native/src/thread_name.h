// Names the calling thread (at most 15 characters on Linux) so `top -H`, perf and /proc show which
// of the store's threads is which; a no-op where the call is missing.
#pragma once

#if defined(__linux__)
#include <pthread.h>
#endif

namespace cometmq {

inline void NameThisThread(const char* name) {
#if defined(__linux__)
  (void)pthread_setname_np(pthread_self(), name);
#else
  (void)name;
#endif
}

}  // namespace cometmq
