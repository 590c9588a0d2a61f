import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PutMessageResult } from '../../src/store';
import { DispatcherWake } from '../../src/store/dispatcher-wake';
import { nextTurn, recordingBatcher } from './batcher-fixture';

test('putMessageTo tells its completion once: a refused message at once, a stored one after the turn\'s crossing', async () => {
  const calls: string[] = [];
  const batcher = recordingBatcher(calls, new DispatcherWake(() => {}, (err) => assert.fail(String(err))));
  const told: Array<[string, PutMessageResult]> = [];
  const completion = (name: string) => ({ putDone: (result: PutMessageResult) => told.push([name, result]) });

  batcher.putMessageTo({ topic: '', queueId: 0, body: Buffer.from('x') }, completion('no topic'));
  assert.equal(told.length, 1, 'refused before it was encoded: told at once');
  assert.equal(told[0]?.[1].status, 'MESSAGE_ILLEGAL');

  batcher.putMessageTo({ topic: 'Told', queueId: 0, body: Buffer.from('a') }, completion('a'));
  batcher.putMessageTo({ topic: 'Told', queueId: 0, body: Buffer.from('b') }, completion('b'));
  assert.equal(told.length, 1, 'nothing stored before the end of the turn');
  await nextTurn();
  assert.deepEqual(calls, ['append 2 wakeDispatcher=false']);
  assert.deepEqual(told.slice(1).map(([name, r]) => `${name} ${r.status}`), ['a PUT_OK', 'b PUT_OK']);
  const [a, b] = [told[1]![1], told[2]![1]];
  assert.equal(b.physicalOffset, a.physicalOffset + a.wroteBytes, 'consecutive records');
  await nextTurn();
  assert.equal(told.length, 3, 'each completion is told once');
});
