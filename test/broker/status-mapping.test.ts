import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapGetStatus, mapPutStatus } from '../../src/broker';
import { ResponseCode } from '../../src/protocol';
import { GET_STATUSES, PUT_STATUSES, isStored } from '../../src/store';

const WIRE_CODES = new Set<number>(Object.values(ResponseCode));
const normal = { isDiskFull: false, diskUsageRatio: 0.5 };

test('every PutStatus maps to a wire code; stored statuses map to stored codes', () => {
  for (const status of PUT_STATUSES) {
    const mapped = mapPutStatus(status, normal);
    assert.ok(WIRE_CODES.has(mapped.code), `${status} -> ${mapped.code}`);
    const isStoredCode = [ResponseCode.SUCCESS, ResponseCode.FLUSH_DISK_TIMEOUT, ResponseCode.FLUSH_SLAVE_TIMEOUT, ResponseCode.SLAVE_NOT_AVAILABLE].includes(mapped.code as 0);
    assert.equal(isStoredCode, isStored(status), status);
  }
  assert.equal(mapPutStatus('PUT_OK', normal).code, ResponseCode.SUCCESS);
  assert.equal(mapPutStatus('FLUSH_DISK_TIMEOUT', normal).code, ResponseCode.FLUSH_DISK_TIMEOUT);
  assert.equal(mapPutStatus('MESSAGE_ILLEGAL', normal).code, ResponseCode.MESSAGE_ILLEGAL);
  assert.equal(mapPutStatus('PROPERTIES_SIZE_EXCEEDED', normal).code, ResponseCode.MESSAGE_ILLEGAL);
  assert.equal(mapPutStatus('OS_PAGE_CACHE_BUSY', normal).code, ResponseCode.SYSTEM_BUSY);
  const full = mapPutStatus('SERVICE_NOT_AVAILABLE', { isDiskFull: true, diskUsageRatio: 0.967 });
  assert.equal(full.code, ResponseCode.SERVICE_NOT_AVAILABLE);
  assert.match(full.remark ?? '', /maybe disk full, CL: 0\.97/);
});

test('every GetStatus maps to a pull code', () => {
  const expected: Record<string, number> = {
    FOUND: ResponseCode.SUCCESS,
    NO_MATCHED_MESSAGE: ResponseCode.PULL_RETRY_IMMEDIATELY,
    MESSAGE_WAS_REMOVING: ResponseCode.PULL_RETRY_IMMEDIATELY,
    OFFSET_FOUND_NULL: ResponseCode.PULL_NOT_FOUND,
    OFFSET_OVERFLOW_BADLY: ResponseCode.PULL_OFFSET_MOVED,
    OFFSET_OVERFLOW_ONE: ResponseCode.PULL_NOT_FOUND,
    OFFSET_TOO_SMALL: ResponseCode.PULL_OFFSET_MOVED,
    NO_MATCHED_LOGIC_QUEUE: ResponseCode.PULL_NOT_FOUND,
    NO_MESSAGE_IN_QUEUE: ResponseCode.PULL_NOT_FOUND,
  };
  assert.deepEqual(new Set(Object.keys(expected)), new Set(GET_STATUSES));
  for (const status of GET_STATUSES) {
    const mapped = mapGetStatus(status, 0);
    assert.equal(mapped.code, expected[status], status);
    assert.equal(mapped.remark, status);
  }
  assert.equal(mapGetStatus('NO_MESSAGE_IN_QUEUE', 5).code, ResponseCode.PULL_OFFSET_MOVED, 'a non-zero offset into an empty queue was moved');
  assert.equal(mapGetStatus('NO_MATCHED_LOGIC_QUEUE', 5).code, ResponseCode.PULL_OFFSET_MOVED);
});
