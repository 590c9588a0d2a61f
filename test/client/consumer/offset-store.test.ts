import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MessageQueue } from '../../../src/client/consumer/consumer-types';
import { LocalFileOffsetStore } from '../../../src/client/consumer/offset-store';
import { withTempDir } from '../../helpers/temp-dir';

test('LocalFileOffsetStore: written atomically, read back by a new instance, increase-only updates', async () => {
  await withTempDir('offsets', async (dir) => {
    const mq: MessageQueue = { topic: 'T', brokerName: 'b', queueId: 3 };
    const store = new LocalFileOffsetStore(dir, 'inst', 'G/odd name');
    await store.load();
    assert.equal(await store.read(mq), -1);
    store.update(mq, 10, true);
    store.update(mq, 7, true);
    assert.equal(await store.read(mq), 10, 'increase-only keeps the higher value');
    store.update(mq, 7, false);
    assert.equal(await store.read(mq), 7);
    await store.persistAll();
    assert.ok(existsSync(store.file));
    assert.equal(existsSync(`${store.file}.tmp`), false);
    assert.match(readFileSync(store.file, 'utf8'), /"offset": 7/);

    const reopened = new LocalFileOffsetStore(dir, 'inst', 'G/odd name');
    await reopened.load();
    assert.equal(await reopened.read(mq), 7);
    const other = new LocalFileOffsetStore(dir, 'other', 'G/odd name');
    await other.load();
    assert.equal(await other.read(mq), -1, 'each instance has its own file');
  });
});

test('LocalFileOffsetStore: a failed save rejects persistAll, and the next one succeeds', async () => {
  await withTempDir('offsets-fail', async (dir) => {
    const mq: MessageQueue = { topic: 'T', brokerName: 'b', queueId: 0 };
    writeFileSync(join(dir, 'inst'), 'a file where the instance directory should be');
    const store = new LocalFileOffsetStore(dir, 'inst', 'G');
    store.update(mq, 5, false);
    await assert.rejects(store.persistAll(), /EEXIST|ENOTDIR/);
    rmSync(join(dir, 'inst'));
    await store.persistAll();
    assert.match(readFileSync(store.file, 'utf8'), /"offset": 5/);
  });
});
