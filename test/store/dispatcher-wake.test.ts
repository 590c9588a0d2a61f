import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DispatcherWake, LAZY_WAKE_MS } from '../../src/store/dispatcher-wake';
import { nextTurn, recordingBatcher } from './batcher-fixture';

function recordingWake(calls: string[]): DispatcherWake {
  return new DispatcherWake(() => calls.push('wake dispatcher'), (err) => assert.fail(String(err)));
}

test('while someone awaits dispatch, the dispatcher is woken once per turn, after the appends and after the callers have their answers', async () => {
  const calls: string[] = [];
  const dispatcherWake = recordingWake(calls);
  dispatcherWake.setAwaited(true);
  const batcher = recordingBatcher(calls, dispatcherWake);
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
