export type { MessageExt, MessageToStore, SocketAddress } from './message-types';
export * from './record-layout';
export { MessageConst, MessageSysFlag, SCHEDULE_TOPIC, KEY_SEPARATOR, transactionType } from './message-const';
export { encodeProperties, encodePropertiesChecked, propertiesProblem, decodeProperties, findProperty, findProperties } from './properties-codec';
export { RecordEncoder, encodeRecord, recordSize } from './record-encoder';
export type { NativeRecordFields } from './record-encoder';
export { decodeRecord, decodeRecords, forEachRecord } from './record-decoder';
export {
  createOffsetMessageId,
  decodeOffsetMessageId,
  offsetMessageIdPrefix,
  physicalOffsetHex,
} from './message-id';
export type { DecodedOffsetMessageId } from './message-id';
export { crc32, bodyCrc } from './crc32';
export { javaStringHash, tagsHashCode } from './java-hash';
export { topicProblem, isValidTopic, MAX_TOPIC_LENGTH } from './topic-validator';
export { parseIpAddress, formatIpAddress, encodeSocketAddress, isIpv6Literal } from './socket-address';
export { readInt64BE, writeInt64BE } from './int64';
