/**
 * The crash scenario shared by the SYNC_FLUSH, ASYNC_FLUSH, transient-pool and retention tests:
 * several rounds on one store directory, each a crash-writer child killed with SIGKILL (after a
 * seeded-random number of acks, or at a random time after spawn), then a reopen in this process and
 * brute-force verification of everything acknowledged so far. reopenAndVerify is also used by the
 * power-loss test.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { HelperChild } from './child-runner';
import type { CrashWriterConfig } from './children/crash-writer';
import { scanCommitLog } from './commitlog-scanner';
import { generateMessage } from './message-generator';
import { SeededRandom } from './seeded-random';
import { openSmallStore, type FlushDiskType } from './small-store';
import {
  assertAcknowledgedIntact,
  assertAcksAreInScan,
  assertConsumeQueuesMatchScan,
  assertIndexedByKeys,
  assertScanHoldsOnlyGeneratedMessages,
  type Acknowledgement,
} from './store-verification';
import { withTempDir } from './temp-dir';

const SLOTS = 12; // crash-writer's slot count: 3 topics x 4 queues
const IDS_PER_ROUND = SLOTS * 1_000_000;
const SEGMENT_BYTES = 1024 * 1024;

export interface CrashRoundsOptions {
  readonly flushDiskType: FlushDiskType;
  readonly rounds: number;
  readonly seed: number;
  readonly minAcksBeforeKill: number;
  readonly maxAcksBeforeKill: number;
  /**
   * With the transient store pool an acknowledged message may still sit in an uncommitted off-heap
   * buffer when the process dies, so the newest acks may be lost; what survives must be a prefix of
   * the CommitLog (no holes) and intact, and the store consistent.
   */
  readonly transientStorePoolEnable?: boolean;
  /** The writer runs retention that deletes the oldest segments while it writes. */
  readonly retention?: boolean;
  readonly log: (line: string) => void;
}

export async function runCrashRounds(options: CrashRoundsOptions): Promise<void> {
  const rnd = new SeededRandom(options.seed);
  await withTempDir(`crash-${options.flushDiskType}`, async (dir) => {
    const storeRoot = path.join(dir, 'store');
    let acknowledged: Acknowledgement[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const killAfter = rnd.int(options.minAcksBeforeKill, options.maxAcksBeforeKill);
      const config: CrashWriterConfig = {
        storeRoot,
        flushDiskType: options.flushDiskType,
        segmentBytes: SEGMENT_BYTES,
        transientStorePoolEnable: options.transientStorePoolEnable ?? false,
        forceRetention: options.retention ?? false,
        producers: 8,
        maxBatch: 16,
        firstId: (round + 1) * IDS_PER_ROUND,
        seed: rnd.int(0, 0x7fffffff),
        maxMessages: options.maxAcksBeforeKill * 4 + 1000,
      };
      const child = HelperChild.spawn('crash-writer', config);
      let acks = 0;
      child.onMessage((m) => {
        if (m.type === 'ack') acks++;
      });
      // Odd rounds kill at a random time after spawn instead (0-400 ms): this lands before, during
      // or just after the child's own recovery, so a crash in the middle of recovery is covered.
      const killAtMs = round % 2 === 1 ? rnd.int(0, 400) : undefined;
      try {
        if (killAtMs === undefined) {
          await child.waitForType('ready');
          await child.waitFor(() => acks >= killAfter, `${killAfter} acks`, 60_000);
        } else {
          // Not a wait for a condition: the delay *is* the randomly chosen kill moment.
          await new Promise((resolve) => setTimeout(resolve, killAtMs));
        }
      } finally {
        await child.kill('SIGKILL');
      }
      assert.equal(child.describeExit(), 'signal SIGKILL', `round ${round}: the writer must die by our SIGKILL`);
      assert.deepEqual(child.ofType('error'), [], `round ${round}: writer errors`);
      assert.deepEqual(child.strayLines, [], `round ${round}: stray writer output`);
      const notOk = child.ofType('not-ok');
      // FLUSH_DISK_TIMEOUT is "stored, durability not confirmed": allowed, just not counted as acked.
      assert.deepEqual(notOk.filter((m) => m['status'] !== 'FLUSH_DISK_TIMEOUT'), [], `round ${round}: failed puts`);
      const roundAcks = child.ofType('ack') as unknown as Acknowledgement[];
      acknowledged.push(...roundAcks);
      const beforeReady = child.ofType('ready').length === 0 ? ', before ready' : '';
      const target = killAtMs === undefined ? `after ${killAfter} acks` : `${killAtMs} ms after spawn${beforeReady}`;
      options.log(`round ${round}: killed ${target}: ${roundAcks.length} acks, ${notOk.length} flush timeouts`);

      // Killed before 'ready', the child may not have opened the store yet: either exit state is fine.
      const uncleanExit = child.ofType('ready').length > 0 ? true : undefined;
      const probeId = (round + 1) * IDS_PER_ROUND + IDS_PER_ROUND / 2;
      const verified = await reopenAndVerify(storeRoot, acknowledged, {
        probeId,
        round,
        uncleanExit,
        mayLoseTail: options.transientStorePoolEnable ?? false,
        retention: options.retention ?? false,
        log: options.log,
      });
      acknowledged = verified.survivors;
      acknowledged.push(verified.probe);
    }
  });
}

