import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir';
import { startCluster, waitFor, type ClusterFixture } from './cluster-fixture';

let cluster: ClusterFixture;
let dir: string;

before(async () => {
  cluster = await startCluster({ messageDelayLevel: '1s 1s 1s' });
  dir = makeTempDir('listener-module');
});

after(async () => {
  await cluster.close();
  removeTempDir(dir);
});

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

test('a listener given as a module path runs on worker threads; offsets commit after its results', async () => {
  await cluster.createTopic('PushWorker', 2);
  const out = join(dir, 'consumed.txt');
  const modulePath = join(dir, 'listener.js');
  // Records its thread id and the body; fails "odd" once so the retry path runs through the pool too.
  writeFileSync(modulePath, `
    const { appendFileSync } = require('node:fs');
    const { threadId, isMainThread } = require('node:worker_threads');
    exports.consume = async (messages) => {
      for (const m of messages) {
        if (m.body.toString() === 'odd' && m.reconsumeTimes === 0) return 'RECONSUME_LATER';
        appendFileSync(${JSON.stringify(out)}, [isMainThread ? 'main' : 'worker' + threadId, m.topic, m.body.toString()].join(' ') + '\\n');
      }
      return 'CONSUME_SUCCESS';
    };
  `);
  const c = new PushConsumer({ groupName: 'G_worker', namesrvAddr: cluster.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', consumeThreadMin: 1, consumeThreadMax: 2 });
  c.subscribe('PushWorker', '*');
  c.registerListener(modulePath);
  await c.start();
  for (let i = 0; i < 10; i++) await cluster.send('PushWorker', `w${i}`, i % 2);
  await cluster.send('PushWorker', 'odd', 0);
  await waitFor(() => lines(out).length >= 11, 20_000);
  await c.shutdown();
  const consumed = lines(out).map((l) => l.split(' '));
  assert.ok(consumed.every(([thread]) => thread?.startsWith('worker')), 'ran off the main thread');
  assert.ok(consumed.every(([, topic]) => topic === 'PushWorker'));
  assert.deepEqual(consumed.map(([, , body]) => body).sort(), [...Array.from({ length: 10 }, (_, i) => `w${i}`), 'odd'].sort());
  assert.equal(await cluster.committedOffset('G_worker', 'PushWorker', 0), 6);
  assert.equal(await cluster.committedOffset('G_worker', 'PushWorker', 1), 5);
});

test('a relative module path is refused when registered', () => {
  const c = new PushConsumer({ groupName: 'G_relative', namesrvAddr: cluster.namesrvAddr });
  assert.throws(() => c.registerListener('./listener.js'), { code: 'ERR_INVALID_ARGUMENT' });
});
