// Power-loss style damage to the CommitLog tail and middle: a torn or bit-flipped last record is cut
// off on reopen (exactly the intact prefix remains); a bad record with valid records after it makes
// open fail with ERR_STORE_CORRUPT naming the segment and offset, and changes nothing on disk.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { scanCommitLog, segmentStartOffset, type CommitLogScan } from '../helpers/commitlog-scanner';
import { acksOfRecords, flipBit, midBodyPosition, sha256OfFile, zeroFrom } from '../helpers/disk-damage';
import { runFixedWriter } from '../helpers/fixed-writer-run';
import { generateMessage } from '../helpers/message-generator';
import { createSmallStore, openSmallStore } from '../helpers/small-store';
import { assertAcknowledgedIntact, assertConsumeQueuesMatchScan } from '../helpers/store-verification';
import { withTempDir } from '../helpers/temp-dir';

const COUNT = 2500; // about two 1 MiB segments of generated messages

async function writeAndScan(storeRoot: string, ending: 'kill' | 'shutdown'): Promise<CommitLogScan> {
  await runFixedWriter(storeRoot, { firstId: 0, count: COUNT, ending });
  const scan = scanCommitLog(storeRoot);
  assert.equal(scan.invalid, undefined, 'the undamaged CommitLog scans clean');
  assert.equal(scan.records.length, COUNT);
  assert.ok(new Set(scan.records.map((r) => r.segment)).size >= 2, 'the writer rolled over at least once');
  return scan;
}

/** Reopens and checks that exactly the first `keep` records of `before` remain and appends resume there. */
async function assertRecoveredToPrefix(storeRoot: string, before: CommitLogScan, keep: number): Promise<void> {
  const { store, recovery } = await openSmallStore(storeRoot);
  try {
    const cut = before.records[keep]!;
    assert.ok(recovery.truncatedBytes > 0, `truncatedBytes reported (${recovery.truncatedBytes})`);
    assert.equal(store.getMaxPhysicalOffset(), cut.physicalOffset, 'max physical offset = start of the torn record');
    assert.equal(store.lookMessageByOffset(cut.physicalOffset), null, 'the torn record is not served');
    const after = scanCommitLog(storeRoot);
    assert.deepEqual(
      after.records.map((r) => r.physicalOffset),
      before.records.slice(0, keep).map((r) => r.physicalOffset),
      'exactly the intact prefix remains',
    );
    assertConsumeQueuesMatchScan(store, after);
    assertAcknowledgedIntact(store, acksOfRecords(before.records.slice(0, keep)));

    const probe = generateMessage(1_000_000);
    const result = await store.putMessage(probe);
    assert.equal(result.status, 'PUT_OK');
    assert.equal(result.physicalOffset, cut.physicalOffset, 'the next append starts where the torn record was');
  } finally {
    await store.shutdown();
  }
}

for (const ending of ['kill', 'shutdown'] as const) {
  const after = ending === 'kill' ? 'after SIGKILL' : 'after a clean shutdown';

  test(`last record zeroed from its middle ${after}: reopen keeps exactly the intact prefix`, { timeout: 60_000 }, () =>
    withTempDir('torn-zero', async (dir) => {
      const storeRoot = path.join(dir, 'store');
      const before = await writeAndScan(storeRoot, ending);
      const last = before.records[before.records.length - 1]!;
      const start = segmentStartOffset(last.segment);
      zeroFrom(last.segment, last.physicalOffset - start + Math.floor(last.message.storeSize / 2));
      await assertRecoveredToPrefix(storeRoot, before, before.records.length - 1);
    }),
  );

  test(`bit flip in the last record's body ${after}: reopen cuts that record only`, { timeout: 60_000 }, () =>
    withTempDir('torn-flip', async (dir) => {
      const storeRoot = path.join(dir, 'store');
      const before = await writeAndScan(storeRoot, ending);
      const last = before.records[before.records.length - 1]!;
      flipBit(last.segment, midBodyPosition(last, segmentStartOffset(last.segment)), 3);
      await assertRecoveredToPrefix(storeRoot, before, before.records.length - 1);
    }),
  );

  test(`bit flip mid-log ${after}: open fails with ERR_STORE_CORRUPT naming file and offset`, { timeout: 60_000 }, () =>
    withTempDir('corrupt-mid', async (dir) => {
      const storeRoot = path.join(dir, 'store');
      const before = await writeAndScan(storeRoot, ending);
      const lastSegment = before.records[before.records.length - 1]!.segment;
      const inLast = before.records.filter((r) => r.segment === lastSegment);
      assert.ok(inLast.length >= 3, 'the last segment holds records before and after the victim');
      const victim = inLast[Math.floor(inLast.length / 2)]!;
      flipBit(victim.segment, midBodyPosition(victim, segmentStartOffset(victim.segment)), 5);
      const hashes = before.segments.map(sha256OfFile);

      for (let attempt = 0; attempt < 2; attempt++) {
        // The second attempt shows the failed open released the lock and repaired nothing silently.
        const store = createSmallStore(storeRoot);
        await assert.rejects(store.start(), (error: NodeJS.ErrnoException & { offset?: number }) => {
          assert.equal(error.code, 'ERR_STORE_CORRUPT');
          assert.equal(path.resolve(error.path ?? ''), path.resolve(victim.segment), 'error.path names the segment');
          assert.equal(error.offset, victim.physicalOffset, 'error.offset is the physical offset of the bad record');
          return true;
        });
        await store.shutdown();
        assert.deepEqual(before.segments.map(sha256OfFile), hashes, 'a rejected open changes no segment');
      }
    }),
  );
}
