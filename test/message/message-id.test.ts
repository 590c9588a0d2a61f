import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOffsetMessageId, decodeOffsetMessageId, formatIpAddress, parseIpAddress } from '../../src/message';

test('IPv4 offset message id is 32 upper-case hex characters: ip, port, offset', () => {
  const id = createOffsetMessageId({ address: '10.0.0.1', port: 10911 }, 0x1_2345_6789);
  assert.equal(id, '0A000001' + '00002A9F' + '0000000123456789');
  assert.deepEqual(decodeOffsetMessageId(id), { storeHost: { address: '10.0.0.1', port: 10911 }, physicalOffset: 0x1_2345_6789 });
});

test('IPv6 offset message id is 56 characters and decodes back', () => {
  const storeHost = { address: '2001:db8::1', port: 8080 };
  const offset = 2 ** 52 + 3;
  const id = createOffsetMessageId(storeHost, offset);
  assert.equal(id.length, 56);
  assert.equal(id, id.toUpperCase());
  assert.deepEqual(decodeOffsetMessageId(id), { storeHost, physicalOffset: offset });
  assert.deepEqual(decodeOffsetMessageId(id.toLowerCase()).physicalOffset, offset);
});

test('bad message ids and offsets are refused', () => {
  assert.throws(() => decodeOffsetMessageId('XYZ'), { code: 'ERR_INVALID_MESSAGE_ID' });
  assert.throws(() => decodeOffsetMessageId('0'.repeat(33)), { code: 'ERR_INVALID_MESSAGE_ID' });
  assert.throws(() => decodeOffsetMessageId('G'.repeat(32)), { code: 'ERR_INVALID_MESSAGE_ID' });
  assert.throws(() => createOffsetMessageId({ address: '1.2.3.4', port: 1 }, -1), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => createOffsetMessageId({ address: 'host.example', port: 1 }, 1), { code: 'ERR_INVALID_ADDRESS' });
});

test('IP literals parse and format canonically', () => {
  for (const literal of ['0.0.0.0', '255.255.255.255', '::', '::1', '2001:db8::8:800:200c:417a', 'fe80::1:0:0:1', '1:2:3:4:5:6:7:8', '::ffff:c000:280']) {
    assert.equal(formatIpAddress(parseIpAddress(literal)), literal);
  }
  assert.equal(formatIpAddress(parseIpAddress('2001:DB8:0:0:0:0:0:1')), '2001:db8::1');
  assert.equal(formatIpAddress(parseIpAddress('::ffff:192.0.2.128')), '::ffff:c000:280');
  for (const bad of ['1.2.3', '256.1.1.1', '1::2::3', '12345::', 'a.b.c.d', '1:2:3:4:5:6:7:8:9']) {
    assert.throws(() => parseIpAddress(bad), { code: 'ERR_INVALID_ADDRESS' }, bad);
  }
});
