/**
 * The lean parked-record reader agrees with the full record decoder: offsets, due times, store
 * times, and re-puts (destination, body, flag, born time and host, sysFlag, reconsume times,
 * properties without the bookkeeping) for timer records (fast and general paths), delay-level
 * records, IPv6 born hosts and records without a usable REAL_TOPIC / REAL_QID.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DELAY_DROPPED, forEachParked, parkedDue, parkedStoreTimestamp, reputOfParked } from '../../src/broker/timer/parked-record';
import { parkedProperties, TIMER_TOPIC } from '../../src/broker/timer/timer-message';
import { decodeProperties, decodeRecord, encodeRecord, type MessageToStore } from '../../src/message';

const STORE_HOST = { address: '10.0.0.9', port: 10911 };

/** Records back to back, as a getMessage result holds them. */
function records(messages: readonly MessageToStore[]): Buffer {
  const buf = Buffer.alloc(64 * 1024);
  let pos = 0;
  messages.forEach((msg, i) => {
    pos += encodeRecord(buf, pos, msg, STORE_HOST, { bodyCRC: 7, queueOffset: 100 + i, physicalOffset: pos, storeTimestamp: 5_000 + i });
  });
  return buf.subarray(0, pos);
}

const base = { body: Buffer.from('payload'), flag: 3, bornTimestamp: 1_234, bornHost: { address: '192.168.1.7', port: 4321 }, sysFlag: 0, reconsumeTimes: 2 };

test('timer records: offsets, due times and re-puts match the full decoder', () => {
  const buf = records([
    { ...base, topic: TIMER_TOPIC, queueId: 0, properties: parkedProperties({ TAGS: 'a', UNIQ_KEY: 'U1', TIMER_DELIVER_MS: '9000' }, { topic: 'Real', queueId: 5 }, 9_000) },
    { ...base, topic: TIMER_TOPIC, queueId: 0, properties: parkedProperties({ KEYS: 'k', TIMER_DELAY_SEC: '3' }, { topic: 'Other', queueId: 1 }, 12_000) },
    // Bookkeeping not first (another writer): the general path.
    { ...base, topic: TIMER_TOPIC, queueId: 0, bornHost: { address: '::1', port: 9 }, properties: { A: '1', REAL_TOPIC: 'Late', REAL_QID: '2', TIMER_OUT_MS: '15000', B: '2' } },
  ]);
  const seen: Array<[number, number, number]> = [];
  forEachParked(buf, (queueOffset, start, end) => {
    seen.push([queueOffset, parkedDue(buf, start, end), parkedStoreTimestamp(buf, start)]);
    const full = decodeRecord(buf, start, end);
    assert.equal(queueOffset, full.queueOffset);
    assert.equal(parkedStoreTimestamp(buf, start), full.storeTimestamp);
    const reput = reputOfParked(buf, start, end);
    assert.ok(reput !== undefined);
    assert.equal(reput.topic, full.properties['REAL_TOPIC']);
    assert.equal(reput.queueId, Number(full.properties['REAL_QID']));
    assert.deepEqual([reput.body.toString(), reput.flag, reput.bornTimestamp, reput.sysFlag, reput.reconsumeTimes],
      [full.body.toString(), full.flag, full.bornTimestamp, full.sysFlag, full.reconsumeTimes]);
    assert.deepEqual(reput.bornHost, full.bornHost);
    const expected = { ...full.properties };
    for (const name of ['REAL_TOPIC', 'REAL_QID', 'TIMER_OUT_MS', 'TIMER_DELAY_SEC', 'TIMER_DELAY_MS']) delete expected[name];
    assert.deepEqual(decodeProperties(reput.propertiesText ?? ''), expected);
  });
  assert.deepEqual(seen, [[100, 9_000, 5_000], [101, 12_000, 5_001], [102, 15_000, 5_002]]);
});

test('delay-level records drop DELAY, TIMER_DELIVER_MS and TIMER_DELAY_SEC and keep REAL_TOPIC / REAL_QID (as RocketMQ)', () => {
  const buf = records([{ ...base, topic: 'SCHEDULE_TOPIC_XXXX', queueId: 2, properties: { TAGS: 't', DELAY: '3', TIMER_DELIVER_MS: '1', REAL_TOPIC: 'R', REAL_QID: '0', U: 'v' } }]);
  forEachParked(buf, (_offset, start, end) => {
    const reput = reputOfParked(buf, start, end, DELAY_DROPPED);
    assert.equal(reput?.topic, 'R');
    assert.deepEqual(decodeProperties(reput?.propertiesText ?? ''), { TAGS: 't', REAL_TOPIC: 'R', REAL_QID: '0', U: 'v' });
  });
});

test('no usable REAL_TOPIC / REAL_QID: no re-put; no TIMER_OUT_MS: NaN due', () => {
  const buf = records([
    { ...base, topic: TIMER_TOPIC, queueId: 0, properties: { REAL_TOPIC: 'R', REAL_QID: 'x' } },
    { ...base, topic: TIMER_TOPIC, queueId: 0, properties: { REAL_QID: '1' } },
  ]);
  let count = 0;
  forEachParked(buf, (_offset, start, end) => {
    count++;
    assert.equal(reputOfParked(buf, start, end), undefined);
    assert.ok(Number.isNaN(parkedDue(buf, start, end)));
  });
  assert.equal(count, 2);
});
