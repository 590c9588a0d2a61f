/**
 * Cheap reads of the half and op queues for the book: the queue offset sits at a fixed position of
 * every stored record (byte 20), so most records need no decoding at all. A half record is decoded
 * only when its bytes contain the check-copy property name (then its root offset is in the
 * properties); an op record only when this broker did not write it itself.
 */
import { MessageConst } from '../../message/message-const';
import type { MessageExt } from '../../message/message-types';
import { decodeRecord } from '../../message/record-decoder';

const QUEUE_OFFSET_AT = 20;
const COPY_MARKER = Buffer.from(`${MessageConst.TRANSACTION_PREPARED_QUEUE_OFFSET}\u0001`, 'latin1');

/** Calls `visit` with each record's queue offset and a decoder for it; returns the last offset seen + 1, or `from`. */
export function scanRecords(records: Buffer, visit: (queueOffset: number, decode: () => MessageExt, mayBeCopy: boolean) => void): number | undefined {
  let pos = 0;
  let next: number | undefined;
  // Where the marker next occurs at or after `pos` (-1: nowhere): one forward search per batch, not per record.
  let markerAt = records.indexOf(COPY_MARKER, 0);
  while (pos + QUEUE_OFFSET_AT + 8 <= records.length) {
    const size = records.readInt32BE(pos);
    if (size <= 0 || pos + size > records.length) break;
    const queueOffset = Number(records.readBigInt64BE(pos + QUEUE_OFFSET_AT));
    const start = pos;
    if (markerAt >= 0 && markerAt < start) markerAt = records.indexOf(COPY_MARKER, start);
    const mayBeCopy = markerAt >= 0 && markerAt < start + size;
    visit(queueOffset, () => decodeRecord(records, start, start + size), mayBeCopy);
    next = queueOffset + 1;
    pos += size;
  }
  return next;
}
