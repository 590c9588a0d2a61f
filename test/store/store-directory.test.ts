import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../src/common';
import { NativeMessageStore } from '../../src/store';
import { onTestEnd, openStore, tempDir, tinyConfig } from './store-fixture';

test('a foreign file in the store directory gives a clear error naming it', async (t) => {
  for (const [sub, name] of [['commitlog', 'notes.txt'], ['', 'stray.bin']] as const) {
    const root = tempDir(t, 'foreign');
    fs.mkdirSync(path.join(root, 'commitlog'), { recursive: true });
    fs.writeFileSync(path.join(root, sub, name), 'not a segment');
    const store = new NativeMessageStore(tinyConfig(root), { logger: silentLogger });
    onTestEnd(t, () => store.shutdown());
    await assert.rejects(store.start(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_STORE_FOREIGN_FILE');
      assert.match(err.message, new RegExp(name.replace('.', '\\.')));
      return true;
    });
    assert.equal((await store.putMessage({ topic: 'T', queueId: 0, body: Buffer.alloc(1) })).status, 'SERVICE_NOT_AVAILABLE');
  }
});

test('a second store on the same directory fails with ERR_STORE_LOCKED, and opens after the first shuts down', async (t) => {
  const { store, root } = await openStore(t);
  const second = new NativeMessageStore(tinyConfig(root), { logger: silentLogger });
  onTestEnd(t, () => second.shutdown());
  await assert.rejects(second.start(), { code: 'ERR_STORE_LOCKED' });
  await store.shutdown();
  const third = new NativeMessageStore(tinyConfig(root), { logger: silentLogger });
  onTestEnd(t, () => third.shutdown());
  const report = await third.start();
  assert.equal(report.lastExitOK, true);
});

test('config errors surface from the constructor, naming the key', (t) => {
  assert.throws(
    () => new NativeMessageStore({ ...tinyConfig(tempDir(t)), mappedFileSizeConsumeQueue: 1001 }),
    { code: 'ERR_STORE_CONFIG_INVALID', key: 'mappedFileSizeConsumeQueue' },
  );
  assert.throws(() => new NativeMessageStore(tinyConfig(tempDir(t)), { addonPath: '/nonexistent/x.node' }), { code: 'ERR_ADDON_NOT_FOUND' });
});
