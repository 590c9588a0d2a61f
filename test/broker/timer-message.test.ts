/** The timer send rules (broker side) and the SDK's Message timer fields, without a network. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveredTimerProperties, parkedProperties, timerDueTime } from '../../src/broker/timer/timer-message';
import { checkMessage, hasTimer, withTimerProperties } from '../../src/client/producer/message';
import { MqError } from '../../src/common';

const ON = { timerWheelEnable: true, timerMaxDelaySec: 60 };
const NOW = 1_700_000_000_000;

test('the due time comes from the first timer property present, relative ones from the broker clock', () => {
  assert.equal(timerDueTime({ TIMER_DELIVER_MS: String(NOW + 5) }, 0, NOW, ON), NOW + 5);
  assert.equal(timerDueTime({ TIMER_DELAY_SEC: '3' }, 0, NOW, ON), NOW + 3000);
  assert.equal(timerDueTime({ TIMER_DELAY_MS: '250' }, 0, NOW, ON), NOW + 250);
  assert.equal(timerDueTime({ TIMER_DELIVER_MS: String(NOW + 5), TIMER_DELAY_SEC: '9' }, 0, NOW, ON), NOW + 5);
  assert.equal(timerDueTime({ TIMER_DELAY_SEC: '-4' }, 0, NOW, ON), NOW - 4000, 'a past due time is allowed (delivered at once)');
  assert.equal(timerDueTime({}, 0, NOW, ON), undefined);
  assert.equal(timerDueTime({ TIMER_DELAY_SEC: '3', DELAY: '2' }, 0, NOW, ON), undefined, 'a delay level wins');
  assert.equal(timerDueTime({ TIMER_DELAY_SEC: '3' }, 0x4, NOW, ON), undefined, 'half messages are not timers');
});

test('bad values and the max delay are MESSAGE_ILLEGAL; a disabled wheel is SYSTEM_ERROR', () => {
  const fails = (properties: Record<string, string>, code: string, remark: RegExp, settings = ON): void => {
    assert.throws(() => timerDueTime(properties, 0, NOW, settings), (err: unknown) => err instanceof MqError && err.code === code && remark.test(err.message));
  };
  fails({ TIMER_DELAY_SEC: 'x' }, 'ERR_MESSAGE_ILLEGAL', /TIMER_DELAY_SEC must be an integer, got "x"/);
  fails({ TIMER_DELIVER_MS: '' }, 'ERR_MESSAGE_ILLEGAL', /TIMER_DELIVER_MS must be an integer/);
  fails({ TIMER_DELAY_MS: '12345678901234567890' }, 'ERR_MESSAGE_ILLEGAL', /TIMER_DELAY_MS/);
  fails({ TIMER_DELAY_SEC: '61' }, 'ERR_MESSAGE_ILLEGAL', /max delay 60000ms/);
  assert.equal(timerDueTime({ TIMER_DELAY_SEC: '60' }, 0, NOW, ON), NOW + 60_000, 'exactly the max is accepted');
  fails({ TIMER_DELAY_SEC: '1' }, 'ERR_SYSTEM_ERROR', /timerWheelEnable is false/, { ...ON, timerWheelEnable: false });
});

test('parking puts REAL_TOPIC / REAL_QID / TIMER_OUT_MS first (the message cannot spoof them); delivery removes them and the relative delays', () => {
  const properties = parkedProperties({ TIMER_DELAY_SEC: '3', TAGS: 'a', REAL_TOPIC: 'spoofed' }, { topic: 'T', queueId: 3 }, NOW);
  assert.deepEqual(Object.entries(properties), [['REAL_TOPIC', 'T'], ['REAL_QID', '3'], ['TIMER_OUT_MS', String(NOW)], ['TIMER_DELAY_SEC', '3'], ['TAGS', 'a']]);
  assert.deepEqual(deliveredTimerProperties(properties), { TAGS: 'a' });
  assert.deepEqual(deliveredTimerProperties({ TIMER_DELIVER_MS: '5', REAL_TOPIC: 'T', REAL_QID: '0', TIMER_OUT_MS: '5' }), { TIMER_DELIVER_MS: '5' });
});

test('SDK: deliverTimeMs / delayTimeSec / delayTimeMs become TIMER_* properties; bad combinations are refused', () => {
  const base = { topic: 'T', body: 'b' };
  assert.equal(hasTimer(base), false);
  assert.equal(withTimerProperties(base, undefined), undefined);
  assert.deepEqual(withTimerProperties({ ...base, deliverTimeMs: NOW }, { __SHARDINGKEY: 'k' }), { __SHARDINGKEY: 'k', TIMER_DELIVER_MS: String(NOW) });
  assert.deepEqual(withTimerProperties({ ...base, delayTimeSec: 10 }, undefined), { TIMER_DELAY_SEC: '10' });
  assert.deepEqual(withTimerProperties({ ...base, delayTimeMs: 1500 }, undefined), { TIMER_DELAY_MS: '1500' });
  checkMessage({ ...base, delayTimeMs: 0 }, 1024);
  const refused = (msg: Parameters<typeof checkMessage>[0], remark: RegExp): void => {
    assert.throws(() => checkMessage(msg, 1024), (err: unknown) => err instanceof MqError && err.code === 'ERR_MESSAGE_ILLEGAL' && remark.test(err.message));
  };
  refused({ ...base, delayTimeSec: 1, delayTimeMs: 5 }, /one of deliverTimeMs, delayTimeSec, delayTimeMs/);
  refused({ ...base, delayTimeSec: -1 }, /delayTimeSec must be a non-negative integer/);
  refused({ ...base, deliverTimeMs: 1.5 }, /deliverTimeMs must be a non-negative integer/);
  refused({ ...base, delayTimeMs: 100, delayTimeLevel: 2 }, /cannot be combined with delayTimeLevel/);
  refused({ ...base, properties: { TIMER_DELAY_SEC: '5' } }, /reserved/);
});
