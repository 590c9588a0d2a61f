// Diagnostics of the native core go to stderr with a fixed prefix (the core has no logger of its
// own; the process's stderr is captured by whoever runs the broker). Any thread.
#pragma once

#include <cstdarg>
#include <cstdio>

namespace cometmq {

__attribute__((format(printf, 1, 2))) inline void StoreLog(const char* fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "[cometmq-store] %s\n", line);
}

}  // namespace cometmq
