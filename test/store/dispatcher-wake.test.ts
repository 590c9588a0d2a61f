import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/common';
import { offsetMessageIdPrefix } from '../../src/message/message-id';
import { RecordEncoder } from '../../src/message/record-encoder';
import { AppendBatcher, type AppendTarget } from '../../src/store/append-batcher';
import { DispatcherWake, LAZY_WAKE_MS } from '../../src/store/dispatcher-wake';
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
  };
}

function recordingWake(calls: string[]): DispatcherWake {
  return new DispatcherWake(() => calls.push('wake dispatcher'), (err) => assert.fail(String(err)));
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('while someone awaits dispatch, the dispatcher is woken once per turn, after the appends and after the callers have their answers', async () => {
  const { statusTable } = loadAddon();
  const calls: string[] = [];
  const dispatcherWake = recordingWake(calls);
  dispatcherWake.setAwaited(true);
  const batcher = new AppendBatcher({
    target: recordingTarget(statusTable.putOk, calls),
    dispatcherWake,
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
  await nextTurn();
  assert.deepEqual(calls, [
    'append 3 wakeDispatcher=false',
    'answered PUT_OK',
    'answered PUT_OK',
    'answered PUT_OK',
    'wake dispatcher',
  ]);

  // A later turn wakes it again.
  await batcher.putMessage({ topic: 'WakeOrder', queueId: 0, body: Buffer.from('again') });
  await nextTurn();
  assert.deepEqual(calls.slice(5), ['append 1 wakeDispatcher=false', 'wake dispatcher']);
});

test('while no one awaits dispatch, wakes within LAZY_WAKE_MS, one for everything scheduled meanwhile', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const calls: string[] = [];
  const wake = recordingWake(calls);
  wake.schedule();
  wake.schedule();
  await nextTurn();
  wake.schedule();
  assert.deepEqual(calls, []);
  t.mock.timers.tick(LAZY_WAKE_MS);
  assert.deepEqual(calls, ['wake dispatcher']);
  t.mock.timers.tick(10 * LAZY_WAKE_MS);
  assert.deepEqual(calls, ['wake dispatcher']);
  wake.schedule();
  t.mock.timers.tick(LAZY_WAKE_MS);
  assert.deepEqual(calls, ['wake dispatcher', 'wake dispatcher']);
});

test('a lazy wake still pending when a waiter appears happens at once, and not again when its time comes', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const calls: string[] = [];
  const wake = recordingWake(calls);
  wake.schedule();
  wake.setAwaited(true);
  await nextTurn();
  assert.deepEqual(calls, ['wake dispatcher']);
  t.mock.timers.tick(10 * LAZY_WAKE_MS);
  assert.deepEqual(calls, ['wake dispatcher']);
  // Waiters gone: back to lazy.
  wake.setAwaited(false);
  wake.schedule();
  await nextTurn();
  assert.deepEqual(calls, ['wake dispatcher']);
  t.mock.timers.tick(LAZY_WAKE_MS);
  assert.deepEqual(calls, ['wake dispatcher', 'wake dispatcher']);
});

test('cancel drops a pending lazy wake', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const calls: string[] = [];
  const wake = recordingWake(calls);
  wake.schedule();
  wake.cancel();
  t.mock.timers.tick(10 * LAZY_WAKE_MS);
  assert.deepEqual(calls, []);
});

test('a prompt wake first offers the range to dispatchHere and wakes the thread only when it declines; a lazy wake never offers it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const calls: string[] = [];
  let accept = true;
  const wake = new DispatcherWake(
    () => calls.push('wake dispatcher'),
    (err) => assert.fail(String(err)),
    () => {
      calls.push(`dispatch here: ${accept ? 'done' : 'declined'}`);
      return accept;
    },
  );
  wake.setAwaited(true);
  wake.schedule();
  await nextTurn();
  assert.deepEqual(calls, ['dispatch here: done']);
  accept = false;
  wake.schedule();
  await nextTurn();
  assert.deepEqual(calls.slice(1), ['dispatch here: declined', 'wake dispatcher']);
  wake.setAwaited(false);
  wake.schedule();
  t.mock.timers.tick(LAZY_WAKE_MS);
  assert.deepEqual(calls.slice(3), ['wake dispatcher']);
});
