// Raw hardware ceilings the benchmark divides the store's figures by (bench/store/):
//  - memcpy into a fresh fallocated, pre-touched, MAP_SHARED file (the best an append can do);
//  - sequential write(2) with an fdatasync every bytesPerSync (the best a SYNC_FLUSH can do).
// The scratch file is removed afterwards. Thread affinity: any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store_error.h"

namespace cometmq {

// Elapsed nanoseconds of the copies alone into a fresh fallocated file (allocation excluded). With
// pre_touch every page is faulted in before the clock starts (the warm-segment ceiling); without,
// the copies take the first-write faults themselves (the fresh-segment ceiling).
StoreResult MemcpyIntoMmapNanos(const std::string& path, int64_t total_bytes, int64_t chunk_bytes, bool pre_touch,
                                int64_t* nanos);

// One latency (ns) per sync group: the group's writes plus its fdatasync.
StoreResult WriteWithFdatasyncNanos(const std::string& path, int64_t total_bytes, int64_t chunk_bytes,
                                    int64_t bytes_per_sync, std::vector<double>* latencies);

}  // namespace cometmq