/**
 * Opens the store in this process and checks everything against `acknowledged` and a brute-force
 * scan, then appends one probe message (which must land at the recovered tail). Returns the acks
 * still expected to exist (all of them unless `mayLoseTail`) and the probe's ack.
 */
export interface ReopenChecks {
  readonly probeId: number;
  readonly round: number;
  /** true: the abort marker must have been found; undefined: either exit state is fine. */
  readonly uncleanExit: true | undefined;
  /** The newest acknowledged messages may be missing (transient store pool). */
  readonly mayLoseTail: boolean;
  /** Retention ran in the writer: acknowledged messages below the store's minimum are gone. */
  readonly retention: boolean;
  readonly log: (line: string) => void;
}

export async function reopenAndVerify(
  storeRoot: string,
  acknowledged: readonly Acknowledgement[],
  checks: ReopenChecks,
): Promise<{ survivors: Acknowledgement[]; probe: Acknowledgement }> {
  const { probeId, round, uncleanExit, mayLoseTail, retention, log } = checks;
  const { store, recovery } = await openSmallStore(storeRoot);
  try {
    if (uncleanExit) assert.equal(recovery.lastExitOK, false, `round ${round}: a killed writer must leave the abort marker`);
    const scan = scanCommitLog(storeRoot);
    log(
      `round ${round}: recovered ${recovery.recoveredMessages} messages from ${recovery.recoveredFromOffset}, ` +
        `truncated ${recovery.truncatedBytes} bytes; ${scan.records.length} records, ${acknowledged.length} acked`,
    );
    assertScanHoldsOnlyGeneratedMessages(scan);
    const minPhysical = store.getMinPhysicalOffset();
    const survivors = acknowledged.filter(
      (a) => (!mayLoseTail || a.physicalOffset < scan.endOffset) && (!retention || a.physicalOffset >= minPhysical),
    );
    if (mayLoseTail || retention) {
      const gone = acknowledged.length - survivors.length;
      log(`round ${round}: ${gone} acknowledged messages gone (uncommitted tail or retention); min physical offset ${minPhysical}`);
    }
    assertAcksAreInScan(survivors, scan);
    assertAcknowledgedIntact(store, survivors);
    assertConsumeQueuesMatchScan(store, scan);
    assertIndexedByKeys(store, survivors);

    // New appends continue right after the recovered tail, with the next queue offset.
    const probe = generateMessage(probeId);
    const nextQueueOffset = store.getMaxOffsetInQueue(probe.topic, probe.queueId);
    const result = await store.putMessage(probe);
    assert.equal(result.status, 'PUT_OK', `round ${round}: append after recovery`);
    assert.equal(result.queueOffset, nextQueueOffset, `round ${round}: queue offset after recovery`);
    // Right at the tail, or at the next segment's start when the record did not fit the current one.
    const at = result.physicalOffset;
    const rolled = at > scan.endOffset && at % SEGMENT_BYTES === 0 && at - scan.endOffset < SEGMENT_BYTES;
    assert.ok(at === scan.endOffset || rolled, `round ${round}: append after recovery at ${at}, tail was ${scan.endOffset}`);
    const ack: Acknowledgement = {
      id: probeId,
      topic: probe.topic,
      queueId: probe.queueId,
      queueOffset: result.queueOffset,
      physicalOffset: result.physicalOffset,
    };
    await store.whenDispatched(store.getMaxPhysicalOffset());
    assertAcknowledgedIntact(store, [ack]);
    return { survivors, probe: ack };
  } finally {
    await store.shutdown();
  }
}
