/** Simulated media damage on CommitLog segment files (what a power loss or bad sector leaves). */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { ScannedRecord } from './commitlog-scanner';
import { generatedIdOf } from './message-generator';
import type { Acknowledgement } from './store-verification';

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
  // BORNHOST at 48, then STORETIMESTAMP 8, STOREHOST, RECONSUMETIMES 4, PREPARED OFFSET 8, BODYLENGTH 4.
  const hostLength = (v6: boolean): number => (v6 ? 20 : 8);
  const { sysFlag } = record.message;
  const bodyOffset = 48 + hostLength((sysFlag & 0x10) !== 0) + 8 + hostLength((sysFlag & 0x20) !== 0) + 4 + 8 + 4;
  return record.physicalOffset - segmentStart + bodyOffset + Math.floor(record.message.body.length / 2);
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
