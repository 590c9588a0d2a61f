/**
 * Timer messages (TIMER_DELIVER_MS / TIMER_DELAY_SEC / TIMER_DELAY_MS) through a real broker on real
 * sockets: parked in rmq_sys_wheel_timer, delivered to the real queue not before the due time, once,
 * in due-time order; already-due ones at once; bad values refused; pending timers survive a restart.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { TIMER_TOPIC } from '../../src/broker/timer/timer-message';
import { timerCheckpointFile } from '../../src/broker/timer/timer-checkpoint';
import type { MessageExt } from '../../src/message';
import { ResponseCode } from '../../src/protocol';
import { pollUntil } from '../interop/cometmq-processes';
import { sendV2Request, startBroker, storedMessages, type BrokerFixture } from './broker-fixture';

const WAIT_MS = 15_000;
const TIMER_CONF = { timerFlushIntervalMs: 100 };
let fx: BrokerFixture;

before(async () => {
  fx = await startBroker(undefined, TIMER_CONF);
});

after(async () => {
  await fx.close();
});

function settledUpTo(): number {
  const file = timerCheckpointFile(fx.dir);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { deliveredUpToMs: number }).deliveredUpToMs : 0;
}

/** Waits until `count` messages are in the queue and a checkpoint covers `lastDue` (so any duplicate would be there too). */
async function deliveredAll(topic: string, count: number, lastDue: number, queueId = 0): Promise<MessageExt[]> {
  await pollUntil(`${count} messages in ${topic}`, () => storedMessages(fx, topic, queueId).length >= count && settledUpTo() >= lastDue, WAIT_MS,
    () => `have ${storedMessages(fx, topic, queueId).length}, checkpoint at ${settledUpTo()}`);
  return storedMessages(fx, topic, queueId);
}

test('each kind of timer is parked, then delivered once to its real queue, not before its due time', async () => {
  const sentAt = Date.now();
  const deliverAt = sentAt + 700;
  const cases: Array<[string, Record<string, string>, number]> = [
    ['by-delay-ms', { TIMER_DELAY_MS: '400' }, sentAt + 400],
    ['by-deliver-ms', { TIMER_DELIVER_MS: String(deliverAt) }, deliverAt],
    ['by-delay-sec', { TIMER_DELAY_SEC: '1' }, sentAt + 1000],
  ];
  for (const [body, properties] of cases) {
    const response = await fx.invoke(sendV2Request({ topic: 'TimerKinds', body, queueId: 1, tags: 'T', properties: { ...properties, UNIQ_KEY: body, USER: 'u' } }));
    assert.equal(response.code, ResponseCode.SUCCESS, response.remark ?? '');
  }
  await fx.dispatched();
  const parked = storedMessages(fx, TIMER_TOPIC);
  assert.equal(parked.length, 3);
  assert.deepEqual(parked.map((m) => [m.properties['REAL_TOPIC'], m.properties['REAL_QID']]), [['TimerKinds', '1'], ['TimerKinds', '1'], ['TimerKinds', '1']]);
  assert.equal(storedMessages(fx, 'TimerKinds', 1).length, 0, 'nothing in the real queue before the first due time');

  const delivered = await deliveredAll('TimerKinds', 3, sentAt + 1000, 1);
  assert.equal(delivered.length, 3, 'each delivered once');
  for (const [body, , due] of cases) {
    const message = delivered.find((m) => m.body.toString() === body);
    assert.ok(message !== undefined, `${body} delivered`);
    assert.ok(message.storeTimestamp >= due, `${body} stored at ${message.storeTimestamp}, due ${due}: not early`);
    assert.equal(message.properties['USER'], 'u');
    assert.equal(message.tags, 'T');
    assert.equal(message.properties['UNIQ_KEY'], body);
    for (const gone of ['REAL_TOPIC', 'REAL_QID', 'TIMER_OUT_MS', 'TIMER_DELAY_SEC', 'TIMER_DELAY_MS']) assert.equal(message.properties[gone], undefined, gone);
  }
  assert.deepEqual(delivered.map((m) => m.body.toString()), ['by-delay-ms', 'by-deliver-ms', 'by-delay-sec'], 'in due-time order');
});

