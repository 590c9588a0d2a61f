import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleLogger, Deferred, ManualClock, MqError, errorCode } from '../../src/common';

test('MqError carries a permanent code, responseCode, retriable and cause', () => {
  const cause = new Error('inner');
  const err = new MqError('ERR_X', 'message', { responseCode: 14, retriable: true, cause });
  assert.equal(err.code, 'ERR_X');
  assert.equal(err.responseCode, 14);
  assert.equal(err.retriable, true);
  assert.equal(err.cause, cause);
  assert.ok(err instanceof Error);
  assert.equal(new MqError('ERR_Y', 'm').retriable, false);
  assert.equal(errorCode(err), 'ERR_X');
  assert.equal(errorCode(Object.assign(new Error('x'), { code: 'ENOSPC' })), 'ENOSPC');
  assert.equal(errorCode('nope'), undefined);
});

test('ManualClock fires timers in deadline order only when advanced, and cancels', () => {
  const clock = new ManualClock(100);
  const fired: string[] = [];
  clock.setTimer(() => fired.push('b'), 20);
  clock.setTimer(() => fired.push('a'), 10);
  const c = clock.setTimer(() => fired.push('c'), 15);
  c.cancel();
  clock.advance(9);
  assert.deepEqual(fired, []);
  clock.advance(11);
  assert.deepEqual(fired, ['a', 'b']);
  assert.equal(clock.now(), 120);
  assert.equal(clock.pendingTimers, 0);
});

test('ConsoleLogger.warnOnce reports a condition once until cleared', () => {
  const lines: unknown[][] = [];
  const sink = { info: (...a: unknown[]) => lines.push(a), warn: (...a: unknown[]) => lines.push(a), error: (...a: unknown[]) => lines.push(a) };
  const logger = new ConsoleLogger('t', sink);
  logger.warnOnce('disk', 'full');
  logger.warnOnce('disk', 'full');
  assert.deepEqual(lines, [['[t] full']]);
  logger.clear('disk');
  logger.warnOnce('disk', 'full');
  assert.equal(lines.length, 2);
});

test('Deferred exposes resolve', async () => {
  const d = new Deferred<number>();
  d.resolve(7);
  assert.equal(await d.promise, 7);
});
