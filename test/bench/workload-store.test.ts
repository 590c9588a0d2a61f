/**
 * `cometmq bench store` as an operator runs it: appends through the store's public API in the
 * bench process (no broker); the count is checked by reopening the store afterwards.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { BenchResult } from '../../src/bench/bench-result';
import { NativeMessageStore } from '../../src/store';
import { runCometmqToEnd, type CliResult } from '../helpers/cometmq-cli';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

/** Small segments: the run creates and maps less, and still rolls over to a second segment. */
const SEGMENT = String(256 * 1024);

function cometmq(args: readonly string[]): Promise<CliResult> {
  return runCometmqToEnd(args, 60_000);
}

async function storedIn(dataDir: string, topic: string, queues: number): Promise<number> {
  const store = new NativeMessageStore({ storePathRootDir: dataDir, mappedFileSizeCommitLog: Number(SEGMENT) });
  await store.start();
  try {
    let stored = 0;
    for (let q = 0; q < queues; q++) stored += store.getMaxOffsetInQueue(topic, q) - store.getMinOffsetInQueue(topic, q);
    return stored;
  } finally {
    await store.shutdown();
  }
}

test('bench store: 2,000 appends in batches of 4 are 2,000 messages in the topic\'s queues', async () => {
  const dataDir = makeTempDir('bench-store-data');
  const outDir = makeTempDir('bench-store-out');
  try {
    const json = path.join(outDir, 'store.json');
    const out = await cometmq([
      'bench', 'store', '--messages', '2000', '--batch', '4', '--queues', '4', '--topic', 'WlStore', '--size', '256',
      '--data-dir', dataDir, '--set', `mappedFileSizeCommitLog=${SEGMENT}`, '--json', json,
    ]);
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(fs.readFileSync(json, 'utf8')) as BenchResult;
    assert.equal(result.kind, 'store');
    assert.equal(result.target, 'store');
    assert.equal(result.sent, 2000);
    assert.equal(result.latency.count, 500, 'one append round trip per batch');
    assert.equal(result.options['set.mappedFileSizeCommitLog'], SEGMENT);
    assert.match(out.stdout, /Latency, append round trip/);
    assert.equal(await storedIn(dataDir, 'WlStore', 4), 2000);
  } finally {
    removeTempDir(dataDir);
    removeTempDir(outDir);
  }
});

test('bench store --flush SYNC_FLUSH: every append is acknowledged after its flush, none lost', async () => {
  const dataDir = makeTempDir('bench-store-sync');
  try {
    const out = await cometmq(['bench', 'store', '--messages', '2000', '--flush', 'SYNC_FLUSH', '--threads', '8', '--topic', 'WlStoreSync', '--data-dir', dataDir, '--set', `mappedFileSizeCommitLog=${SEGMENT}`]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /SYNC_FLUSH/);
    assert.match(out.stdout, /\[Complete\] Send Total: 2,000 .* Send Failed: 0 {2}Response Failed: 0/);
    assert.equal(await storedIn(dataDir, 'WlStoreSync', 8), 2000);
  } finally {
    removeTempDir(dataDir);
  }
});
