import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { MqError } from '../../src/common';
import { createBrokerConfig, loadBrokerConfig, parseBrokerConf } from '../../src/broker';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

const VALID = `# a broker
brokerClusterName = ClusterX
brokerName=broker-b
brokerId=0
namesrvAddr=127.0.0.1:9876;10.0.0.2:9876
listenPort=10921
brokerIP1=10.0.0.9
storePathRootDir=/tmp/cometmq-conf-test
flushDiskType=SYNC_FLUSH
brokerRole=SYNC_MASTER
autoCreateTopicEnable=false
defaultTopicQueueNums=4
messageDelayLevel=1s 2s
maxMessageSize=65536
mappedFileSizeCommitLog=1048576
`;

test('broker.conf: values, defaults and store keys passed through', () => {
  const config = createBrokerConfig(parseBrokerConf(VALID));
  assert.equal(config.brokerClusterName, 'ClusterX');
  assert.equal(config.brokerName, 'broker-b');
  assert.deepEqual(config.namesrvAddrs, ['127.0.0.1:9876', '10.0.0.2:9876']);
  assert.equal(config.listenPort, 10921);
  assert.equal(config.brokerRole, 'SYNC_MASTER');
  assert.equal(config.autoCreateTopicEnable, false);
  assert.equal(config.defaultTopicQueueNums, 4);
  assert.equal(config.store.flushDiskType, 'SYNC_FLUSH');
  assert.equal(config.store.maxMessageSize, 65536);
  assert.equal(config.store.messageDelayLevel, '1s 2s');
  assert.equal(config.store.mappedFileSizeCommitLog, 1048576);
  assert.equal(config.store.storePathRootDir, '/tmp/cometmq-conf-test');

  const defaults = createBrokerConfig({ values: { storePathRootDir: '/tmp/x' } });
  assert.equal(defaults.listenPort, 10911);
  assert.equal(defaults.defaultTopicQueueNums, 8);
  assert.equal(defaults.autoCreateTopicEnable, true);
  assert.equal(defaults.brokerRole, 'ASYNC_MASTER');
  assert.deepEqual(defaults.namesrvAddrs, []);
  assert.equal(defaults.serverBusyPollMicros, 100, 'busy polling on by default');
  assert.equal(createBrokerConfig(parseBrokerConf('storePathRootDir=/tmp/x\nserverBusyPollMicros=0\n')).serverBusyPollMicros, 0, 'and 0 turns it off');
});

function expectError(text: string, pattern: RegExp): void {
  assert.throws(() => createBrokerConfig(parseBrokerConf(text, 'b.conf')), (err: unknown) => {
    assert.ok(err instanceof MqError);
    assert.equal(err.code, 'ERR_INVALID_ARGUMENT');
    assert.match(err.message, pattern);
    return true;
  });
}

test('broker.conf errors name the file, line and key', () => {
  const base = 'storePathRootDir=/tmp/x\n';
  expectError(`${base}listenPort=abc\n`, /b\.conf:2: listenPort must be a number/);
  expectError(`${base}listenPort=70000\n`, /b\.conf:2: listenPort must be an integer within 0\.\.65535/);
  expectError(`${base}brokerRole=LEADER\n`, /b\.conf:2: brokerRole must be one of/);
  expectError(`${base}autoCreateTopicEnable=yes\n`, /b\.conf:2: autoCreateTopicEnable must be true or false/);
  expectError(`${base}\n\nnoSuchKey=1\n`, /b\.conf:4: noSuchKey is not a known/);
  expectError(`${base}namesrvAddr=localhost\n`, /b\.conf:2: namesrvAddr has "localhost"/);
  expectError(`${base}flushDiskType=SOMETIMES\n`, /b\.conf:2: flushDiskType/);
  expectError(`${base}mappedFileSizeConsumeQueue=1001\n`, /b\.conf:2: mappedFileSizeConsumeQueue .*multiple of 20/);
  expectError(`${base}messageDelayLevel=1x\n`, /b\.conf:2: messageDelayLevel/);
  expectError(`${base}just text\n`, /b\.conf:2: just text is not a key=value line/);
  expectError(`${base}brokerName=a\nbrokerName=b\n`, /b\.conf:3: brokerName is set twice \(first on line 2\)/);
  expectError('brokerName=a\n', /storePathRootDir must be set/);
  expectError(`${base}brokerIP1=my-host\n`, /b\.conf:2: brokerIP1 must be an IPv4 or IPv6 address/);
  expectError(`${base}serverBusyPollMicros=-1\n`, /b\.conf:2: serverBusyPollMicros must be an integer within 0\.\.100000/);
});

test('loadBrokerConfig reads a file; a missing file is a clear error', () => {
  const dir = makeTempDir('broker-conf');
  try {
    const file = path.join(dir, 'broker.conf');
    fs.writeFileSync(file, VALID);
    assert.equal(loadBrokerConfig(file).brokerName, 'broker-b');
    assert.throws(() => loadBrokerConfig(path.join(dir, 'missing.conf')), /cannot read broker config .*missing\.conf/);
  } finally {
    removeTempDir(dir);
  }
});
