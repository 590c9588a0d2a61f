// Store lifecycle over real processes and threads: idempotent shutdown, exit without shutdown,
// clean shutdown, a worker thread with its own store, and the cross-process lock.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { HelperChild } from '../helpers/child-runner';
import type { FixedWriterConfig } from '../helpers/children/fixed-writer';
import { scanCommitLog } from '../helpers/commitlog-scanner';
import { runFixedWriter } from '../helpers/fixed-writer-run';
import { generateMessage } from '../helpers/message-generator';
import { createSmallStore, openSmallStore } from '../helpers/small-store';
import {
  assertAcknowledgedIntact,
  assertConsumeQueuesMatchScan,
  type Acknowledgement,
} from '../helpers/store-verification';
import { withTempDir } from '../helpers/temp-dir';

async function reopenAndVerify(storeRoot: string, acks: readonly Acknowledgement[]) {
  const { store, recovery } = await openSmallStore(storeRoot);
  try {
    assertAcknowledgedIntact(store, acks);
    assertConsumeQueuesMatchScan(store, scanCommitLog(storeRoot));
    return recovery;
  } finally {
    await store.shutdown();
  }
}

function errorCodeOf(error: unknown): unknown {
  return (error as { code?: unknown }).code;
}

test('shutdown is idempotent, works before start, and a closed store stores nothing', () =>
  withTempDir('lifecycle-idem', async (dir) => {
    const storeRoot = path.join(dir, 'store');
    await createSmallStore(storeRoot).shutdown();

    const store = createSmallStore(storeRoot);
    await store.start();
    const put = await store.putMessage(generateMessage(1));
    assert.equal(put.status, 'PUT_OK');
    await store.shutdown();
    await store.shutdown();
    const outcome = await Promise.resolve()
      .then(() => store.putMessage(generateMessage(2)))
      .then(
      (result) => result.status,
      (error: unknown) => errorCodeOf(error),
    );
    assert.notEqual(outcome, 'PUT_OK', 'a put after shutdown must not succeed');
    assert.equal(typeof outcome, 'string', 'a put after shutdown reports a status or a coded error');

    const { topic, queueId } = generateMessage(1);
    const recovery = await reopenAndVerify(storeRoot, [
      { id: 1, topic, queueId, queueOffset: put.queueOffset, physicalOffset: put.physicalOffset },
    ]);
    assert.equal(recovery.lastExitOK, true);
    assert.equal(scanCommitLog(storeRoot).records.length, 1, 'the refused put left nothing on disk');
  }),
);

test('a child that exits without shutdown leaves lastExitOK=false and all its data', { timeout: 60_000 }, () =>
  withTempDir('lifecycle-exit', async (dir) => {
    const storeRoot = path.join(dir, 'store');
    const { acks } = await runFixedWriter(storeRoot, { firstId: 0, count: 500, ending: 'exit' });
    const recovery = await reopenAndVerify(storeRoot, acks);
    assert.equal(recovery.lastExitOK, false);
  }),
);

test('a child that shuts down cleanly leaves lastExitOK=true and all its data', { timeout: 60_000 }, () =>
  withTempDir('lifecycle-clean', async (dir) => {
    const storeRoot = path.join(dir, 'store');
    const { acks, child } = await runFixedWriter(storeRoot, { firstId: 0, count: 500, ending: 'shutdown', flushDiskType: 'SYNC_FLUSH' });
    assert.equal(child.ofType('closed').length, 1, 'both shutdown calls resolved');
    const recovery = await reopenAndVerify(storeRoot, acks);
    assert.equal(recovery.lastExitOK, true);
    assert.equal(recovery.truncatedBytes, 0);
  }),
);

for (const shutdown of [true, false]) {
  test(`a worker thread opens its own store, appends and exits (${shutdown ? 'with' : 'without'} shutdown)`, { timeout: 60_000 }, () =>
    withTempDir('lifecycle-worker', async (dir) => {
      const storeRoot = path.join(dir, 'store');
      const worker = new Worker(path.join(__dirname, '..', 'helpers', 'children', 'worker-appender.js'), {
        workerData: { storeRoot, firstId: 0, count: 300, shutdown },
      });
      const replies: Array<{ acks?: Acknowledgement[]; error?: string }> = [];
      worker.on('message', (reply: { acks?: Acknowledgement[]; error?: string }) => replies.push(reply));
      const exitCode = await new Promise<number>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('exit', resolve);
      });
      assert.equal(exitCode, 0, 'worker exit code');
      assert.equal(replies.length, 1, 'one reply from the worker');
      assert.equal(replies[0]!.error, undefined);
      const acks = replies[0]!.acks!;
      assert.equal(acks.length, 300);
      // Without shutdown the environment cleanup hook closed the store: the lock is free and the exit clean.
      const recovery = await reopenAndVerify(storeRoot, acks);
      assert.equal(recovery.lastExitOK, true);
    }),
  );
}

test('a second open in this process fails with ERR_STORE_LOCKED', () =>
  withTempDir('lifecycle-lock-local', async (dir) => {
    const storeRoot = path.join(dir, 'store');
    const first = createSmallStore(storeRoot);
    await first.start();
    try {
      const second = createSmallStore(storeRoot);
      await assert.rejects(second.start(), (error) => errorCodeOf(error) === 'ERR_STORE_LOCKED');
      await second.shutdown();
    } finally {
      await first.shutdown();
    }
    const again = createSmallStore(storeRoot);
    await again.start();
    await again.shutdown();
  }),
);

test('a second open from another process fails with ERR_STORE_LOCKED until the holder dies', { timeout: 60_000 }, () =>
  withTempDir('lifecycle-lock', async (dir) => {
    const storeRoot = path.join(dir, 'store');
    const config: FixedWriterConfig = { storeRoot, firstId: 0, count: 200, flushDiskType: 'ASYNC_FLUSH', ending: 'wait' };
    const holder = HelperChild.spawn('fixed-writer', config);
    try {
      await holder.waitForType('done');
      const contender = createSmallStore(storeRoot);
      await assert.rejects(contender.start(), (error) => errorCodeOf(error) === 'ERR_STORE_LOCKED');
      await contender.shutdown();
    } finally {
      await holder.kill('SIGKILL');
    }
    const recovery = await reopenAndVerify(storeRoot, holder.ofType('ack') as unknown as Acknowledgement[]);
    assert.equal(recovery.lastExitOK, false);
  }),
);
