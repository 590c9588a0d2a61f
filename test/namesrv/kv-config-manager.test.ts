import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { errorCode } from '../../src/common';
import { KvConfigManager } from '../../src/namesrv';
import { withTempDir } from '../helpers/temp-dir';

test('KV entries survive a restart, in the Java file shape', async () => {
  await withTempDir('namesrv-kv', async (dir) => {
    const file = path.join(dir, 'namesrv', 'kvConfig.json');
    const kv = new KvConfigManager(file);
    kv.load();
    kv.put('ORDER_TOPIC_CONFIG', 'T1', 'broker-a:4');
    kv.put('ns2', 'k', 'v');
    kv.put('ns2', 'gone', 'x');
    kv.delete('ns2', 'gone');
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { configTable: { ORDER_TOPIC_CONFIG: { T1: 'broker-a:4' }, ns2: { k: 'v' } } });
    assert.equal(fs.existsSync(`${file}.tmp`), false);

    const restarted = new KvConfigManager(file);
    restarted.load();
    assert.equal(restarted.get('ORDER_TOPIC_CONFIG', 'T1'), 'broker-a:4');
    assert.equal(restarted.get('ns2', 'gone'), undefined);
    assert.deepEqual([...restarted.getKvListByNamespace('ns2')!], [['k', 'v']]);
    restarted.delete('ns2', 'k');
    assert.equal(restarted.getKvListByNamespace('ns2'), undefined);
  });
});

test('a missing file is an empty table', async () => {
  await withTempDir('namesrv-kv', async (dir) => {
    const kv = new KvConfigManager(path.join(dir, 'none.json'));
    kv.load();
    assert.equal(kv.getKvListByNamespace('x'), undefined);
  });
});

test('a corrupt file fails load with a clear error and is left untouched', async () => {
  await withTempDir('namesrv-kv', async (dir) => {
    const file = path.join(dir, 'kv.json');
    for (const text of ['{"configTable":', '{"other":{}}', '{"configTable":{"ns":{"k":1}}}']) {
      fs.writeFileSync(file, text);
      const kv = new KvConfigManager(file);
      assert.throws(() => kv.load(), (err) => errorCode(err) === 'ERR_INVALID_ARGUMENT' && (err as Error).message.includes(file));
      assert.equal(fs.readFileSync(file, 'utf8'), text);
    }
  });
});

test('a failed write leaves memory as it was', async () => {
  await withTempDir('namesrv-kv', async (dir) => {
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, 'x');
    const kv = new KvConfigManager(path.join(blocker, 'kv.json'));
    assert.throws(() => kv.put('ns', 'k', 'v'));
    assert.equal(kv.get('ns', 'k'), undefined);
  });
});
