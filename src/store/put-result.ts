/**
 * PutMessageResult objects. Stored results carry the offsets the native append wrote into its
 * Float64Array; the msgId string is built on first access (most callers of a hot batch never read
 * it), from the store host's precomputed hex prefix.
 */
import { physicalOffsetHex } from '../message/message-id';
import type { PutMessageResult } from './message-store';
import type { PutStatus } from './store-status';

export class StoredPutResult implements PutMessageResult {
  status: PutStatus = 'PUT_OK';
  readonly physicalOffset: number;
  readonly queueOffset: number;
  readonly wroteBytes: number;
  readonly storeTimestamp: number;
  readonly #msgIdPrefix: string;

  constructor(physicalOffset: number, queueOffset: number, wroteBytes: number, storeTimestamp: number, msgIdPrefix: string) {
    this.physicalOffset = physicalOffset;
    this.queueOffset = queueOffset;
    this.wroteBytes = wroteBytes;
    this.storeTimestamp = storeTimestamp;
    this.#msgIdPrefix = msgIdPrefix;
  }

  get msgId(): string {
    return this.#msgIdPrefix + physicalOffsetHex(this.physicalOffset);
  }

  toJSON(): PutMessageResult {
    return {
      status: this.status,
      physicalOffset: this.physicalOffset,
      queueOffset: this.queueOffset,
      wroteBytes: this.wroteBytes,
      storeTimestamp: this.storeTimestamp,
      msgId: this.msgId,
    };
  }
}

/** A put that stored nothing. */
export function refusedPutResult(status: PutStatus, remark: string): PutMessageResult {
  return { status, remark, physicalOffset: -1, queueOffset: -1, wroteBytes: 0, storeTimestamp: 0, msgId: '' };
}
