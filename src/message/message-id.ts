/**
 * offsetMsgId: upper-case hex of STOREHOST ip (4 or 16 bytes) + port (int32) + PHYSICALOFFSET
 * (int64): 32 characters for IPv4, 56 for IPv6. Decoding it gives the broker and the offset.
 */
import { MqError } from '../common/mq-error';
import type { SocketAddress } from './message-types';
import { encodeSocketAddress, formatIpAddress } from './socket-address';

const TWO_32 = 0x1_0000_0000;

/** The host part of the id (ip + port), computed once per store host. */
export function offsetMessageIdPrefix(storeHost: SocketAddress): string {
  return encodeSocketAddress(storeHost).toString('hex').toUpperCase();
}

/** "00".."FF": one table lookup per byte (this runs once per stored message on the send path). */
const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));

function wordHex(word: number): string {
  return BYTE_HEX[word >>> 24]! + BYTE_HEX[(word >>> 16) & 0xff]! + BYTE_HEX[(word >>> 8) & 0xff]! + BYTE_HEX[word & 0xff]!;
}

/** The offset part: 16 upper-case hex characters. */
export function physicalOffsetHex(physicalOffset: number): string {
  const high = Math.floor(physicalOffset / TWO_32);
  return wordHex(high) + wordHex(physicalOffset - high * TWO_32);
}

export function createOffsetMessageId(storeHost: SocketAddress, physicalOffset: number): string {
  if (!Number.isSafeInteger(physicalOffset) || physicalOffset < 0) {
    throw new MqError('ERR_INVALID_ARGUMENT', `physicalOffset ${physicalOffset} is not a safe non-negative integer`);
  }
  return offsetMessageIdPrefix(storeHost) + physicalOffsetHex(physicalOffset);
}

export interface DecodedOffsetMessageId {
  readonly storeHost: SocketAddress;
  readonly physicalOffset: number;
}

export function decodeOffsetMessageId(msgId: string): DecodedOffsetMessageId {
  if ((msgId.length !== 32 && msgId.length !== 56) || !/^[0-9A-Fa-f]+$/.test(msgId)) {
    throw new MqError('ERR_INVALID_MESSAGE_ID', `"${msgId}" is not a 32- or 56-character hex offset message id`);
  }
  const bytes = Buffer.from(msgId, 'hex');
  const ipLength = bytes.length - 12;
  const high = bytes.readUInt32BE(ipLength + 4);
  const low = bytes.readUInt32BE(ipLength + 8);
  const physicalOffset = high * TWO_32 + low;
  if (!Number.isSafeInteger(physicalOffset)) {
    throw new MqError('ERR_INVALID_MESSAGE_ID', `"${msgId}" has an offset beyond 2^53`);
  }
  return {
    storeHost: { address: formatIpAddress(bytes, 0, ipLength), port: bytes.readInt32BE(ipLength) },
    physicalOffset,
  };
}
