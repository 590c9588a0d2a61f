import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { errorCode } from '../../src/common';
import { createNamesrvConfig } from '../../src/namesrv';

test('defaults are RocketMQ defaults and the result is frozen', () => {
  const config = createNamesrvConfig({ rocketmqHome: '/srv/mq' });
  assert.equal(config.listenPort, 9876);
  assert.equal(config.scanNotActiveBrokerIntervalMs, 10_000);
  assert.equal(config.brokerChannelExpiredMs, 120_000);
  assert.equal(config.kvConfigPath, path.join('/srv/mq', 'namesrv', 'kvConfig.json'));
  assert.equal(config.orderMessageEnable, false);
  assert.ok(Object.isFrozen(config));
});

test('bad values are rejected with an error naming the key', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ rocketmqHome: '' }, 'rocketmqHome'],
    [{ rocketmqHome: '/x', listenPort: 70000 }, 'listenPort'],
    [{ rocketmqHome: '/x', listenPort: '9876' }, 'listenPort'],
    [{ rocketmqHome: '/x', scanNotActiveBrokerIntervalMs: 0 }, 'scanNotActiveBrokerIntervalMs'],
    [{ rocketmqHome: '/x', brokerChannelExpiredMs: 1.5 }, 'brokerChannelExpiredMs'],
    [{ rocketmqHome: '/x', orderMessageEnable: 'yes' }, 'orderMessageEnable'],
    [{ rocketmqHome: '/x', listenPrt: 1 }, 'listenPrt'],
  ];
  for (const [input, key] of cases) {
    assert.throws(() => createNamesrvConfig(input as never),
      (err) => errorCode(err) === 'ERR_INVALID_ARGUMENT' && (err as Error).message.includes(key), key);
  }
});
