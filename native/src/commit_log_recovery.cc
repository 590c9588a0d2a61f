#include "commit_log_recovery.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "crc32.h"
#include "record_layout.h"
#include "record_parser.h"
#include "store_log.h"

namespace cometmq {

namespace {

using Segments = std::vector<std::shared_ptr<MappedFile>>;

enum class Verdict { kValid, kBlank, kEnd, kInvalid };

// Checks the record at `pos` of `seg` the way recovery trusts it.
Verdict CheckAt(const MappedFile& seg, int64_t pos, bool check_crc, RecordView* v, const char** why) {
  const int64_t base = seg.file_from_offset();
  const uint8_t* p = seg.data() + (pos - base);
  const RecordCheck check = ParseRecord(p, static_cast<size_t>(seg.end_offset() - pos), v);
  switch (check) {
    case RecordCheck::kBlank:
      return Verdict::kBlank;
    case RecordCheck::kEmpty:
      *why = "no record where one should start";
      return Verdict::kEnd;
    case RecordCheck::kOk:
      break;
    default:
      *why = RecordCheckName(check);
      return Verdict::kInvalid;
  }
  if (v->physical_offset != pos) {
    *why = "PHYSICALOFFSET field does not match the record's position";
    return Verdict::kInvalid;
  }
  if (check_crc && BodyCrc(p + v->body_pos, v->body_length) != v->body_crc) {
    *why = "body CRC mismatch";
    return Verdict::kInvalid;
  }
  if (!TailLooksWritten(*v)) {
    *why = "record tail (topic/properties) was never written";
    return Verdict::kInvalid;
  }
  return Verdict::kValid;
}

// Calls fn(from, to) for each range within [from, to) (offsets in `seg`) that the filesystem
// reports as data, in order, until fn returns false. The unwritten rest of a pre-allocated 1 GiB
// segment reads back as zeros, but touching it page by page took seconds at every restart after a
// crash. The ranges are listed before any byte is read: reading pulls the following pages into the
// page cache by readahead, and cached pages count as data. Without SEEK_DATA support the whole
// range is one range.
template <typename Fn>
void ForEachDataRange(const MappedFile& seg, int64_t from, int64_t to, Fn fn) {
  std::vector<std::pair<int64_t, int64_t>> ranges;
  while (from < to) {
    const off_t data = ::lseek(seg.fd(), from, SEEK_DATA);
    if (data < 0) {
      if (errno != ENXIO) ranges.emplace_back(from, to);  // no SEEK_DATA here: read it all
      break;
    }
    if (data >= to) break;
    off_t hole = ::lseek(seg.fd(), data, SEEK_HOLE);
    if (hole < 0 || hole > to) hole = to;
    ranges.emplace_back(data, hole);
    from = hole;
  }
  for (const auto& r : ranges) {
    if (!fn(r.first, r.second)) return;
  }
}

// First valid message record starting in (after, end of log), or -1. A candidate must carry a
// message magic, parse, hold its own position in PHYSICALOFFSET and pass the CRC, so stale or
// random bytes are not mistaken for a record.
int64_t FindValidRecordAfter(const Segments& segs, size_t first_index, int64_t after) {
  static const uint8_t kMagicHead = static_cast<uint8_t>(record::kMessageMagicCode >> 24);
  for (size_t i = first_index; i < segs.size(); ++i) {
    const MappedFile& seg = *segs[i];
    const int64_t base = seg.file_from_offset();
    const int64_t first = std::max(after + 1, base) - base;  // candidate record starts, in the segment
    const int64_t last = seg.size() - record::kOffsetBornHost;
    if (first > last) continue;
    int64_t found = -1;
    // Magic bytes sit kOffsetMagic into a record: search where they can be.
    ForEachDataRange(seg, first + record::kOffsetMagic, last + record::kOffsetMagic + 1, [&](int64_t from, int64_t to) {
      while (from < to) {
        const uint8_t* hit = static_cast<const uint8_t*>(
            std::memchr(seg.data() + from, kMagicHead, static_cast<size_t>(to - from)));
        if (!hit) return true;
        const int64_t q = (hit - seg.data()) - record::kOffsetMagic;
        RecordView v;
        const char* why = nullptr;
        if (CheckAt(seg, q + base, true, &v, &why) == Verdict::kValid) {
          found = q + base;
          return false;
        }
        from = (hit - seg.data()) + 1;
      }
      return true;
    });
    if (found >= 0) return found;
  }
  return -1;
}

// One past the last non-zero byte of [p, p + n), or 0 when all zero.
size_t EndOfNonZero(const uint8_t* p, size_t n) {
  size_t i = n;
  while (i >= 8) {
    uint64_t w;
    std::memcpy(&w, p + i - 8, 8);
    if (w != 0) break;
    i -= 8;
  }
  while (i > 0 && p[i - 1] == 0) --i;
  return i;
}

// Bytes from `from` (an offset in the segment) to one past its last non-zero byte, 0 when all zero.
size_t NonZeroTail(const MappedFile& seg, int64_t from) {
  int64_t last_end = 0;
  ForEachDataRange(seg, from, seg.size(), [&](int64_t a, int64_t b) {
    const size_t n = EndOfNonZero(seg.data() + a, static_cast<size_t>(b - a));
    if (n > 0) last_end = a + static_cast<int64_t>(n);
    return true;
  });
  return last_end > from ? static_cast<size_t>(last_end - from) : 0;
}

// Whether a page-aligned 4 KiB page overlapping [from, from + length) of `seg` is all zeros: the
// signature of a page write lost in a power cut (fallocated blocks read back as zeros).
bool HasZeroPage(const MappedFile& seg, int64_t from, int64_t length) {
  constexpr int64_t kPage = 4096;
  const int64_t base = seg.file_from_offset();
  const int64_t end = std::min(seg.end_offset(), from + std::max<int64_t>(length, 1));
  for (int64_t page = (from - base) & ~(kPage - 1); base + page < end && page + kPage <= seg.size(); page += kPage) {
    if (EndOfNonZero(seg.data() + page, kPage) == 0) return true;
  }
  return false;
}

size_t StartIndex(const Segments& segs, const CommitLogRecoveryInput& in) {
  auto index_of = [&](int64_t phy) -> size_t {
    for (size_t i = segs.size(); i-- > 0;) {
      if (phy >= segs[i]->file_from_offset()) return i;
    }
    return 0;
  };
  const size_t by_queue = index_of(std::min(in.consume_queue_max_phy, in.index_max_phy));
  // Clean exit: re-check at least the last three segments (RocketMQ 4.x), or from where the
  // ConsumeQueues end if that is earlier.
  if (in.last_exit_ok) return std::min(by_queue, segs.size() >= 3 ? segs.size() - 3 : size_t{0});
  // Newest segment whose first record was stored no later than the checkpoint's minimum.
  size_t by_time = 0;
  for (size_t i = segs.size(); i-- > 0;) {
    RecordView v;
    if (ParseRecord(segs[i]->data(), static_cast<size_t>(segs[i]->size()), &v) == RecordCheck::kOk &&
        v.store_timestamp <= in.checkpoint_min_timestamp) {
      by_time = i;
      break;
    }
  }
  return std::min(by_time, by_queue);
}

// Cuts the log at `pos` (inside segs[index]): measures the bytes cut off, zeros the rest of that
// segment, deletes later (pre-allocated or partial) segments.
StoreResult TruncateTail(MappedFileQueue& files, const Segments& segs, size_t index, int64_t pos,
                         CommitLogRecoveryOutcome* out) {
  const MappedFile& stop_seg = *segs[index];
  const int64_t in_segment = pos - stop_seg.file_from_offset();
  const size_t tail_nonzero = NonZeroTail(stop_seg, in_segment);
  int64_t cut = static_cast<int64_t>(tail_nonzero);
  for (size_t i = index + 1; i < segs.size(); ++i) {
    const size_t n = NonZeroTail(*segs[i], 0);
    if (n > 0) cut = segs[i]->file_from_offset() + static_cast<int64_t>(n) - pos;
  }
  out->end = pos;
  out->truncated_bytes = cut;
  if (tail_nonzero > 0) {
    StoreResult r = segs[index]->ZeroFrom(in_segment);
    if (!r) return r;
  }
  return files.DestroyFrom(stop_seg.end_offset());
}

}  // namespace

StoreResult RecoverCommitLog(MappedFileQueue& files, const CommitLogRecoveryInput& in, CommitLogRecoveryOutcome* out) {
  const Segments segs = files.Snapshot();
  *out = CommitLogRecoveryOutcome{};
  if (segs.empty()) return StoreResult::Ok();

  size_t index = StartIndex(segs, in);
  int64_t pos = segs[index]->file_from_offset();
  out->start = pos;
  const char* why = "";
  bool stopped = false;
  while (!stopped) {
    const MappedFile& seg = *segs[index];
    if (pos >= seg.end_offset()) {
      if (index + 1 >= segs.size()) break;
      ++index;
      continue;
    }
    RecordView v;
    switch (CheckAt(seg, pos, in.check_crc, &v, &why)) {
      case Verdict::kValid:
        pos += v.total_size;
        ++out->records;
        break;
      case Verdict::kBlank:
        pos = seg.end_offset();
        break;
      case Verdict::kEnd:
      case Verdict::kInvalid:
        stopped = true;
        break;
    }
  }
  out->end = pos;
  if (!stopped) return StoreResult::Ok();  // the log ends exactly at a segment end

  const MappedFile& stop_seg = *segs[index];
  const int64_t valid_after = FindValidRecordAfter(segs, index, pos);
  if (valid_after >= 0 && !in.last_exit_ok && pos >= in.durable_offset) {
    // Bound the look at the damaged record: its TOTALSIZE may be garbage.
    RecordView v;
    const char* ignored = nullptr;
    CheckAt(stop_seg, pos, false, &v, &ignored);
    const int64_t length = std::min<int64_t>(std::max<uint32_t>(v.total_size, 8), valid_after - pos);
    if (HasZeroPage(stop_seg, pos, length)) {
      StoreLog("CommitLog %s: lost page write at offset %lld after an unclean exit (%s); cutting the unflushed tail there",
               stop_seg.path().c_str(), static_cast<long long>(pos), why);
      return TruncateTail(files, segs, index, pos, out);
    }
  }
  if (valid_after >= 0) {
    return StoreResult::Error("ERR_STORE_CORRUPT",
                              "CommitLog " + stop_seg.path() + " is damaged at offset " + std::to_string(pos) + " (" +
                                  why + "); valid records follow at offset " + std::to_string(valid_after),
                              stop_seg.path(), pos);
  }
  return TruncateTail(files, segs, index, pos, out);
}

}  // namespace cometmq
