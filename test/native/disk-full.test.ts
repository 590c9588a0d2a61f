// Disk full on a real small filesystem: a tmpfs mounted for the test holds the store and a filler
// file. Appends fail with a status (never an exception, never a crash), leave no garbage, and
// succeed again once the filler is deleted. A failed mount fails the test.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { MessageStore } from '../../src/store';
import { scanCommitLog } from '../helpers/commitlog-scanner';
import { generatedIdOf, generateMessage } from '../helpers/message-generator';
import { openSmallStore } from '../helpers/small-store';
import {
  assertAcknowledgedIntact,
  assertConsumeQueuesMatchScan,
  type Acknowledgement,
} from '../helpers/store-verification';
import { withTempDir } from '../helpers/temp-dir';
import { fillUp, freeBytes, withTmpfs } from '../helpers/tmpfs';

const MiB = 1024 * 1024;
const FILESYSTEM_BYTES = 8 * MiB;
const SLOTS = 12; // generated ids: id % 12 fixes topic and queue
const REFUSED = ['CREATE_MAPPED_FILE_FAILED', 'SERVICE_NOT_AVAILABLE'];

function ackOf(id: number, result: { queueOffset: number; physicalOffset: number }): Acknowledgement {
  const message = generateMessage(id);
  return { id, topic: message.topic, queueId: message.queueId, queueOffset: result.queueOffset, physicalOffset: result.physicalOffset };
}

/** Puts one message per queue so every ConsumeQueue file exists before the disk is filled. */
async function touchEveryQueue(store: MessageStore, acks: Acknowledgement[]): Promise<void> {
  for (let id = 0; id < SLOTS; id++) {
    const result = await store.putMessage(generateMessage(id));
    assert.equal(result.status, 'PUT_OK');
    acks.push(ackOf(id, result));
  }
  await store.whenDispatched(store.getMaxPhysicalOffset());
}

/** Exactly the acknowledged messages are on disk and served; the ConsumeQueues agree. */
async function assertHoldsExactly(store: MessageStore, storeRoot: string, acks: readonly Acknowledgement[]): Promise<void> {
  await store.whenDispatched(store.getMaxPhysicalOffset());
  const scan = scanCommitLog(storeRoot);
  assert.equal(scan.invalid, undefined, `garbage in the CommitLog: ${JSON.stringify(scan.invalid)}`);
  assert.deepEqual(
    scan.records.map((r) => generatedIdOf(r.message)).sort((a, b) => a! - b!),
    acks.map((a) => a.id).sort((a, b) => a - b),
    'the CommitLog holds exactly the acknowledged messages',
  );
  assertAcknowledgedIntact(store, acks);
  assertConsumeQueuesMatchScan(store, scan);
}

test('ENOSPC on a full tmpfs: puts fail with a status, nothing half-written, appends resume after space is freed', { timeout: 90_000 }, (t) =>
  withTempDir('disk-full', async (dir) => {
    const mountPoint = path.join(dir, 'mnt');
    await withTmpfs(mountPoint, FILESYSTEM_BYTES, async () => {
      const storeRoot = path.join(mountPoint, 'store');
      const filler = path.join(mountPoint, 'filler');
      // The ratio guard is neutralised so the real ENOSPC path is what stops the writes.
      const options = { diskUsage: () => 0 };
      const acks: Acknowledgement[] = [];
      const { store } = await openSmallStore(storeRoot, options);
      let open = true;
      try {
        await touchEveryQueue(store, acks);
        // Leave room for about one and a half segments: the next roll-over runs out of space.
        fillUp(filler, 1.5 * MiB);
        t.diagnostic(`filler ${fs.statSync(filler).size} bytes, ${freeBytes(mountPoint)} bytes free`);

        // Keep writing until three put calls were refused: after a refused roll-over, smaller
        // messages may still fit the current segment and succeed, which is fine.
        let nextSeq = 1;
        const refusals: string[] = [];
        while (refusals.length < 3) {
          assert.ok(nextSeq < 20_000, 'the disk never filled up');
          // A batch per queue, all queues at once: batches and concurrent puts both meet the full disk.
          const batches = Array.from({ length: SLOTS }, (_, slot) => [0, 1, 2].map((k) => (nextSeq + k) * SLOTS + slot));
          nextSeq += 3;
          const results = await Promise.all(batches.map((ids) => store.putMessages(ids.map(generateMessage))));
          results.forEach((batch, b) => {
            const statuses = new Set(batch.map((r) => r.status));
            assert.equal(statuses.size, 1, `a batch has one status, got ${[...statuses]}`);
            const [status] = statuses;
            if (status !== 'PUT_OK') {
              assert.ok(REFUSED.includes(status!), `refusal status ${status}`);
              assert.ok(batch.every((r) => r.physicalOffset === -1), 'a refused batch reports no offsets');
              refusals.push(status!);
            }
            batch.forEach((result, i) => {
              if (result.status === 'PUT_OK') acks.push(ackOf(batches[b]![i]!, result));
            });
          });
        }
        t.diagnostic(`refused with ${refusals.join(', ')}; ${acks.length} acknowledged messages`);
        await assertHoldsExactly(store, storeRoot, acks);

        fs.rmSync(filler);
        const resumeId = 9_100_000;
        const resumed = await store.putMessage(generateMessage(resumeId));
        assert.equal(resumed.status, 'PUT_OK', `append after space was freed (${resumed.remark ?? ''})`);
        acks.push(ackOf(resumeId, resumed));
        await assertHoldsExactly(store, storeRoot, acks);
        open = false;
        await store.shutdown();
      } finally {
        if (open) await store.shutdown();
      }
      const reopened = await openSmallStore(storeRoot, options);
      try {
        await assertHoldsExactly(reopened.store, storeRoot, acks);
      } finally {
        await reopened.store.shutdown();
      }
    });
  }),
);