test('timers sent in reverse due order arrive in due order', async () => {
  const base = Date.now() + 600;
  const dues = [base + 450, base + 300, base + 150, base];
  for (const [i, due] of dues.entries()) {
    await fx.invoke(sendV2Request({ topic: 'TimerOrder', body: `m${i}`, properties: { TIMER_DELIVER_MS: String(due) } }));
  }
  const delivered = await deliveredAll('TimerOrder', 4, base + 450);
  assert.deepEqual(delivered.map((m) => m.body.toString()), ['m3', 'm2', 'm1', 'm0']);
  delivered.forEach((m) => assert.ok(m.storeTimestamp >= Number(m.properties['TIMER_DELIVER_MS'])));
});

test('a due time already past is stored in the real topic at once', async () => {
  const before = storedMessages(fx, TIMER_TOPIC).length;
  const response = await fx.invoke(sendV2Request({ topic: 'TimerPast', body: 'late', properties: { TIMER_DELIVER_MS: String(Date.now() - 5000) } }));
  assert.equal(response.code, ResponseCode.SUCCESS);
  await fx.dispatched();
  assert.equal(storedMessages(fx, 'TimerPast').length, 1);
  assert.equal(storedMessages(fx, TIMER_TOPIC).length, before, 'not parked');
});

test('bad timer values are refused with MESSAGE_ILLEGAL and the reason; nothing is stored', async () => {
  const before = storedMessages(fx, TIMER_TOPIC).length;
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ TIMER_DELAY_SEC: 'soon' }, /TIMER_DELAY_SEC must be an integer/],
    [{ TIMER_DELAY_MS: '1.5' }, /TIMER_DELAY_MS must be an integer/],
    [{ TIMER_DELIVER_MS: '99999999999999999999' }, /TIMER_DELIVER_MS/],
    [{ TIMER_DELAY_SEC: String(3 * 86_400 + 1) }, /max delay 259200000ms/],
    [{ TIMER_DELIVER_MS: String(Date.now() + 4 * 86_400_000) }, /max delay/],
  ];
  for (const [properties, remark] of cases) {
    const response = await fx.invoke(sendV2Request({ topic: 'TimerBad', body: 'x', properties }));
    assert.equal(response.code, ResponseCode.MESSAGE_ILLEGAL, JSON.stringify(properties));
    assert.match(response.remark ?? '', remark);
  }
  await fx.dispatched();
  assert.equal(storedMessages(fx, TIMER_TOPIC).length, before);
  assert.equal(storedMessages(fx, 'TimerBad').length, 0);
});

test('a delay level takes precedence over timer properties', async () => {
  const before = storedMessages(fx, TIMER_TOPIC).length;
  const response = await fx.invoke(sendV2Request({ topic: 'TimerAndLevel', body: 'x', properties: { DELAY: '1', TIMER_DELAY_SEC: '60' } }));
  assert.equal(response.code, ResponseCode.SUCCESS);
  await fx.dispatched();
  assert.equal(storedMessages(fx, TIMER_TOPIC).length, before);
  assert.equal(storedMessages(fx, 'SCHEDULE_TOPIC_XXXX', 0).filter((m) => m.properties['REAL_TOPIC'] === 'TimerAndLevel').length, 1);
});

test('pending timers survive a graceful restart and are delivered once', async () => {
  const due = Date.now() + 1500;
  for (let i = 0; i < 20; i++) {
    await fx.invoke(sendV2Request({ topic: 'TimerRestart', body: `r${i}`, properties: { TIMER_DELIVER_MS: String(due + i) } }));
  }
  const dir = fx.dir;
  await fx.close(false);
  fx = await startBroker(dir, TIMER_CONF);
  const delivered = await deliveredAll('TimerRestart', 20, due + 19);
  assert.deepEqual(delivered.map((m) => m.body.toString()), Array.from({ length: 20 }, (_, i) => `r${i}`));
  delivered.forEach((m) => assert.ok(m.storeTimestamp >= Number(m.properties['TIMER_DELIVER_MS'])));
});

