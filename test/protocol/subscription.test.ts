import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MqError } from '../../src/common';
import { parseTagExpression, ResponseCode } from '../../src/protocol';

test("an SQL92 subscription gets Apache's answer for a broker without property filtering: SYSTEM_ERROR and its remark", () => {
  assert.throws(() => parseTagExpression('a is not null', 'SQL92'), (err: unknown) => {
    assert.ok(err instanceof MqError);
    assert.equal(err.responseCode, ResponseCode.SYSTEM_ERROR);
    assert.equal(err.message, 'The broker does not support consumer to filter message by SQL92');
    return true;
  });
});

test('other unknown expression types stay SUBSCRIPTION_PARSE_FAILED; TAG expressions parse into tags and Java hash codes', () => {
  assert.throws(() => parseTagExpression('x', 'BOGUS'), (err: unknown) => err instanceof MqError && err.responseCode === ResponseCode.SUBSCRIPTION_PARSE_FAILED);
  const filter = parseTagExpression(' TagA || TagB ', 'TAG');
  assert.deepEqual([...(filter.tags ?? [])], ['TagA', 'TagB']);
  assert.deepEqual(filter.codes, [2598919, 2598920]);
  assert.equal(parseTagExpression('*', undefined).tags, null);
});
