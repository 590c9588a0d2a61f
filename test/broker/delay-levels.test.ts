/**
 * Delay levels over a real broker with short levels ("1s 2s 3s"): the DELAY property parks a
 * message in SCHEDULE_TOPIC_XXXX queue level-1 with REAL_TOPIC / REAL_QID, capped at the highest
 * level, delivered once when due with its own properties back (no DELAY); pending messages survive
 * a graceful restart, and a restart from cursors older than the deliveries (what a kill -9 leaves)
 * delivers nothing twice.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { MessageExt } from '../../src/message';
import { ResponseCode } from '../../src/protocol';
import { DEFAULT_STORE_CONFIG, parseDelayLevels } from '../../src/store';
import { pollUntil } from '../interop/cometmq-processes';
import { sendV2Request, startBroker, storedMessages, type BrokerFixture } from './broker-fixture';

const WAIT_MS = 15_000;
const LEVELS = { messageDelayLevel: '1s 2s 3s', flushConsumerOffsetInterval: 100 };
let fx: BrokerFixture;

before(async () => {
  fx = await startBroker(undefined, LEVELS);
});

after(async () => {
  await fx.close();
});

function savedCursor(level: number): number {
  const file = `${fx.dir}/config/delayOffset.json`;
  if (!fs.existsSync(file)) return 0;
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { offsetTable: Record<string, number> }).offsetTable[String(level)] ?? 0;
}

async function untilCount(topic: string, count: number, queueId = 0): Promise<MessageExt[]> {
  await pollUntil(`${count} messages in ${topic}`, () => storedMessages(fx, topic, queueId).length >= count, WAIT_MS);
  return storedMessages(fx, topic, queueId);
}

test('the default messageDelayLevel is the 18 RocketMQ levels', () => {
  const s = 1000;
  const m = 60 * s;
  assert.deepEqual(parseDelayLevels(DEFAULT_STORE_CONFIG.messageDelayLevel),
    [s, 5 * s, 10 * s, 30 * s, m, 2 * m, 3 * m, 4 * m, 5 * m, 6 * m, 7 * m, 8 * m, 9 * m, 10 * m, 20 * m, 30 * m, 60 * m, 120 * m]);
});

test('DELAY parks the message in SCHEDULE_TOPIC_XXXX queue level-1, then delivers it once with its properties restored', async () => {
  const response = await fx.invoke(sendV2Request({
    topic: 'DelayLevels', body: 'two', queueId: 2, tags: 'TG', properties: { DELAY: '2', KEYS: 'k1', UNIQ_KEY: 'U2', USER: 'v' },
  }));
  assert.equal(response.code, ResponseCode.SUCCESS);
  await fx.dispatched();
  const parked = storedMessages(fx, 'SCHEDULE_TOPIC_XXXX', 1).filter((m) => m.properties['REAL_TOPIC'] === 'DelayLevels');
  assert.equal(parked.length, 1);
  assert.equal(parked[0]?.properties['REAL_QID'], '2');
  assert.equal(parked[0]?.properties['DELAY'], '2');
  assert.equal(storedMessages(fx, 'DelayLevels', 2).length, 0);

  const [delivered] = await untilCount('DelayLevels', 1, 2);
  assert.ok(delivered !== undefined);
  assert.ok(delivered.storeTimestamp >= (parked[0]?.storeTimestamp ?? 0) + 2000, 'not before the level delay');
  assert.equal(delivered.body.toString(), 'two');
  assert.equal(delivered.tags, 'TG');
  assert.equal(delivered.keys, 'k1');
  assert.equal(delivered.properties['USER'], 'v');
  assert.equal(delivered.properties['UNIQ_KEY'], 'U2');
  assert.equal(delivered.properties['DELAY'], undefined, 'DELAY is dropped on delivery');
  // RocketMQ's scheduler leaves REAL_TOPIC / REAL_QID on the delivered copy; clients rely on it.
  assert.equal(delivered.properties['REAL_TOPIC'], delivered.topic, 'REAL_TOPIC names where it was delivered');
  assert.equal(delivered.properties['REAL_QID'], String(delivered.queueId), 'REAL_QID names its queue');
  await pollUntil('the level 2 cursor saved', () => savedCursor(2) >= 1, WAIT_MS);
  assert.equal(storedMessages(fx, 'DelayLevels', 2).length, 1, 'delivered once');
});

test('a level above the highest is capped to it', async () => {
  await fx.invoke(sendV2Request({ topic: 'DelayCapped', body: 'c', properties: { DELAY: '17' } }));
  await fx.dispatched();
  const parked = storedMessages(fx, 'SCHEDULE_TOPIC_XXXX', 2).filter((m) => m.properties['REAL_TOPIC'] === 'DelayCapped');
  assert.equal(parked.length, 1);
  assert.equal(parked[0]?.properties['DELAY'], '3');
  const [delivered] = await untilCount('DelayCapped', 1);
  assert.ok((delivered?.storeTimestamp ?? 0) >= (parked[0]?.storeTimestamp ?? 0) + 3000);
});

test('messages pending at a graceful restart are delivered once after it', async () => {
  for (let i = 0; i < 10; i++) await fx.invoke(sendV2Request({ topic: 'DelayRestart', body: `p${i}`, properties: { DELAY: '1' } }));
  const dir = fx.dir;
  await fx.close(false);
  fx = await startBroker(dir, LEVELS);
  const delivered = await untilCount('DelayRestart', 10);
  await pollUntil('the level 1 cursor past them', () => savedCursor(1) >= 10, WAIT_MS);
  assert.deepEqual(storedMessages(fx, 'DelayRestart').map((m) => m.body.toString()), Array.from({ length: 10 }, (_, i) => `p${i}`));
  assert.equal(delivered.length, 10);
});

test('a restart from cursors saved before the deliveries (as a kill -9 leaves them) delivers nothing twice', async () => {
  const dir = fx.dir;
  const file = `${dir}/config/delayOffset.json`;
  const level1Before = savedCursor(1);
  for (let i = 0; i < 5; i++) await fx.invoke(sendV2Request({ topic: 'DelayStale', body: `s${i}`, properties: { DELAY: '1' } }));
  await fx.close(false);
  const stale = fs.readFileSync(file, 'utf8');
  fx = await startBroker(dir, LEVELS);
  await untilCount('DelayStale', 5);
  await pollUntil('the level 1 cursor past them', () => savedCursor(1) >= level1Before + 5, WAIT_MS);
  await fx.close(false);
  // Put back the cursors from before the deliveries, as if the broker had died right after them.
  fs.writeFileSync(file, stale);
  fs.rmSync(`${file}.bak`, { force: true });
  fx = await startBroker(dir, LEVELS);
  await pollUntil('recovery saving the cursors past the copies it found', () => savedCursor(1) >= level1Before + 5, WAIT_MS);
  assert.deepEqual(storedMessages(fx, 'DelayStale').map((m) => m.body.toString()), ['s0', 's1', 's2', 's3', 's4']);
});
