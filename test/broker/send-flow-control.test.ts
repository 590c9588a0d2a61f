import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/common';
import { ResponseCode, createResponse, type RemotingCommand } from '../../src/protocol';
import { PageCacheBusyProbe } from '../../src/broker/handlers/page-cache-busy';
import { SendQueue } from '../../src/broker/handlers/send-queue';
import { sendV2Request, startBroker } from './broker-fixture';

/** A send the test finishes when it wants (the store falling behind). */
function heldSend(): { run: () => Promise<RemotingCommand>; finish: () => void; started: () => boolean } {
  let finish = (): void => undefined;
  let started = false;
  return {
    run: () => {
      started = true;
      return new Promise<RemotingCommand>((resolve) => {
        finish = () => resolve(createResponse(ResponseCode.SUCCESS));
      });
    },
    finish: () => finish(),
    started: () => started,
  };
}

test('the send queue runs sends in arrival order past its limit and answers SYSTEM_BUSY when full or waited too long', async () => {
  const clock = new ManualClock(1_000);
  const queue = new SendQueue({ clock, maxActive: 1, capacity: 2, maxWaitMs: 200 });
  const a = heldSend();
  const b = heldSend();
  const c = heldSend();
  const first = queue.run(a.run);
  const second = queue.run(b.run);
  const third = queue.run(c.run);
  assert.equal(queue.active, 1);
  assert.equal(queue.waiting, 2);
  assert.ok(a.started() && !b.started() && !c.started(), 'one send at a time');

  const rejected = await queue.run(heldSend().run);
  assert.equal(rejected.code, ResponseCode.SYSTEM_BUSY, 'a full queue refuses at once');
  assert.match(rejected.remark ?? '', /^\[REJECTREQUEST\]/);

  clock.advance(150);
  a.finish();
  assert.equal((await first).code, ResponseCode.SUCCESS);
  assert.ok(b.started(), 'the next send starts when a slot frees up (it waited 150 ms, within the limit)');
  assert.equal(queue.waiting, 1);

  clock.advance(60); // c has now waited 210 ms: the periodic scan refuses it without any send finishing
  const expired = await third;
  assert.equal(expired.code, ResponseCode.SYSTEM_BUSY);
  assert.match(expired.remark ?? '', /^\[TIMEOUT_CLEAN_QUEUE\]broker busy, start flow control for a while, period in queue: 2\d\dms/);
  assert.equal(c.started(), false, 'an expired send is never stored');
  assert.equal(queue.waiting, 0);

  b.finish();
  assert.equal((await second).code, ResponseCode.SUCCESS);
  assert.equal(queue.active, 0);
  assert.equal(clock.pendingTimers, 0, 'no scan timer left once nothing waits');
});

test('a send that throws frees its slot for the next one', async () => {
  const clock = new ManualClock(0);
  const queue = new SendQueue({ clock, maxActive: 1, capacity: 10, maxWaitMs: 200 });
  const next = heldSend();
  const failing = queue.run(() => { throw new Error('boom'); });
  const waiting = queue.run(next.run);
  await assert.rejects(failing, /boom/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(next.started());
  next.finish();
  assert.equal((await waiting).code, ResponseCode.SUCCESS);
});

test('tryEnter takes a free slot at once and holds it until leave(); queued sends wait for it', async () => {
  const clock = new ManualClock(0);
  const queue = new SendQueue({ clock, maxActive: 1, capacity: 10, maxWaitMs: 200 });
  assert.equal(queue.tryEnter(), true);
  assert.equal(queue.tryEnter(), false, 'the only slot is taken');
  const next = heldSend();
  const waiting = queue.run(next.run);
  assert.equal(next.started(), false);
  queue.leave();
  assert.ok(next.started(), 'leave() starts the next send in line');
  next.finish();
  assert.equal((await waiting).code, ResponseCode.SUCCESS);
  assert.equal(queue.active, 0);
});

test('a broker with one send slot stores concurrent sends in order, through the queue, each answered once (SYNC_FLUSH)', async () => {
  const fx = await startBroker(undefined, { maxConcurrentSends: 1, flushDiskType: 'SYNC_FLUSH' });
  try {
    const sends = [];
    for (let i = 0; i < 20; i++) sends.push(fx.invoke(sendV2Request({ topic: 'OneSlot', body: `m${i}`, queueId: 0 })));
    const answers = await Promise.all(sends);
    for (const answer of answers) assert.equal(answer.code, ResponseCode.SUCCESS, answer.remark);
    assert.deepEqual(answers.map((a) => Number(a.extFields['queueOffset'])), [...Array(20).keys()]);
    await fx.dispatched();
    assert.equal(fx.broker.context.store.getMaxOffsetInQueue('OneSlot', 0), 20);
  } finally {
    await fx.close();
  }
});

test('SYSTEM_BUSY [PC_SYNCHRONIZED] only while an append holds the store lock longer than osPageCacheBusyTimeOutMills', () => {
  const clock = new ManualClock(10_000);
  let beginTimeInLock = 0;
  let reads = 0;
  const probe = new PageCacheBusyProbe(clock, () => { reads++; return beginTimeInLock; }, 1000);
  assert.equal(probe.check(), undefined, 'no append in progress');
  clock.advance(1);
  beginTimeInLock = clock.now() - 1000;
  assert.equal(probe.check(), undefined, 'exactly the timeout is not yet busy');
  clock.advance(1);
  const busy = probe.check();
  assert.equal(busy?.code, ResponseCode.SYSTEM_BUSY);
  assert.match(busy?.remark ?? '', /^\[PC_SYNCHRONIZED\]/);
  const readsBefore = reads;
  probe.check();
  probe.check();
  assert.equal(reads, readsBefore, 'the store is asked at most once per millisecond');
  beginTimeInLock = 0;
  clock.advance(1);
  assert.equal(probe.check(), undefined, 'busy ends with the slow append');
});
