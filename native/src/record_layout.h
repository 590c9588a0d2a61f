// The single source of truth for RocketMQ's stored-message layout (CommitLog record, big-endian).
// Exported to JS as `constants.record`; src/ mirrors these numbers and asserts the mirror at load.
//
//   TOTALSIZE 4 | MAGIC 4 | BODYCRC 4 | QUEUEID 4 | FLAG 4 | QUEUEOFFSET 8 | PHYSICALOFFSET 8 |
//   SYSFLAG 4 | BORNTIMESTAMP 8 | BORNHOST 8 (v4) / 20 (v6) | STORETIMESTAMP 8 |
//   STOREHOST 8 / 20 | RECONSUMETIMES 4 | PREPAREDTRANSACTIONOFFSET 8 | BODYLENGTH 4 + body |
//   TOPICLENGTH 1 (V1) / 2 (V2) + topic | PROPERTIESLENGTH 2 + properties
// Fields from STORETIMESTAMP on move when a host is IPv6 (each host widens from 8 to 20 bytes).
#pragma once

#include <cstdint>

namespace cometmq::record {

constexpr uint32_t kMessageMagicCode = 0xDAA320A7u;    // V1: 1-byte topic length
constexpr uint32_t kMessageMagicCodeV2 = 0xDAA320ABu;  // V2: 2-byte topic length
constexpr uint32_t kBlankMagicCode = 0xCBD43194u;      // end-of-segment filler

constexpr int kOffsetTotalSize = 0;
constexpr int kOffsetMagic = 4;
constexpr int kOffsetBodyCrc = 8;
constexpr int kOffsetQueueId = 12;
constexpr int kOffsetFlag = 16;
constexpr int kOffsetQueueOffset = 20;
constexpr int kOffsetPhysicalOffset = 28;
constexpr int kOffsetSysFlag = 36;
constexpr int kOffsetBornTimestamp = 40;
constexpr int kOffsetBornHost = 48;

constexpr int kHostV4Length = 8;   // 4-byte IPv4 + 4-byte port
constexpr int kHostV6Length = 20;  // 16-byte IPv6 + 4-byte port

// A blank filler is TOTALSIZE + MAGIC; a record needs room for itself plus such a filler.
constexpr int kBlankRecordLength = 8;
// Fixed part of a V1/IPv4 record with empty body, topic and properties.
constexpr int kMinRecordLengthV1 = 91;

constexpr uint32_t kSysFlagCompressed = 0x1;
constexpr uint32_t kSysFlagMultiTags = 0x2;
constexpr uint32_t kSysFlagTransactionMask = 0xC;
constexpr uint32_t kSysFlagTransactionNot = 0x0;
constexpr uint32_t kSysFlagTransactionPrepared = 0x4;
constexpr uint32_t kSysFlagTransactionCommit = 0x8;
constexpr uint32_t kSysFlagTransactionRollback = 0xC;
constexpr uint32_t kSysFlagBornHostV6 = 0x10;
constexpr uint32_t kSysFlagStoreHostV6 = 0x20;

constexpr char kNameValueSeparator = '\x01';
constexpr char kPropertySeparator = '\x02';
constexpr int kMaxPropertiesLength = 32767;  // Short.MAX_VALUE

inline bool IsPreparedOrRollback(uint32_t sys_flag) {
  const uint32_t t = sys_flag & kSysFlagTransactionMask;
  return t == kSysFlagTransactionPrepared || t == kSysFlagTransactionRollback;
}

inline int BornHostLength(uint32_t sys_flag) {
  return (sys_flag & kSysFlagBornHostV6) ? kHostV6Length : kHostV4Length;
}
inline int StoreHostLength(uint32_t sys_flag) {
  return (sys_flag & kSysFlagStoreHostV6) ? kHostV6Length : kHostV4Length;
}
// Offsets of the fields after BORNHOST depend on the host widths.
inline int StoreTimestampOffset(uint32_t sys_flag) { return kOffsetBornHost + BornHostLength(sys_flag); }
inline int StoreHostOffset(uint32_t sys_flag) { return StoreTimestampOffset(sys_flag) + 8; }
inline int ReconsumeTimesOffset(uint32_t sys_flag) { return StoreHostOffset(sys_flag) + StoreHostLength(sys_flag); }
inline int PreparedTransactionOffsetOffset(uint32_t sys_flag) { return ReconsumeTimesOffset(sys_flag) + 4; }
inline int BodyLengthOffset(uint32_t sys_flag) { return PreparedTransactionOffsetOffset(sys_flag) + 8; }

}  // namespace cometmq::record
