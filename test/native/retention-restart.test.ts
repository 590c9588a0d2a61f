// Recovery after retention: once the oldest CommitLog segments are deleted, a restart must rebuild
// each ConsumeQueue's minimum from the new CommitLog minimum (RocketMQ corrects the min offset on
// load), so old queue offsets answer OFFSET_TOO_SMALL and no unit points into a deleted segment.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { scanCommitLog } from '../helpers/commitlog-scanner';
import { generateMessage } from '../helpers/message-generator';
import { openSmallStore, SMALL_SEGMENT_BYTES } from '../helpers/small-store';
import { assertConsumeQueuesMatchScan } from '../helpers/store-verification';
import { withTempDir } from '../helpers/temp-dir';

test('after retention deleted the oldest segments, a restart keeps ConsumeQueue minimums', { timeout: 60_000 }, () =>
  withTempDir('retention-restart', async (dir) => {
    const storeRoot = path.join(dir, 'store');
    let usage = 0;
    const options = { diskUsage: () => usage };
    const { store } = await openSmallStore(storeRoot, options);
    const minimums = new Map<string, number>();
    try {
      for (let id = 0; store.getMaxPhysicalOffset() < 3 * SMALL_SEGMENT_BYTES; id += 12) {
        const results = await Promise.all(Array.from({ length: 12 }, (_, k) => store.putMessage(generateMessage(id + k))));
        for (const result of results) assert.equal(result.status, 'PUT_OK');
      }
      await store.whenDispatched(store.getMaxPhysicalOffset());
      await store.flush(); // only flushed, dispatched segments may go
      usage = 0.87; // above diskSpaceCleanForciblyRatio: the oldest segments go even though they are new
      const report = store.cleanExpiredFiles();
      usage = 0;
      assert.ok(report.commitLogFilesDeleted >= 1, `retention deleted nothing: ${JSON.stringify(report)}`);
      assert.ok(store.getMinPhysicalOffset() > 0);
      for (const queue of store.listQueues()) minimums.set(`${queue.topic}/${queue.queueId}`, queue.minOffset);
      assert.ok([...minimums.values()].every((min) => min > 0), 'every queue lost its oldest messages');
    } finally {
      await store.shutdown();
    }

    const reopened = await openSmallStore(storeRoot, options);
    try {
      const { store: again } = reopened;
      for (const [key, min] of minimums) {
        const [topic, queueId] = [key.slice(0, key.lastIndexOf('/')), Number(key.slice(key.lastIndexOf('/') + 1))];
        assert.equal(again.getMinOffsetInQueue(topic, queueId), min, `${key}: min offset after restart`);
        assert.equal(again.getMessage(topic, queueId, 0, 1).status, 'OFFSET_TOO_SMALL', `${key}: pull from 0 after restart`);
        assert.equal(again.getCommitLogOffsetInQueue(topic, queueId, 0), -1, `${key}: offset 0 points into a deleted segment`);
      }
      assertConsumeQueuesMatchScan(again, scanCommitLog(storeRoot));
    } finally {
      await reopened.store.shutdown();
    }
  }),
);
