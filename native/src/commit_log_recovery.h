// CommitLog recovery (RocketMQ recoverNormally / recoverAbnormally, internals §1.8): choose where
// to start, walk records checking magic, lengths, PHYSICALOFFSET and (checkCRCOnRecover) body CRC,
// and decide what the first invalid record means:
//  - nothing valid after it up to the end of written data: a torn tail. Zero the rest of its
//    segment, delete later segments, report the bytes cut off.
//  - valid records after it: damage in the middle of the log. Nothing is changed; the result is
//    ERR_STORE_CORRUPT naming the segment file and the physical offset.
//    One exception: after an unclean exit, beyond the last offset the checkpoint knows to be
//    flushed, a whole zero page at the damage is a page write the disk never got (a power cut
//    persists dirty pages in any order). That is still a torn tail: it is cut there, and the
//    unflushed records after it go too (they were never acknowledged as durable).
// Thread affinity: the opening thread, before any other thread uses the files.
#pragma once

#include <cstdint>

#include "mapped_file_queue.h"
#include "store_error.h"

namespace cometmq {

struct CommitLogRecoveryInput {
  bool last_exit_ok = true;
  int64_t checkpoint_min_timestamp = 0;  // Checkpoint::MinTimestamp()
  int64_t consume_queue_max_phy = 0;     // ConsumeQueueStore::Recover()
  // Last physical offset the (loaded) index holds; INT64_MAX when indexing is off. After a crash
  // the index drops files newer than its checkpoint, so recovery must re-dispatch from there too.
  int64_t index_max_phy = INT64_MAX;
  bool check_crc = true;
  // Checkpoint confirmPhyOffset: the CommitLog is known durable below it (unclean exit only).
  int64_t durable_offset = 0;
};

struct CommitLogRecoveryOutcome {
  int64_t start = 0;  // first offset re-checked (and to be re-dispatched)
  int64_t end = 0;    // end of valid data: the new wrote/committed/flushed position
  uint64_t records = 0;
  int64_t truncated_bytes = 0;
};

StoreResult RecoverCommitLog(MappedFileQueue& files, const CommitLogRecoveryInput& input, CommitLogRecoveryOutcome* out);

}  // namespace cometmq
