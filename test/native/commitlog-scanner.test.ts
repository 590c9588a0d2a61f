// The brute-force CommitLog scanner is the yardstick of the crash tests, so it is checked itself:
// on segments built here record by record (with encodeRecord), it finds every record, follows blank
// fillers across segments, and stops at torn or bit-flipped records.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { bodyCrc, encodeRecord, recordSize } from '../../src/message';
import { scanCommitLog } from '../helpers/commitlog-scanner';
import { flipBit, midBodyPosition, zeroFrom } from '../helpers/disk-damage';
import { generatedIdOf, generateMessage, mismatchesOf } from '../helpers/message-generator';
import { withTempDir } from '../helpers/temp-dir';

const SEGMENT = 64 * 1024;
const STORE_HOST = { address: '127.0.0.1', port: 10911 };
const BLANK_MAGIC = 0xcbd43194;

/** Lays out messages 0..count-1 the way the store does: no record spans segments, blank fillers. */
function buildCommitLog(storeRoot: string, count: number): number[] {
  const dir = path.join(storeRoot, 'commitlog');
  fs.mkdirSync(dir, { recursive: true });
  const offsets: number[] = [];
  let segmentStart = 0;
  let segment = Buffer.alloc(SEGMENT);
  let position = 0;
  const save = (): void => fs.writeFileSync(path.join(dir, String(segmentStart).padStart(20, '0')), segment);
  for (let id = 0; id < count; id++) {
    const message = generateMessage(id);
    const size = recordSize(message, STORE_HOST);
    if (position + size + 8 > SEGMENT) {
      segment.writeInt32BE(SEGMENT - position, position);
      segment.writeUInt32BE(BLANK_MAGIC, position + 4);
      save();
      segmentStart += SEGMENT;
      segment = Buffer.alloc(SEGMENT);
      position = 0;
    }
    const physicalOffset = segmentStart + position;
    encodeRecord(segment, position, message, STORE_HOST, {
      bodyCRC: bodyCrc(message.body),
      queueOffset: id,
      physicalOffset,
      storeTimestamp: 1_700_000_000_000,
    });
    offsets.push(physicalOffset);
    position += size;
  }
  save();
  return offsets;
}

test('scanner finds every record across segments and blank fillers', () =>
  withTempDir('scanner', async (storeRoot) => {
    const offsets = buildCommitLog(storeRoot, 300);
    const scan = scanCommitLog(storeRoot);
    assert.equal(scan.invalid, undefined);
    assert.ok(scan.segments.length >= 3, 'the synthetic log rolled over');
    assert.deepEqual(scan.records.map((r) => r.physicalOffset), offsets);
    for (const record of scan.records) {
      const id = generatedIdOf(record.message)!;
      assert.deepEqual(mismatchesOf(record.message, id), []);
    }
    const last = scan.records[scan.records.length - 1]!;
    assert.equal(scan.endOffset, last.physicalOffset + last.message.storeSize);
  }),
);

test('scanner stops at a torn tail and at a flipped body bit, reporting segment and offset', () =>
  withTempDir('scanner-damage', async (storeRoot) => {
    const offsets = buildCommitLog(storeRoot, 300);
    const before = scanCommitLog(storeRoot);
    const last = before.records[before.records.length - 1]!;
    const lastStart = Number(path.basename(last.segment));
    zeroFrom(last.segment, last.physicalOffset - lastStart + 20);
    const torn = scanCommitLog(storeRoot);
    assert.equal(torn.records.length, offsets.length - 1);
    assert.equal(torn.endOffset, last.physicalOffset);
    assert.equal(torn.invalid?.physicalOffset, last.physicalOffset);

    const victim = before.records[100]!;
    flipBit(victim.segment, midBodyPosition(victim, Number(path.basename(victim.segment))));
    const flipped = scanCommitLog(storeRoot);
    assert.equal(flipped.records.length, 100);
    assert.deepEqual(flipped.invalid, { segment: victim.segment, physicalOffset: victim.physicalOffset, reason: 'body CRC mismatch' });
  }),
);
