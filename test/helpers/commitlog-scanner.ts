/**
 * Decodes CommitLog segment files straight from disk, independently of the store, so tests can
 * check the store's ConsumeQueues and answers against a brute-force scan.
 *
 * Walk rule (the same one recovery applies): records back to back from each segment's start; a
 * BLANK record ends the segment; zero TOTALSIZE+MAGIC ends the written data; anything else that is
 * not a whole, CRC-valid record is reported as `invalid` and ends the scan.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32, decodeRecord, type MessageExt } from '../../src/message';

const MESSAGE_MAGIC_V1 = 0xdaa320a7;
const MESSAGE_MAGIC_V2 = 0xdaa320ab;
const BLANK_MAGIC = 0xcbd43194;
const MIN_RECORD_LENGTH = 91;

export interface ScannedRecord {
  readonly physicalOffset: number;
  readonly segment: string;
  readonly message: MessageExt;
}

export interface InvalidRecord {
  readonly segment: string;
  readonly physicalOffset: number;
  readonly reason: string;
}

export interface CommitLogScan {
  readonly records: ScannedRecord[];
  /** Physical offset just past the last valid record (the CommitLog's logical end). */
  readonly endOffset: number;
  readonly segments: string[];
  readonly invalid?: InvalidRecord;
}

export function commitLogDir(storeRoot: string): string {
  return path.join(storeRoot, 'commitlog');
}

/** Segment file paths in offset order (20-digit names; anything else is ignored here). */
export function listSegments(storeRoot: string): string[] {
  const dir = commitLogDir(storeRoot);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => /^\d{20}$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

export function segmentStartOffset(segmentPath: string): number {
  return Number(path.basename(segmentPath));
}

export function scanCommitLog(storeRoot: string): CommitLogScan {
  const segments = listSegments(storeRoot);
  const records: ScannedRecord[] = [];
  let endOffset = segments.length > 0 ? segmentStartOffset(segments[0]!) : 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const start = segmentStartOffset(segment);
    const data = fs.readFileSync(segment);
    const invalidAt = (position: number, reason: string): CommitLogScan => ({
      records,
      endOffset,
      segments,
      invalid: { segment, physicalOffset: start + position, reason },
    });
    let position = 0;
    let endedByBlank = false;
    while (position + 8 <= data.length) {
      const totalSize = data.readInt32BE(position);
      const magic = data.readUInt32BE(position + 4);
      if (magic === BLANK_MAGIC) {
        endedByBlank = true;
        break;
      }
      if (totalSize === 0 && magic === 0) {
        // End of written data. Later segments may exist (pre-allocated) but must hold nothing.
        const laterWithData = segments.slice(i + 1).find(hasData);
        if (laterWithData !== undefined) return invalidAt(position, `unwritten gap before data in ${laterWithData}`);
        return { records, endOffset, segments };
      }
      if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) {
        return invalidAt(position, `bad magic 0x${magic.toString(16)}`);
      }
      if (totalSize < MIN_RECORD_LENGTH || position + totalSize > data.length) {
        return invalidAt(position, `bad total size ${totalSize}`);
      }
      let message: MessageExt;
      try {
        message = decodeRecord(data, position);
      } catch (error) {
        return invalidAt(position, `undecodable: ${(error as Error).message}`);
      }
      if ((crc32(message.body) & 0x7fffffff) !== message.bodyCRC) return invalidAt(position, 'body CRC mismatch');
      if (message.commitLogOffset !== start + position) {
        return invalidAt(position, `PHYSICALOFFSET field ${message.commitLogOffset} != position ${start + position}`);
      }
      records.push({ physicalOffset: start + position, segment, message });
      position += totalSize;
      endOffset = start + position;
    }
    if (!endedByBlank && i !== segments.length - 1 && position !== data.length) {
      return invalidAt(position, 'segment ends without a blank filler');
    }
    if (endedByBlank || position === data.length) endOffset = start + data.length;
  }
  return { records, endOffset, segments };
}

/** Whether a segment file starts with a record or filler (a pre-allocated one is all zeros). */
function hasData(segment: string): boolean {
  const head = Buffer.alloc(8);
  const fd = fs.openSync(segment, 'r');
  try {
    fs.readSync(fd, head, 0, 8, 0);
  } finally {
    fs.closeSync(fd);
  }
  return head.some((byte) => byte !== 0);
}