test('disk usage over diskSpaceWarningLevelRatio: puts refused with SERVICE_NOT_AVAILABLE until space is back', { timeout: 60_000 }, () =>
  withTempDir('disk-ratio', async (dir) => {
    const mountPoint = path.join(dir, 'mnt');
    await withTmpfs(mountPoint, FILESYSTEM_BYTES, async () => {
      const storeRoot = path.join(mountPoint, 'store');
      const filler = path.join(mountPoint, 'filler');
      const acks: Acknowledgement[] = [];
      const { store } = await openSmallStore(storeRoot);
      try {
        await touchEveryQueue(store, acks);
        assert.equal(store.isDiskFull, false);
        // Over 90% used, still with real free space: the guard, not ENOSPC, must refuse.
        const stats = fs.statfsSync(mountPoint);
        const total = stats.blocks * stats.bsize;
        fillUp(filler, Math.floor(total * 0.05));
        const report = store.cleanExpiredFiles();
        assert.equal(report.isDiskFull, true, `usage ${report.diskUsageRatio} should mark the disk full`);
        assert.equal(store.isDiskFull, true);
        const refused = await store.putMessage(generateMessage(SLOTS));
        assert.equal(refused.status, 'SERVICE_NOT_AVAILABLE');
        await assertHoldsExactly(store, storeRoot, acks);

        fs.rmSync(filler);
        assert.equal(store.cleanExpiredFiles().isDiskFull, false, 'the guard lifts once space is back');
        const resumed = await store.putMessage(generateMessage(SLOTS));
        assert.equal(resumed.status, 'PUT_OK');
        acks.push(ackOf(SLOTS, resumed));
        await assertHoldsExactly(store, storeRoot, acks);
      } finally {
        await store.shutdown();
      }
    });
  }),
);

test('ENOSPC while dispatching (a new ConsumeQueue file): the put is stored, dispatch catches up once space is back', { timeout: 60_000 }, () =>
  withTempDir('disk-full-cq', async (dir) => {
    const mountPoint = path.join(dir, 'mnt');
    await withTmpfs(mountPoint, FILESYSTEM_BYTES, async () => {
      const storeRoot = path.join(mountPoint, 'store');
      const filler = path.join(mountPoint, 'filler');
      const options = { diskUsage: () => 0 };
      const acks: Acknowledgement[] = [];
      const { store } = await openSmallStore(storeRoot, options);
      try {
        const first = await store.putMessage(generateMessage(0));
        assert.equal(first.status, 'PUT_OK');
        acks.push(ackOf(0, first));
        await store.whenDispatched(store.getMaxPhysicalOffset());
        // The CommitLog segment is already reserved; only a new queue's file needs space now.
        fillUp(filler);
        assert.equal(freeBytes(mountPoint), 0, 'the filesystem is full');
        const newQueueMessageId = SLOTS + 3; // id 15: same topic as id 0, queue 1, which has no file yet
        const result = await store.putMessage(generateMessage(newQueueMessageId));
        assert.equal(result.status, 'PUT_OK', 'the CommitLog still has room');
        acks.push(ackOf(newQueueMessageId, result));
        const message = generateMessage(newQueueMessageId);
        assert.notEqual(store.getMessage(message.topic, message.queueId, 0, 1).status, 'FOUND', 'no ConsumeQueue file yet');

        fs.rmSync(filler);
        await withDeadline(store.whenDispatched(store.getMaxPhysicalOffset()), 20_000, 'dispatch catching up after space came back');
        await assertHoldsExactly(store, storeRoot, acks);
      } finally {
        await store.shutdown();
      }
      const reopened = await openSmallStore(storeRoot, options);
      try {
        await assertHoldsExactly(reopened.store, storeRoot, acks);
      } finally {
        await reopened.store.shutdown();
      }
    });
  }),
);

/** Rejects if `promise` has not settled within `ms` (a bound on a wait, not a sleep). */
function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
