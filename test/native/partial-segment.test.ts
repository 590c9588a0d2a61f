// A crash while the next CommitLog segment is being pre-allocated (between creating the file and
// reserving its blocks) leaves a trailing segment file that is too short and holds only zeros.
// That is a torn tail with no data in it: reopening must drop it and keep everything, not refuse
// to start. (A short segment that holds data is still reported, by the directory checks.)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { listSegments, scanCommitLog, segmentStartOffset } from '../helpers/commitlog-scanner';
import { runFixedWriter } from '../helpers/fixed-writer-run';
import { generateMessage } from '../helpers/message-generator';
import { openSmallStore, SMALL_SEGMENT_BYTES } from '../helpers/small-store';
import { assertAcknowledgedIntact, assertConsumeQueuesMatchScan, assertIndexedByKeys } from '../helpers/store-verification';
import { withTempDir } from '../helpers/temp-dir';

for (const partialBytes of [0, SMALL_SEGMENT_BYTES / 2]) {
  test(`a zero-filled trailing segment of ${partialBytes} bytes (crash during pre-allocation) is dropped on reopen`, { timeout: 60_000 }, () =>
    withTempDir('partial-segment', async (dir) => {
      const storeRoot = path.join(dir, 'store');
      const { acks } = await runFixedWriter(storeRoot, { firstId: 0, count: 1500, ending: 'kill' });
      const segments = listSegments(storeRoot);
      const next = segmentStartOffset(segments[segments.length - 1]!) + SMALL_SEGMENT_BYTES;
      const partial = path.join(storeRoot, 'commitlog', String(next).padStart(20, '0'));
      fs.writeFileSync(partial, Buffer.alloc(partialBytes));

      const { store, recovery } = await openSmallStore(storeRoot);
      try {
        assert.equal(recovery.lastExitOK, false);
        assertAcknowledgedIntact(store, acks);
        assertConsumeQueuesMatchScan(store, scanCommitLog(storeRoot));
        const result = await store.putMessage(generateMessage(1_000_000));
        assert.equal(result.status, 'PUT_OK');
      } finally {
        await store.shutdown();
      }
      const sizes = listSegments(storeRoot).map((s) => fs.statSync(s).size);
      assert.ok(sizes.every((size) => size === SMALL_SEGMENT_BYTES), `segment sizes after recovery: ${sizes}`);
    }),
  );
}

// The same for a ConsumeQueue file: a crash between creating the next file of a queue and sizing it
// leaves a short, zero-filled file. The ConsumeQueues are rebuilt from the CommitLog anyway.
const CONSUME_QUEUE_FILE_BYTES = 20 * 512; // small-store's mappedFileSizeConsumeQueue

for (const partialBytes of [0, CONSUME_QUEUE_FILE_BYTES / 2]) {
  test(`a zero-filled trailing ConsumeQueue file of ${partialBytes} bytes (crash while creating it) is dropped on reopen`, { timeout: 60_000 }, () =>
    withTempDir('partial-cq', async (dir) => {
      const storeRoot = path.join(dir, 'store');
      const { acks } = await runFixedWriter(storeRoot, { firstId: 0, count: 600, ending: 'kill' });
      const queueDir = path.join(storeRoot, 'consumequeue', acks[0]!.topic, String(acks[0]!.queueId));
      const files = fs.readdirSync(queueDir).sort();
      const next = Number(files[files.length - 1]) + CONSUME_QUEUE_FILE_BYTES;
      fs.writeFileSync(path.join(queueDir, String(next).padStart(20, '0')), Buffer.alloc(partialBytes));

      const { store, recovery } = await openSmallStore(storeRoot);
      try {
        assert.equal(recovery.lastExitOK, false);
        assertAcknowledgedIntact(store, acks);
        assertConsumeQueuesMatchScan(store, scanCommitLog(storeRoot));
        const result = await store.putMessage(generateMessage(1_000_000));
        assert.equal(result.status, 'PUT_OK');
      } finally {
        await store.shutdown();
      }
    }),
  );
}

// And for an index file: a crash between creating a new index file and sizing it.
function indexFileName(at: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const date = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}`;
  const time = `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}${pad(at.getMilliseconds(), 3)}`;
  return date + time;
}

for (const partialBytes of [0, 4096]) {
  test(`a zero-filled newest index file of ${partialBytes} bytes (crash while creating it) is dropped on reopen`, { timeout: 60_000 }, () =>
    withTempDir('partial-index', async (dir) => {
      const storeRoot = path.join(dir, 'store');
      const { acks } = await runFixedWriter(storeRoot, { firstId: 0, count: 300, ending: 'kill' });
      const indexDir = path.join(storeRoot, 'index');
      const newest = fs.readdirSync(indexDir).sort().pop()!;
      const n = (from: number, to: number): number => Number(newest.slice(from, to));
      const newestTime = new Date(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 17));
      const name = indexFileName(new Date(newestTime.getTime() + 1)); // created just after the newest
      fs.writeFileSync(path.join(indexDir, name), Buffer.alloc(partialBytes));

      const { store, recovery } = await openSmallStore(storeRoot);
      try {
        assert.equal(recovery.lastExitOK, false);
        assertAcknowledgedIntact(store, acks);
        assertIndexedByKeys(store, acks);
      } finally {
        await store.shutdown();
      }
    }),
  );
}
