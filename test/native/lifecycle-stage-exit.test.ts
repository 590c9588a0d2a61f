// process.exit() in the middle of start, of a burst of appends, or of shutdown: the child exits
// promptly with its own exit code (no hang, no native crash during teardown) and the store reopens
// with every acknowledged message intact and ConsumeQueues that match the CommitLog.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { HelperChild } from '../helpers/child-runner';
import type { ExitStage, StageExitConfig } from '../helpers/children/stage-exit';
import { scanCommitLog } from '../helpers/commitlog-scanner';
import { runFixedWriter } from '../helpers/fixed-writer-run';
import { openSmallStore } from '../helpers/small-store';
import {
  assertAcknowledgedIntact,
  assertConsumeQueuesMatchScan,
  assertScanHoldsOnlyGeneratedMessages,
  type Acknowledgement,
} from '../helpers/store-verification';
import { withTempDir } from '../helpers/temp-dir';

const EXIT_DEADLINE_MS = 30_000;

for (const stage of ['start', 'appending', 'shutdown'] as const satisfies readonly ExitStage[]) {
  test(`process.exit during ${stage}: prompt exit, consistent store`, { timeout: 90_000 }, () =>
    withTempDir(`stage-exit-${stage}`, async (dir) => {
      const storeRoot = path.join(dir, 'store');
      const baseline = await runFixedWriter(storeRoot, { firstId: 0, count: 400, ending: 'shutdown' });

      const config: StageExitConfig = { storeRoot, stage, firstId: 100_000, count: 300 };
      const child = HelperChild.spawn('stage-exit', config);
      let timer: NodeJS.Timeout | undefined;
      try {
        const exit = await Promise.race([
          child.exited,
          new Promise<never>((_, reject) => {
            const hung = new Error(`the child did not exit within ${EXIT_DEADLINE_MS} ms of exiting during ${stage}`);
            timer = setTimeout(() => reject(hung), EXIT_DEADLINE_MS);
          }),
        ]);
        assert.deepEqual(child.ofType('error'), [], 'child errors');
        assert.deepEqual(exit, { code: 0, signal: null }, `exit during ${stage}${child.stderr}`);
      } finally {
        clearTimeout(timer);
        await child.kill('SIGKILL');
      }
      assert.equal(child.ofType('exiting').length, 1, 'the child reached the exit point');

      const acks = [...baseline.acks, ...(child.ofType('ack') as unknown as Acknowledgement[])];
      const { store } = await openSmallStore(storeRoot);
      try {
        const scan = scanCommitLog(storeRoot);
        assertScanHoldsOnlyGeneratedMessages(scan);
        assertAcknowledgedIntact(store, acks);
        assertConsumeQueuesMatchScan(store, scan);
      } finally {
        await store.shutdown();
      }
    }),
  );
}