test('timerWheelEnable=false answers SYSTEM_ERROR as RocketMQ and stores nothing', async () => {
  const off = await startBroker(undefined, { timerWheelEnable: false });
  try {
    const response = await off.invoke(sendV2Request({ topic: 'TimerOff', body: 'x', properties: { TIMER_DELAY_SEC: '5' } }));
    assert.equal(response.code, ResponseCode.SYSTEM_ERROR);
    assert.match(response.remark ?? '', /timerWheelEnable is false/);
    await off.dispatched();
    assert.equal(off.broker.context.store.getMaxOffsetInQueue(TIMER_TOPIC, 0), 0);
    assert.equal(off.broker.context.store.getMaxOffsetInQueue('TimerOff', 0), 0);
  } finally {
    await off.close();
  }
});

test('a restart from a checkpoint taken before the deliveries (as a kill -9 leaves it) delivers nothing twice', async () => {
  const due = Date.now() + 800;
  for (let i = 0; i < 10; i++) {
    await fx.invoke(sendV2Request({ topic: 'TimerStale', body: `s${i}`, queueId: i % 2, properties: { TIMER_DELIVER_MS: String(due) } }));
  }
  const dir = fx.dir;
  const file = timerCheckpointFile(dir);
  await fx.close(false);
  const stale = fs.readFileSync(file, 'utf8');
  assert.ok((JSON.parse(stale) as { deliveredUpToMs: number }).deliveredUpToMs < due, 'saved while they were pending');
  fx = await startBroker(dir, TIMER_CONF);
  await deliveredAll('TimerStale', 5, due, 0);
  await deliveredAll('TimerStale', 5, due, 1);
  await fx.close(false);
  // Put back the checkpoint from before the deliveries, as if the broker had died right after them.
  fs.writeFileSync(file, stale);
  fs.rmSync(`${file}.bak`, { force: true });
  fx = await startBroker(dir, TIMER_CONF);
  await pollUntil('a checkpoint past the due time', () => settledUpTo() >= due, WAIT_MS);
  assert.deepEqual(storedMessages(fx, 'TimerStale', 0).map((m) => m.body.toString()), ['s0', 's2', 's4', 's6', 's8']);
  assert.deepEqual(storedMessages(fx, 'TimerStale', 1).map((m) => m.body.toString()), ['s1', 's3', 's5', 's7', 's9']);
});

test('3,000 timers with scattered due times arrive once each, in due-time order, none early', async () => {
  const start = Date.now() + 1500;
  // A fixed scramble (no randomness): due times spread over one second, sent out of order.
  const dues = Array.from({ length: 3000 }, (_, i) => start + ((i * 7919) % 1000));
  for (let i = 0; i < dues.length; i += 100) {
    await Promise.all(dues.slice(i, i + 100).map((due, k) =>
      fx.invoke(sendV2Request({ topic: 'TimerMany', body: `n${i + k}`, properties: { TIMER_DELIVER_MS: String(due) } }))));
  }
  const delivered = await deliveredAll('TimerMany', dues.length, start + 999);
  assert.equal(delivered.length, dues.length);
  assert.equal(new Set(delivered.map((m) => m.body.toString())).size, dues.length, 'no duplicates');
  let previous = 0;
  for (const message of delivered) {
    const due = Number(message.properties['TIMER_DELIVER_MS']);
    assert.ok(message.storeTimestamp >= due, `stored ${due - message.storeTimestamp} ms early`);
    assert.ok(due >= previous, 'queue order follows due times');
    previous = due;
  }
});
