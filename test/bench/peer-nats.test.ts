import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { NatsTarget } from '../../src/bench/peers/nats-target';
import { findOnPath } from '../../src/bench/peers/peer-process';
import { waitFor } from '../broker/wait-for';
import { BenchResponseFailure } from '../../src/bench/target';
import { withTempDir } from '../helpers/temp-dir';
import { assertNotInstalledWithoutPath, processIsGone, receiveAll, sendThousand } from './peer-target-suite';

/** Asks the installed nats-server itself whether it knows sync_interval (independently of the target's probe). */
function serverKnowsSyncInterval(dir: string): boolean {
  const conf = path.join(dir, 'check.conf');
  fs.writeFileSync(conf, `jetstream { store_dir: ${JSON.stringify(path.join(dir, 'js'))}\n sync_interval: always }\n`);
  try {
    execFileSync(findOnPath('nats-server') ?? 'nats-server', ['-t', '-c', conf], { stdio: 'ignore' });
    return true;
  } catch {
    return false; // Rejected as an unknown field.
  }
}

for (const durability of ['sync', 'async'] as const) {
  test(`nats (${durability}): 1,000 messages sent sync, async and batched come back exactly once; file-storage stream; close stops the server`, async () => {
    await withTempDir('peer-nats', async (dir) => {
      const target = await NatsTarget.start({ durability, dataDir: dir });
      const pid = target.serverPid;
      try {
        await target.prepare(['BenchPeer'], 4);
        const config = await target.streamConfig('BenchPeer');
        assert.equal(config.storage, 'file');
        assert.deepEqual(config.subjects, ['BenchPeer']);
        if (durability === 'sync') {
          const expected = serverKnowsSyncInterval(dir) ? /sync_interval always/ : /cannot fsync every write/;
          assert.match(target.description, expected);
        } else {
          assert.match(target.description, /default sync/);
        }
        const sent = await sendThousand(target, 'BenchPeer');
        await receiveAll(target, 'BenchPeer', 'bench_group', sent);
      } finally {
        await target.close();
      }
      assert.ok(pid !== undefined && processIsGone(pid), 'nats-server exited');
      assert.ok(target.serverHasExited);
    });
  });
}

test('nats: one-way sends (core publishes) are still captured by the stream', async () => {
  await withTempDir('peer-nats-oneway', async (dir) => {
    const target = await NatsTarget.start({ durability: 'async', dataDir: dir });
    try {
      await target.prepare(['BenchOneway'], 1);
      const sender = await target.openSender();
      const bodies = Array.from({ length: 50 }, (_, i) => Buffer.from(`oneway-${i}`));
      await sender.send('BenchOneway', bodies, 'oneway');
      const receiver = await target.openReceiver('BenchOneway', 'g');
      const received: string[] = [];
      await receiver.start((group) => received.push(...group.map((b) => b.toString())));
      await waitFor(() => received.length >= bodies.length, 10_000);
      await receiver.close();
      await sender.close();
      assert.deepEqual(received.sort(), bodies.map((b) => b.toString()).sort());
    } finally {
      await target.close();
    }
  });
});

test('nats: a publish no stream captures (no JetStream answer: 503) is a BenchResponseFailure', async () => {
  await withTempDir('peer-nats-nostream', async (dir) => {
    const target = await NatsTarget.start({ durability: 'async', dataDir: dir });
    try {
      const sender = await target.openSender();
      await assert.rejects(sender.send('NoStreamHere', [Buffer.from('a')], 'sync'), BenchResponseFailure);
      await sender.close();
    } finally {
      await target.close();
    }
  });
});

test('nats: nats-server missing from PATH is PeerNotInstalled naming the package', async () => {
  await assertNotInstalledWithoutPath((dataDir) => NatsTarget.start({ durability: 'async', dataDir }), 'nats-server is not installed (apt-get install nats-server)');
});

test('nats: --peer-url attaches to a running server without starting another; closing it leaves the server up', async () => {
  await withTempDir('peer-nats-url', async (dir) => {
    const owner = await NatsTarget.start({ durability: 'async', dataDir: dir });
    try {
      const attached = await NatsTarget.start({ durability: 'async', dataDir: dir, peerUrl: `nats://${owner.server}` });
      assert.equal(attached.serverPid, undefined);
      assert.match(attached.description, /already running/);
      await attached.prepare(['BenchAttached'], 1);
      const sender = await attached.openSender();
      await sender.send('BenchAttached', [Buffer.from('a'), Buffer.from('b')], 'sync');
      await sender.close();
      await attached.close();
      assert.equal(owner.serverHasExited, false);
      assert.equal((await owner.streamConfig('BenchAttached')).storage, 'file');
    } finally {
      await owner.close();
    }
  });
});
