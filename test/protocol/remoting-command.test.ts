import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CURRENT_VERSION,
  FLAG_ONEWAY,
  FLAG_RESPONSE,
  RequestCode,
  ResponseCode,
  SerializeType,
  createRequest,
  createResponse,
  createResponseFor,
  isOneway,
  isResponse,
  isStoredSendCode,
} from '../../src/protocol';

test('createRequest: a JSON request with a modern version and opaque 0 until sent', () => {
  const body = Buffer.from('x');
  const request = createRequest(RequestCode.HEART_BEAT, { a: '1' }, body);
  assert.deepEqual(request, {
    code: 34, language: 'JAVA', version: CURRENT_VERSION, opaque: 0, flag: 0, remark: undefined,
    extFields: { a: '1' }, body, serializeTypeCurrentRPC: SerializeType.JSON,
  });
  assert.equal(isResponse(request), false);
  assert.equal(isOneway(request), false);
  request.flag |= FLAG_ONEWAY;
  assert.equal(isOneway(request), true);
});

test('createResponse / createResponseFor: response flag, remark, and the request\'s opaque and form', () => {
  const response = createResponse(ResponseCode.TOPIC_NOT_EXIST, 'no route');
  assert.equal(response.flag, FLAG_RESPONSE);
  assert.equal(isResponse(response), true);
  assert.equal(response.remark, 'no route');
  const request = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC);
  request.opaque = 99;
  request.serializeTypeCurrentRPC = SerializeType.ROCKETMQ;
  const answer = createResponseFor(request, ResponseCode.SUCCESS, undefined, { k: 'v' });
  assert.equal(answer.opaque, 99);
  assert.equal(answer.serializeTypeCurrentRPC, SerializeType.ROCKETMQ);
  assert.deepEqual(answer.extFields, { k: 'v' });
});

test('stored send codes: SUCCESS and the three "stored but" codes', () => {
  assert.deepEqual([0, 10, 11, 12].map(isStoredSendCode), [true, true, true, true]);
  assert.deepEqual([1, 2, 13, 14, 17].map(isStoredSendCode), [false, false, false, false, false]);
});
