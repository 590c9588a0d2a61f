import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
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

/** How long, in ms, a window opened by a read polls before it ends by itself. */
async function windowLength(poll: BusyPoll): Promise<number> {
  const opened = performance.now();
  poll.noteActivity('read');
  assert.equal(poll.isPolling, true);
  await waitFor(() => !poll.isPolling, 10_000);
  return performance.now() - opened;
}

test('busy poll: a window stays open while an answer is owed, up to 1 ms after the last activity', async () => {
  const poll = new BusyPoll(50, 0); // 50 us windows; an owed answer keeps one open for 1 ms
  try {
    poll.answerOwed.hold();
    assert.equal(poll.owedCount, 1);
    // Owed: the window outlives its 50 us, to 1 ms (unless it gave way to other threads).
    const held = await windowLength(poll);
    assert.ok(held >= 1 || poll.gaveWayCount > 0, `held window ${held} ms, gave way ${poll.gaveWayCount}`);
    poll.answerOwed.release();
    assert.equal(poll.owedCount, 0);
    // Nothing owed: a window lasts its own length again. Several tries, so one slow turn of a
    // loaded machine cannot stretch it past the bound by accident.
    let shortest = Infinity;
    for (let i = 0; i < 5; i++) shortest = Math.min(shortest, await windowLength(poll));
    assert.ok(shortest < 1, `a window with nothing owed lasted at least ${shortest} ms`);
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

/** Opens read-less windows until polling rests (a window that gave way to other threads counts neither way). */
async function windowsUntilRest(poll: BusyPoll): Promise<number> {
  const deadline = Date.now() + 20_000;
  let windows = 0;
  while (poll.restCount === 0 && Date.now() < deadline) {
    assert.ok(await oneWindow(poll, 'write', false), 'polls until the rest');
    windows++;
  }
  return windows;
}

/** Reports activity until a window opens again (a rest or a busy machine no longer holds it back). */
function untilPollingAgain(poll: BusyPoll): Promise<void> {
  return waitFor(() => {
    poll.noteActivity('read');
    return poll.isPolling;
  }, 20_000);
}

test('busy poll: eight windows in a row that expire without a request make it rest', async () => {
  const poll = new BusyPoll(1000, 60_000_000); // a rest longer than the test
  try {
    const windows = await windowsUntilRest(poll);
    assert.equal(poll.restCount, 1, `${windows} windows, ${poll.gaveWayCount} gave way`);
    assert.equal(windows - poll.gaveWayCount, 8, `${windows} windows, ${poll.gaveWayCount} gave way`);
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
    await windowsUntilRest(poll);
    assert.equal(poll.restCount, 1);
    // Activity opens windows again once the millisecond has passed.
    await untilPollingAgain(poll);
  } finally {
    poll.close();
  }
});

test('busy poll: windows that catch requests never rest', async () => {
  const poll = new BusyPoll(1000);
  try {
    for (let i = 0; i < 20; i++) assert.ok(await oneWindow(poll, 'write', true));
    assert.equal(poll.restCount, 0);
    // Seven misses, a hit, seven misses: the misses must come in a row to count.
    const sevenMisses = Array.from({ length: 7 }, () => false);
    for (const readInside of [...sevenMisses, true, ...sevenMisses]) assert.ok(await oneWindow(poll, 'read', readInside));
    assert.equal(poll.restCount, 0);
  } finally {
    poll.close();
  }
});

test('busy poll: no window opens while every CPU is busy, and windows open again after', async () => {
  const poll = new BusyPoll(1000, 0);
  const spinners = Array.from({ length: availableParallelism() }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  try {
    // Activity every few milliseconds, so this process leaves the CPUs to the spinners.
    const deadline = Date.now() + 20_000;
    while (poll.busyMachineCount === 0 && Date.now() < deadline) {
      poll.noteActivity('read');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok(poll.busyMachineCount > 0, 'windows refused while the spinners ran');
  } finally {
    for (const spinner of spinners) spinner.kill('SIGKILL');
    await Promise.all(spinners.map((spinner) => (spinner.exitCode !== null || spinner.signalCode !== null ? undefined : once(spinner, 'exit'))));
  }
  try {
    await untilPollingAgain(poll);
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
  assert.throws(() => new BusyPoller(new Int32Array(6), 100), TypeError);
  assert.throws(() => new BusyPoller(new Int32Array(7), 0), RangeError);
  assert.throws(() => new BusyPoller(new Int32Array(7), 2e6), RangeError);
  assert.throws(() => new BusyPoller(new Int32Array(7), 100, -1), RangeError);
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
