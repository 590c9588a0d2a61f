import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/common';
import { GroupCommitService, type FlushOutcome } from '../../src/store';
import { DispatcherWake } from '../../src/store/dispatcher-wake';
import { nextTurn, recordingBatcher } from './batcher-fixture';

function setup(timeoutMs = 5000) {
  const clock = new ManualClock(1_000_000);
  let flushed = 0;
  const service = new GroupCommitService(clock, timeoutMs, () => flushed);
  const outcomes: Array<[number, FlushOutcome]> = [];
  const add = (nextOffset: number): void => service.add(nextOffset, { flushDone: (outcome) => outcomes.push([nextOffset, outcome]) });
  return { clock, service, outcomes, add, setFlushed: (value: number) => { flushed = value; } };
}

test('one flush notification completes every waiter it covers, in FIFO order', () => {
  const { service, outcomes, add, setFlushed } = setup();
  add(100);
  add(200);
  add(300);
  service.onFlushed();
  assert.deepEqual(outcomes, [], 'nothing flushed yet');
  setFlushed(250);
  service.onFlushed();
  assert.deepEqual(outcomes, [[100, 'PUT_OK'], [200, 'PUT_OK']]);
  assert.equal(service.pending, 1);
  setFlushed(300);
  service.onFlushed();
  assert.deepEqual(outcomes.at(-1), [300, 'PUT_OK']);
  assert.equal(service.pending, 0);
});

test('a waiter not covered by syncFlushTimeout completes with FLUSH_DISK_TIMEOUT', () => {
  const { clock, outcomes, add, setFlushed } = setup(5000);
  add(100);
  clock.advance(1000);
  add(200);
  clock.advance(3999);
  assert.deepEqual(outcomes, []);
  clock.advance(1);
  assert.deepEqual(outcomes, [[100, 'FLUSH_DISK_TIMEOUT']]);
  // The second waiter's own deadline is 1000 ms later; a flush arriving before it wins.
  setFlushed(200);
  clock.advance(999);
  assert.equal(outcomes.length, 1, 'no notification and no deadline yet');
  clock.advance(1);
  assert.deepEqual(outcomes, [[100, 'FLUSH_DISK_TIMEOUT'], [200, 'PUT_OK']], 'the timer counts a flush whose notification is still pending');
  assert.equal(clock.pendingTimers, 0, 'no timer left once the queue is empty');
});

test('completeAll settles everything once; later notifications do nothing', () => {
  const { service, outcomes, add, setFlushed } = setup();
  add(10);
  add(20);
  service.completeAll('PUT_OK');
  setFlushed(100);
  service.onFlushed();
  assert.deepEqual(outcomes, [[10, 'PUT_OK'], [20, 'PUT_OK']]);
});

test('wait() is the promise form', async () => {
  const { service, setFlushed } = setup();
  const pending = service.wait(64);
  setFlushed(64);
  service.onFlushed();
  assert.equal(await pending, 'PUT_OK');
});

test('an append crossing completes the sends a landed flush covers, without waiting for its notification', async () => {
  const clock = new ManualClock(1_000_000);
  let flushed = 0;
  const service = new GroupCommitService(clock, 5000, () => flushed);
  const calls: string[] = [];
  const ends: number[] = [];
  const batcher = recordingBatcher(calls, new DispatcherWake(() => {}, (err) => assert.fail(String(err))), service, ends);
  const settled: string[] = [];
  const put = (name: string): void => {
    void batcher.putMessage({ topic: 'Flushed', queueId: 0, body: Buffer.from(name) }).then((r) => settled.push(`${name} ${r.status}`));
  };
  put('first');
  put('second');
  await nextTurn();
  assert.deepEqual(calls, ['append 2 wakeDispatcher=false']);
  assert.equal(service.pending, 2, 'nothing flushed yet');

  // The flush thread has covered the first record; its notification has not run.
  flushed = ends[0] as number;
  put('third');
  batcher.appendPending();
  await nextTurn();
  assert.deepEqual(settled, ['first PUT_OK'], 'the crossing read the flushed position');
  assert.equal(service.pending, 2, 'the second and third still wait for the disk');
});
