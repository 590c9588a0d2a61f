// After a crash, the index must still find every acknowledged message by key, also when recovery
// re-dispatches only from a later segment (the checkpoint is more than 3 s past the log's start)
// and index files written after the checkpoint are dropped: whatever the index loses must be
// re-dispatched. (The crash rounds check the same on random schedules.)
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { HelperChild } from '../helpers/child-runner';
import type { PhasedWriterConfig } from '../helpers/children/phased-writer';
import { scanCommitLog } from '../helpers/commitlog-scanner';
import { openSmallStore } from '../helpers/small-store';
import {
  assertAcknowledgedIntact,
  assertConsumeQueuesMatchScan,
  assertIndexedByKeys,
  type Acknowledgement,
} from '../helpers/store-verification';
import { withTempDir } from '../helpers/temp-dir';

test('the index finds every acknowledged message after a crash whose recovery starts past segment 0', { timeout: 60_000 }, (t) =>
  withTempDir('index-crash', async (dir) => {
    const storeRoot = path.join(dir, 'store');
    const config: PhasedWriterConfig = { storeRoot, firstPhase: 1500, secondPhase: 1500, tail: 100, gapMs: 3500 };
    const child = HelperChild.spawn('phased-writer', config);
    try {
      await child.waitForType('done', 30_000);
    } finally {
      await child.kill('SIGKILL');
    }
    const acks = child.ofType('ack') as unknown as Acknowledgement[];
    assert.equal(acks.length, config.firstPhase + config.secondPhase + config.tail);

    const { store, recovery } = await openSmallStore(storeRoot);
    try {
      t.diagnostic(`recovered from ${recovery.recoveredFromOffset} (${recovery.recoveredMessages} messages), lastExitOK=${recovery.lastExitOK}`);
      assert.equal(recovery.lastExitOK, false);
      assertAcknowledgedIntact(store, acks);
      assertConsumeQueuesMatchScan(store, scanCommitLog(storeRoot));
      assertIndexedByKeys(store, acks);
    } finally {
      await store.shutdown();
    }
  }),
);
