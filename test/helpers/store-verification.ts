/**
 * Brute-force checks of a reopened store against what the writer was told and what is on disk.
 * Each check throws an AssertionError naming the first offending message/queue.
 */
import * as assert from 'node:assert/strict';
import type { MessageStore } from '../../src/store';
import type { CommitLogScan, ScannedRecord } from './commitlog-scanner';
import { generatedIdOf, mismatchesOf } from './message-generator';

/** What a writer reported for one PUT_OK message. */
export interface Acknowledgement {
  readonly id: number;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly physicalOffset: number;
}

const PREPARED_OR_ROLLBACK = (sysFlag: number): boolean => (sysFlag & 0xc) === 0x4 || (sysFlag & 0xc) === 0xc;

/** Every acknowledged message is readable by offset and through its queue, intact, where it was acknowledged. */
export function assertAcknowledgedIntact(store: MessageStore, acks: readonly Acknowledgement[]): void {
  for (const ack of acks) {
    const where = `ack id=${ack.id} ${ack.topic}/${ack.queueId}@${ack.queueOffset} phys=${ack.physicalOffset}`;
    const byOffset = store.lookMessageByOffset(ack.physicalOffset);
    assert.ok(byOffset !== null, `${where}: lookMessageByOffset returned null`);
    assert.deepEqual(mismatchesOf(byOffset, ack.id), [], `${where}: lookMessageByOffset content`);
    assert.equal(byOffset.queueOffset, ack.queueOffset, `${where}: stored queue offset`);
    assert.equal(byOffset.commitLogOffset, ack.physicalOffset, `${where}: stored physical offset`);

    const pulled = store.getMessage(ack.topic, ack.queueId, ack.queueOffset, 1);
    assert.equal(pulled.status, 'FOUND', `${where}: getMessage status`);
    const [message] = pulled.messages();
    assert.ok(message !== undefined, `${where}: getMessage returned no message`);
    assert.equal(message.commitLogOffset, ack.physicalOffset, `${where}: getMessage physical offset`);
    assert.deepEqual(mismatchesOf(message, ack.id), [], `${where}: getMessage content`);
  }
}

/**
 * The index finds every acknowledged message by its KEYS token and by its UNIQ_KEY (the generator
 * gives message N the key `key-N` and a UNIQ_KEY of N in hex), whatever recovery rebuilt.
 */
export function assertIndexedByKeys(store: MessageStore, acks: readonly Acknowledgement[]): void {
  for (const ack of acks) {
    const keys = [`key-${ack.id}`, ack.id.toString(16).toUpperCase().padStart(32, '0')];
    for (const key of keys) {
      const found = store.queryMessage(ack.topic, key, 8, 0, Number.MAX_SAFE_INTEGER).messages();
      assert.ok(
        found.some((m) => m.commitLogOffset === ack.physicalOffset),
        `ack id=${ack.id} at ${ack.physicalOffset}: queryMessage(${ack.topic}, ${key}) found [${found.map((m) => m.commitLogOffset)}]`,
      );
    }
  }
}

/** Every record on disk is an intact generated message (no garbage, no half records). */
export function assertScanHoldsOnlyGeneratedMessages(scan: CommitLogScan): void {
  assert.equal(scan.invalid, undefined, `CommitLog scan hit an invalid record: ${JSON.stringify(scan.invalid)}`);
  const seen = new Set<number>();
  for (const record of scan.records) {
    const id = generatedIdOf(record.message);
    assert.ok(id !== undefined, `record at ${record.physicalOffset} is not a generated message`);
    assert.ok(!seen.has(id), `message id ${id} stored twice (second at ${record.physicalOffset})`);
    seen.add(id);
    assert.deepEqual(mismatchesOf(record.message, id), [], `record at ${record.physicalOffset} (id ${id})`);
  }
}

/** Scanned records grouped by queue, in CommitLog order (transaction PREPARED/ROLLBACK excluded). */
export function recordsByQueue(scan: CommitLogScan): Map<string, ScannedRecord[]> {
  const queues = new Map<string, ScannedRecord[]>();
  for (const record of scan.records) {
    if (PREPARED_OR_ROLLBACK(record.message.sysFlag)) continue;
    const key = `${record.message.topic}/${record.message.queueId}`;
    let list = queues.get(key);
    if (list === undefined) queues.set(key, (list = []));
    list.push(record);
  }
  return queues;
}

/**
 * The ConsumeQueues agree with the CommitLog: per queue the stored queue offsets are dense from the
 * queue's min offset, every unit points at the record carrying that offset, nothing lies beyond,
 * and the store's max physical offset is the scan's end.
 */
export function assertConsumeQueuesMatchScan(store: MessageStore, scan: CommitLogScan): void {
  assert.equal(store.getMaxPhysicalOffset(), scan.endOffset, 'max physical offset vs CommitLog scan end');
  const byQueue = recordsByQueue(scan);
  for (const [key, records] of byQueue) {
    const { topic, queueId } = records[0]!.message;
    const first = records[0]!.message.queueOffset;
    assert.equal(store.getMinOffsetInQueue(topic, queueId), first, `${key}: min offset`);
    assert.equal(store.getMaxOffsetInQueue(topic, queueId), first + records.length, `${key}: max offset`);
    records.forEach((record, i) => {
      assert.equal(record.message.queueOffset, first + i, `${key}: queue offsets not dense at record ${record.physicalOffset}`);
      assert.equal(
        store.getCommitLogOffsetInQueue(topic, queueId, first + i),
        record.physicalOffset,
        `${key}@${first + i}: ConsumeQueue unit vs CommitLog`,
      );
    });
    assert.equal(store.getCommitLogOffsetInQueue(topic, queueId, first + records.length), -1, `${key}: unit beyond the end`);
  }
  for (const queue of store.listQueues()) {
    const key = `${queue.topic}/${queue.queueId}`;
    if (!byQueue.has(key)) {
      assert.equal(queue.maxOffset, queue.minOffset, `${key}: the store lists messages the CommitLog does not hold`);
    }
  }
}

/** Queue offsets of the acknowledged messages never collide and match the scan's per-queue order. */
export function assertAcksAreInScan(acks: readonly Acknowledgement[], scan: CommitLogScan): void {
  const byOffset = new Map(scan.records.map((r) => [r.physicalOffset, r] as const));
  for (const ack of acks) {
    const record = byOffset.get(ack.physicalOffset);
    assert.ok(record !== undefined, `acknowledged id ${ack.id} at ${ack.physicalOffset} is not in the CommitLog scan`);
    assert.equal(generatedIdOf(record.message), ack.id, `record at ${ack.physicalOffset} holds another message`);
  }
}
