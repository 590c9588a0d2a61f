import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidTopic, topicProblem } from '../../src/message';

test('RocketMQ topic rules', () => {
  for (const ok of ['TopicTest', '%RETRY%group_1', 'a|b', 'x-y_z', 'A'.repeat(127)]) assert.equal(topicProblem(ok), undefined, ok);
  assert.match(topicProblem('') ?? '', /empty/);
  assert.match(topicProblem('A'.repeat(128)) ?? '', /128 characters/);
  assert.match(topicProblem('bad topic') ?? '', /characters outside/);
  assert.match(topicProblem('t\u00e9') ?? '', /characters outside/);
  assert.match(topicProblem(5) ?? '', /string/);
  assert.equal(isValidTopic('ok'), true);
  assert.equal(isValidTopic('no/slash'), false);
});
