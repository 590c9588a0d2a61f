import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { BusyPoll } from '../../src/broker/busy-poll';
import { loadAddon } from '../../src/store/native/binding';
import { ResponseCode } from '../../src/protocol';
import { pullRequest, sendV2Request, startBroker } from './broker-fixture';
import { waitFor } from './wait-for';

/** How much of `ms` of waiting on a timer the event loop spent awake (1 = never slept). */
async function utilizationWhileWaiting(ms: number): Promise<number> {
  const before = performance.eventLoopUtilization();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return performance.eventLoopUtilization(before).utilization;
}

test('busy poll: activity opens a window that closes by itself', async () => {
  const poll = new BusyPoll(2000);
  try {
    assert.equal(poll.isPolling, false, 'no activity yet');
    poll.noteActivity('read');
    assert.equal(poll.isPolling, true);
    await waitFor(() => !poll.isPolling, 10_000);
    poll.noteActivity('read');
    assert.equal(poll.isPolling, true, 'the next activity opens a new window');
  } finally {
    poll.close();
  }
});

test('busy poll: the event loop does not sleep inside the window, and sleeps again after it', async () => {
  // The control first: with nothing polling, waiting on a timer is time asleep in the poll phase.
  assert.ok(await utilizationWhileWaiting(40) < 0.5, 'a loop waiting on a timer sleeps');
  const poll = new BusyPoll(100_000);
  try {
    poll.noteActivity('read');
    // Unless it gave way to other threads (a loaded machine), the loop polled the whole time.
    const utilization = await utilizationWhileWaiting(40);
    assert.ok(utilization > 0.9 || poll.gaveWayCount > 0, `utilization ${utilization}, gave way ${poll.gaveWayCount} times`);
    poll.close();
    assert.equal(poll.isPolling, false, 'close stops the polling at once');
    poll.noteActivity('read');
    assert.equal(poll.isPolling, false, 'activity after close is ignored');
    assert.ok(await utilizationWhileWaiting(40) < 0.5, 'the loop sleeps again after close');
  } finally {
    poll.close();
  }
});

/** Opens a window with `kind`, optionally reads inside it, and waits for it to end. */
async function oneWindow(poll: BusyPoll, kind: 'read' | 'write', readInside: boolean): Promise<boolean> {
  poll.noteActivity(kind);
  if (!poll.isPolling) return false; // resting
  if (readInside) poll.noteActivity('read');
  await waitFor(() => !poll.isPolling, 10_000);
  return true;
}

test('busy poll: four windows in a row that catch no request make it rest', async () => {
  const poll = new BusyPoll(1000, 60_000_000); // a rest longer than the test
  try {
    // Whether a window expires or gives way to other threads, it caught nothing.
    for (let i = 0; i < 4; i++) {
      assert.equal(poll.restCount, 0, `rested after ${i} windows`);
      assert.ok(await oneWindow(poll, 'write', false), `window ${i + 1} opens`);
    }
    assert.equal(poll.restCount, 1);
    for (let i = 0; i < 3; i++) {
      poll.noteActivity('read');
      assert.equal(poll.isPolling, false, 'no polling during the rest');
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    poll.close();
  }
});

test('busy poll: a rest ends by itself', async () => {
  const poll = new BusyPoll(1000, 1000);
  try {
    for (let i = 0; i < 4; i++) assert.ok(await oneWindow(poll, 'write', false));
    assert.equal(poll.restCount, 1);
    // Activity opens windows again once the millisecond has passed.
    await waitFor(() => {
      poll.noteActivity('read');
      return poll.isPolling;
    }, 10_000);
  } finally {
    poll.close();
  }
});

test('busy poll: windows that catch requests never rest', async () => {
  const poll = new BusyPoll(1000);
  try {
    for (let i = 0; i < 20; i++) assert.ok(await oneWindow(poll, 'write', true));
    assert.equal(poll.restCount, 0);
    // Three misses, a hit, three misses: the misses must come in a row to count.
    for (const readInside of [false, false, false, true, false, false, false]) assert.ok(await oneWindow(poll, 'read', readInside));
    assert.equal(poll.restCount, 0);
  } finally {
    poll.close();
  }
});

test('busy poll: a polling window never keeps a process alive', async () => {
  // If the idle handle held the loop, the child would run until the 100 ms window ended and report
  // false; unref'd, the loop ends with the window still open.
  const modulePath = path.resolve(__dirname, '..', '..', 'src', 'broker', 'busy-poll.js');
  const script = `const { BusyPoll } = require(${JSON.stringify(modulePath)});
const poll = new BusyPoll(100000);
poll.noteActivity('read');
process.on('exit', () => process.stdout.write('polling at exit: ' + poll.isPolling));`;
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${out}`))));
  });
  assert.equal(output, 'polling at exit: true');
});

test('busy poll: the native poller refuses bad arguments', () => {
  const { BusyPoller } = loadAddon().addon;
  assert.throws(() => new BusyPoller(new Float64Array(3) as unknown as Int32Array, 100), TypeError);
  assert.throws(() => new BusyPoller(new Int32Array(4), 100), TypeError);
  assert.throws(() => new BusyPoller(new Int32Array(5), 0), RangeError);
  assert.throws(() => new BusyPoller(new Int32Array(5), 2e6), RangeError);
  assert.throws(() => new BusyPoller(new Int32Array(5), 100, -1), RangeError);
});

test('busy poll: a broker with serverBusyPollMicros serves sends and a held pull, and shuts down', async () => {
  const fx = await startBroker(undefined, { serverBusyPollMicros: 200 });
  try {
    for (let i = 0; i < 100; i++) {
      const sent = await fx.invoke(sendV2Request({ topic: 'BusyPoll', body: `m${i}` }));
      assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
      assert.equal(sent.extFields['queueOffset'], String(i));
    }
    await fx.dispatched();
    // A pull held at the end of the queue returns as soon as the next message arrives.
    const held = fx.invoke(pullRequest({ topic: 'BusyPoll', queueOffset: 100, suspend: true, suspendTimeoutMillis: 20_000 }), 30_000);
    const last = await fx.invoke(sendV2Request({ topic: 'BusyPoll', body: 'last' }));
    assert.equal(last.code, ResponseCode.SUCCESS, last.remark);
    const pulled = await held;
    assert.equal(pulled.code, ResponseCode.SUCCESS, pulled.remark);
    assert.equal(pulled.extFields['nextBeginOffset'], '101');
  } finally {
    await fx.close();
  }
});
