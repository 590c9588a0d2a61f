/**
 * The stored-record layout (RocketMQ CommitLog format), mirrored by native/src/record_layout.h.
 * binding.ts checks at load that the addon's constants.record equals RECORD_LAYOUT name for name.
 *
 *  off  size  field
 *    0     4  TOTALSIZE            whole record, this field included
 *    4     4  MAGICCODE            V1 (1-byte topic length) / V2 (2-byte topic length)
 *    8     4  BODYCRC              crc32(body) & 0x7FFFFFFF                       [native]
 *   12     4  QUEUEID
 *   16     4  FLAG
 *   20     8  QUEUEOFFSET                                                          [native]
 *   28     8  PHYSICALOFFSET                                                       [native]
 *   36     4  SYSFLAG
 *   40     8  BORNTIMESTAMP
 *   48  8/20  BORNHOST             IPv4 (4) or IPv6 (16, SYSFLAG BORNHOST_V6) + int32 port
 *    .     8  STORETIMESTAMP                                                       [native]
 *    .  8/20  STOREHOST            IPv6 when SYSFLAG STOREHOST_V6
 *    .     4  RECONSUMETIMES
 *    .     8  PREPARED TRANSACTION OFFSET
 *    .   4+n  BODYLENGTH + BODY
 *    . 1/2+t  TOPICLENGTH + TOPIC  (2-byte length with the V2 magic)
 *    .   2+p  PROPERTIESLENGTH + PROPERTIES  (name \x01 value \x02 ...)
 * Big-endian throughout. Fields after BORNHOST move by 12 bytes per IPv6 host.
 */
export const RECORD_LAYOUT = Object.freeze({
  MESSAGE_MAGIC_CODE: 0xdaa320a7 | 0,
  MESSAGE_MAGIC_CODE_V2: 0xdaa320ab | 0,
  BLANK_MAGIC_CODE: 0xcbd43194 | 0,
  OFFSET_TOTALSIZE: 0,
  OFFSET_MAGIC: 4,
  OFFSET_BODYCRC: 8,
  OFFSET_QUEUEID: 12,
  OFFSET_FLAG: 16,
  OFFSET_QUEUEOFFSET: 20,
  OFFSET_PHYSICALOFFSET: 28,
  OFFSET_SYSFLAG: 36,
  OFFSET_BORNTIMESTAMP: 40,
  OFFSET_BORNHOST: 48,
  HOST_V4_LENGTH: 8,
  HOST_V6_LENGTH: 20,
  SYSFLAG_COMPRESSED: 0x1,
  SYSFLAG_MULTI_TAGS: 0x2,
  SYSFLAG_TRANSACTION_MASK: 0xc,
  SYSFLAG_TRANSACTION_NOT: 0x0,
  SYSFLAG_TRANSACTION_PREPARED: 0x4,
  SYSFLAG_TRANSACTION_COMMIT: 0x8,
  SYSFLAG_TRANSACTION_ROLLBACK: 0xc,
  SYSFLAG_BORNHOST_V6: 0x10,
  SYSFLAG_STOREHOST_V6: 0x20,
  NAME_VALUE_SEPARATOR: 1,
  PROPERTY_SEPARATOR: 2,
  MAX_PROPERTIES_LENGTH: 32767,
  BLANK_RECORD_LENGTH: 8,
  MIN_RECORD_LENGTH_V1: 91,
});

export const MESSAGE_MAGIC_CODE = RECORD_LAYOUT.MESSAGE_MAGIC_CODE;
export const MESSAGE_MAGIC_CODE_V2 = RECORD_LAYOUT.MESSAGE_MAGIC_CODE_V2;
export const BLANK_MAGIC_CODE = RECORD_LAYOUT.BLANK_MAGIC_CODE;

export const OFFSET_TOTALSIZE = 0;
export const OFFSET_MAGIC = 4;
export const OFFSET_BODYCRC = 8;
export const OFFSET_QUEUEID = 12;
export const OFFSET_FLAG = 16;
export const OFFSET_QUEUEOFFSET = 20;
export const OFFSET_PHYSICALOFFSET = 28;
export const OFFSET_SYSFLAG = 36;
export const OFFSET_BORNTIMESTAMP = 40;
export const OFFSET_BORNHOST = 48;

/** Bytes of one host field: IPv4 4 + port 4, IPv6 16 + port 4. */
export const HOST_V4_LENGTH = 8;
export const HOST_V6_LENGTH = 20;

/** Fixed overhead of a V1 record with two IPv4 hosts: 91 bytes (+ body + topic + properties). */
export const RECORD_FIXED_LENGTH_V1_IPV4 = 91;

export const MAX_PROPERTIES_LENGTH = RECORD_LAYOUT.MAX_PROPERTIES_LENGTH;
/** Topics longer than this (in bytes) use the V2 magic with a 2-byte topic length. */
export const MAX_V1_TOPIC_LENGTH = 127;

export const TRANSACTION_TYPE_MASK = 0xc;

/** Record length for the given variable parts. */
export function recordLength(
  bodyLength: number,
  topicLength: number,
  propertiesLength: number,
  bornHostV6: boolean,
  storeHostV6: boolean,
): number {
  return (
    RECORD_FIXED_LENGTH_V1_IPV4 +
    (bornHostV6 ? 12 : 0) +
    (storeHostV6 ? 12 : 0) +
    (topicLength > MAX_V1_TOPIC_LENGTH ? 1 : 0) +
    bodyLength +
    topicLength +
    propertiesLength
  );
}
