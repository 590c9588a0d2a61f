import assert from 'node:assert/strict';
import { silentLogger } from '../../src/common';
import { offsetMessageIdPrefix } from '../../src/message/message-id';
import { RecordEncoder } from '../../src/message/record-encoder';
import { AppendBatcher, type AppendTarget } from '../../src/store/append-batcher';
import type { DispatcherWake } from '../../src/store/dispatcher-wake';
import type { GroupCommitService } from '../../src/store/flush/group-commit';
import { MessageValidator } from '../../src/store/message-validator';
import { loadAddon } from '../../src/store/native/binding';

const storeHost = { address: '127.0.0.1', port: 10911 };

/**
 * A stand-in for the native store: stores nothing, hands out consecutive offsets by the records'
 * own sizes, logs each call in `calls` and each record's end offset in `ends`.
 */
export function recordingTarget(putOk: number, calls: string[], ends: number[] = []): AppendTarget {
  let phy = 0;
  return {
    appendBatch(records, count, out, wakeDispatcher) {
      calls.push(`append ${count} wakeDispatcher=${String(wakeDispatcher)}`);
      let at = 0;
      for (let i = 0; i < count; i++) {
        const size = records.readInt32BE(at);
        out[2 * i] = phy;
        out[2 * i + 1] = i;
        phy += size;
        at += size;
        ends.push(phy);
      }
      out[2 * count] = Date.now();
      assert.equal(at, records.length, 'the batch is exactly its records');
      return putOk;
    },
  };
}

/** An AppendBatcher over recordingTarget, with the real encoder, validator and status table. */
export function recordingBatcher(calls: string[], dispatcherWake: DispatcherWake, groupCommit?: GroupCommitService, ends?: number[]): AppendBatcher {
  const { statusTable } = loadAddon();
  return new AppendBatcher({
    target: recordingTarget(statusTable.putOk, calls, ends),
    dispatcherWake,
    statusTable,
    encoder: new RecordEncoder(storeHost),
    validator: new MessageValidator(4 * 1024 * 1024),
    segmentBytes: 1 << 30,
    msgIdPrefix: offsetMessageIdPrefix(storeHost),
    groupCommit,
    gate: () => undefined,
    logger: silentLogger,
  });
}

export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
