import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_STORE_CONFIG, StoreConfigError, createStoreConfig, parseDelayLevels, parseDeleteWhen } from '../../src/store';

test('defaults are RocketMQ defaults and the result is frozen', () => {
  const config = createStoreConfig({ storePathRootDir: '/tmp/x' });
  assert.equal(config.mappedFileSizeCommitLog, 1024 * 1024 * 1024);
  assert.equal(config.mappedFileSizeConsumeQueue, 6_000_000);
  assert.equal(config.maxMessageSize, 4 * 1024 * 1024);
  assert.equal(config.flushDiskType, 'ASYNC_FLUSH');
  assert.equal(config.syncFlushTimeout, 5000);
  assert.equal(config.fileReservedTime, 72);
  assert.equal(config.deleteWhen, '04');
  assert.equal(config.diskSpaceWarningLevelRatio, 90);
  assert.equal(config.maxTransferCountOnMessageInMemory, 32);
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(DEFAULT_STORE_CONFIG));
});

function rejects(input: Record<string, unknown>, key: string): void {
  assert.throws(
    () => createStoreConfig({ storePathRootDir: '/tmp/x', ...input } as never),
    (err: unknown) => err instanceof StoreConfigError && err.code === 'ERR_STORE_CONFIG_INVALID' && err.key === key && err.message.includes(key),
    `${JSON.stringify(input)} should be rejected naming ${key}`,
  );
}

test('bad values are rejected with an error naming the key', () => {
  rejects({ mappedFileSizeConsumeQueue: 1000 * 20 + 1 }, 'mappedFileSizeConsumeQueue');
  rejects({ mappedFileSizeCommitLog: -1 }, 'mappedFileSizeCommitLog');
  rejects({ mappedFileSizeCommitLog: 1.5 }, 'mappedFileSizeCommitLog');
  rejects({ maxMessageSize: '4M' }, 'maxMessageSize');
  rejects({ flushDiskType: 'SOMETIMES' }, 'flushDiskType');
  rejects({ transientStorePoolEnable: true, flushDiskType: 'SYNC_FLUSH' }, 'transientStorePoolEnable');
  rejects({ messageIndexEnable: 1 }, 'messageIndexEnable');
  rejects({ diskSpaceWarningLevelRatio: 120 }, 'diskSpaceWarningLevelRatio');
  rejects({ deleteWhen: '25' }, 'deleteWhen');
  rejects({ messageDelayLevel: '1s 5x' }, 'messageDelayLevel');
  rejects({ syncFlushTimeout: 0 }, 'syncFlushTimeout');
  rejects({ storePathRootDir: '' }, 'storePathRootDir');
  rejects({ flushIntervallCommitLog: 5 }, 'flushIntervallCommitLog');
});

test('valid overrides are taken, transient pool with ASYNC_FLUSH is allowed', () => {
  const config = createStoreConfig({
    storePathRootDir: '/tmp/x',
    mappedFileSizeCommitLog: 1 << 20,
    mappedFileSizeConsumeQueue: 20 * 64,
    transientStorePoolEnable: true,
    deleteWhen: '04;16',
  });
  assert.equal(config.mappedFileSizeCommitLog, 1 << 20);
  assert.equal(config.transientStorePoolEnable, true);
});

test('delay levels and delete hours parse', () => {
  assert.deepEqual(parseDelayLevels('1s 5s 2m 1h 1d'), [1000, 5000, 120_000, 3_600_000, 86_400_000]);
  assert.equal(parseDelayLevels(DEFAULT_STORE_CONFIG.messageDelayLevel).length, 18);
  assert.deepEqual(parseDeleteWhen('04;16'), [4, 16]);
});
