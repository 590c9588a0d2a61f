/** Simulated media damage on CommitLog segment files (what a power loss or bad sector leaves). */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { ScannedRecord } from './commitlog-scanner';
import { generatedIdOf } from './message-generator';
import type { Acknowledgement } from './store-verification';

/** Offset of the body inside a record whose hosts are both IPv4 (BODYLENGTH at 84, body after it). */
const BODY_OFFSET_IPV4 = 88;

/** Zeroes `segment` from `position` to the end of the file (a write that never reached the disk). */
export function zeroFrom(segment: string, position: number): void {
  const fd = fs.openSync(segment, 'r+');
  try {
    const size = fs.fstatSync(fd).size;
    fs.writeSync(fd, Buffer.alloc(size - position), 0, size - position, position);
  } finally {
    fs.closeSync(fd);
  }
}

/** Flips one bit at `position` of `segment`. */
export function flipBit(segment: string, position: number, bit = 0): void {
  const fd = fs.openSync(segment, 'r+');
  try {
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, position);
    byte[0] = byte[0]! ^ (1 << bit);
    fs.writeSync(fd, byte, 0, 1, position);
  } finally {
    fs.closeSync(fd);
  }
}

/** Position, within its segment, of a byte in the middle of the record's body. */
export function midBodyPosition(record: ScannedRecord, segmentStart: number): number {
  if ((record.message.sysFlag & 0x30) !== 0) throw new Error('midBodyPosition expects IPv4 born and store hosts');
  return record.physicalOffset - segmentStart + BODY_OFFSET_IPV4 + Math.floor(record.message.body.length / 2);
}

export function sha256OfFile(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The scan's records as the acknowledgements a writer would have received for them. */
export function acksOfRecords(records: readonly ScannedRecord[]): Acknowledgement[] {
  return records.map((r) => {
    const id = generatedIdOf(r.message);
    if (id === undefined) throw new Error(`record at ${r.physicalOffset} is not a generated message`);
    return { id, topic: r.message.topic, queueId: r.message.queueId, queueOffset: r.message.queueOffset, physicalOffset: r.physicalOffset };
  });
}
