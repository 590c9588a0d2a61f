import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import Redis from 'ioredis';
import { RedisTarget } from '../../src/bench/peers/redis-target';
import { BenchResponseFailure, UnsupportedBenchOption } from '../../src/bench/target';
import { withTempDir } from '../helpers/temp-dir';
import { assertNotInstalledWithoutPath, processIsGone, receiveAll, sendThousand } from './peer-target-suite';

async function configValue(target: RedisTarget, name: string): Promise<string | undefined> {
  const client = new Redis({ host: target.host, port: target.port, lazyConnect: true });
  await client.connect();
  try {
    return ((await client.config('GET', name)) as string[])[1];
  } finally {
    client.disconnect();
  }
}

for (const [durability, fsync] of [['sync', 'always'], ['async', 'everysec']] as const) {
  test(`redis (${durability}): 1,000 messages sent sync, async and batched come back exactly once; appendfsync ${fsync}; close stops the server`, async () => {
    await withTempDir('peer-redis', async (dir) => {
      const target = await RedisTarget.start({ durability, dataDir: dir });
      const pid = target.serverPid;
      try {
        assert.equal(await configValue(target, 'appendonly'), 'yes');
        assert.equal(await configValue(target, 'appendfsync'), fsync);
        assert.match(target.description, new RegExp(`appendfsync ${fsync}`));
        await target.prepare(['BenchPeer'], 4);
        const sent = await sendThousand(target, 'BenchPeer');
        await receiveAll(target, 'BenchPeer', 'bench_group', sent);
      } finally {
        await target.close();
      }
      assert.ok(pid !== undefined && processIsGone(pid), 'redis-server exited');
      assert.ok(target.serverHasExited);
    });
  });
}

test('redis: a one-way send is refused as an unsupported option, and nothing is stored', async () => {
  await withTempDir('peer-redis-oneway', async (dir) => {
    const target = await RedisTarget.start({ durability: 'async', dataDir: dir });
    try {
      const sender = await target.openSender();
      await assert.rejects(sender.send('BenchOneway', [Buffer.from('x')], 'oneway'), UnsupportedBenchOption);
      await sender.close();
      const client = new Redis({ host: target.host, port: target.port, lazyConnect: true });
      await client.connect();
      assert.equal(await client.exists('BenchOneway'), 0);
      client.disconnect();
    } finally {
      await target.close();
    }
  });
});

test('redis: an error reply (XADD to a key that holds a string) is a BenchResponseFailure', async () => {
  await withTempDir('peer-redis-wrongtype', async (dir) => {
    const target = await RedisTarget.start({ durability: 'async', dataDir: dir });
    try {
      const client = new Redis({ host: target.host, port: target.port, lazyConnect: true });
      await client.connect();
      await client.set('NotAStream', 'x');
      client.disconnect();
      const sender = await target.openSender();
      await assert.rejects(sender.send('NotAStream', [Buffer.from('a')], 'sync'), BenchResponseFailure);
      await assert.rejects(sender.send('NotAStream', [Buffer.from('a'), Buffer.from('b')], 'sync'), BenchResponseFailure);
      await sender.close();
    } finally {
      await target.close();
    }
  });
});

test('redis: redis-server missing from PATH is PeerNotInstalled naming the package', async () => {
  await assertNotInstalledWithoutPath((dataDir) => RedisTarget.start({ durability: 'async', dataDir }), 'redis-server is not installed (apt-get install redis-server)');
});

test('redis: --peer-url attaches to a running server without starting another and reports its fsync setting', async () => {
  await withTempDir('peer-redis-url', async (dir) => {
    const owner = await RedisTarget.start({ durability: 'sync', dataDir: dir });
    try {
      const attached = await RedisTarget.start({ durability: 'async', dataDir: dir, peerUrl: `redis://127.0.0.1:${owner.port}` });
      assert.equal(attached.serverPid, undefined);
      assert.match(attached.description, /appendfsync always, not changed/);
      await attached.prepare(['BenchAttached'], 1);
      const sender = await attached.openSender();
      await sender.send('BenchAttached', [Buffer.from('a'), Buffer.from('b')], 'sync');
      await sender.close();
      await attached.close();
      assert.equal(owner.serverHasExited, false, 'closing the attached target leaves the server running');
    } finally {
      await owner.close();
    }
  });
});
