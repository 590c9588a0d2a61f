import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/common';
import { offsetMessageIdPrefix } from '../../src/message/message-id';
import { RecordEncoder } from '../../src/message/record-encoder';
import { AppendBatcher, type AppendTarget } from '../../src/store/append-batcher';
import { MessageValidator } from '../../src/store/message-validator';
import { loadAddon } from '../../src/store/native/binding';

const storeHost = { address: '127.0.0.1', port: 10911 };

/** A stand-in for the native store that records what the batcher asks of it, in order. */
function recordingTarget(putOk: number, calls: string[]): AppendTarget {
  let phy = 0;
  return {
    appendBatch(records, count, out, wakeDispatcher) {
      calls.push(`append ${count} wakeDispatcher=${String(wakeDispatcher)}`);
      for (let i = 0; i < count; i++) {
        out[2 * i] = phy;
        out[2 * i + 1] = i;
        phy += 100;
      }
      out[2 * count] = Date.now();
      assert.ok(records.length > 0);
      return putOk;
    },
    wakeDispatcher() {
      calls.push('wake dispatcher');
    },
  };
}

test('the dispatcher is woken once per turn, after the appends and after the callers have their answers', async () => {
  const { statusTable } = loadAddon();
  const calls: string[] = [];
  const batcher = new AppendBatcher({
    target: recordingTarget(statusTable.putOk, calls),
    statusTable,
    encoder: new RecordEncoder(storeHost),
    validator: new MessageValidator(4 * 1024 * 1024),
    segmentBytes: 1 << 30,
    msgIdPrefix: offsetMessageIdPrefix(storeHost),
    groupCommit: undefined,
    gate: () => undefined,
    logger: silentLogger,
  });
  const puts = [0, 1, 2].map((i) =>
    batcher.putMessage({ topic: 'WakeOrder', queueId: 0, body: Buffer.from(`m${i}`) }).then((r) => {
      calls.push(`answered ${r.status}`);
    }));
  await Promise.all(puts);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [
    'append 3 wakeDispatcher=false',
    'answered PUT_OK',
    'answered PUT_OK',
    'answered PUT_OK',
    'wake dispatcher',
  ]);

  // A later turn wakes it again.
  await batcher.putMessage({ topic: 'WakeOrder', queueId: 0, body: Buffer.from('again') });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls.slice(5), ['append 1 wakeDispatcher=false', 'wake dispatcher']);
});
