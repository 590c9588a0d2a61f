// Power loss under SYNC_FLUSH, simulated for real: the store lives on ext4 on a loop device; at a
// random moment the image file becomes immutable (nothing more reaches the "disk", dirty page cache
// is lost, fdatasync fails), the image is copied as it is, the writer is killed, and the copy is
// mounted (journal replay) and opened. Every message acknowledged with PUT_OK, even one acknowledged after the cut,
// must be there intact. In the first round the writer keeps going on the dead disk until a put
// fails, so PUT_OK is shown to follow only successful flushes. Fails, never skips, when loop
// devices cannot be used (needs root, losetup, mkfs.ext4, and chattr on the temp dir's filesystem).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { HelperChild } from '../helpers/child-runner';
import type { CrashWriterConfig } from '../helpers/children/crash-writer';
import { reopenAndVerify } from '../helpers/crash-rounds';
import { LoopFilesystem } from '../helpers/loop-filesystem';
import { SeededRandom, testSeed } from '../helpers/seeded-random';
import type { Acknowledgement } from '../helpers/store-verification';
import { withTempDir } from '../helpers/temp-dir';

const ROUNDS = 3;
const IMAGE_BYTES = 64 * 1024 * 1024;
const IDS_PER_ROUND = 12 * 1_000_000; // a multiple of crash-writer's 12 slots

test(`SYNC_FLUSH: acknowledged messages survive a power cut (${ROUNDS} rounds, ext4 on a loop device)`, { timeout: 120_000 }, (t) =>
  withTempDir('power-loss', async (dir) => {
    const seed = testSeed();
    t.diagnostic(`seed ${seed} (replay with COMETMQ_TEST_SEED=${seed})`);
    const rnd = new SeededRandom(seed);
    let disk = LoopFilesystem.create(path.join(dir, 'disk-0.img'), IMAGE_BYTES, path.join(dir, 'mnt-0'));
    let acknowledged: Acknowledgement[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const storeRoot = path.join(disk.mountPoint, 'store');
        const cutAfter = rnd.int(100, 2000);
        const config: CrashWriterConfig = {
          storeRoot,
          flushDiskType: 'SYNC_FLUSH',
          segmentBytes: 1024 * 1024,
          transientStorePoolEnable: false,
          forceRetention: false,
          producers: 8,
          maxBatch: 16,
          firstId: (round + 1) * IDS_PER_ROUND,
          seed: rnd.int(0, 0x7fffffff),
          maxMessages: 20_000,
        };
        const child = HelperChild.spawn('crash-writer', config);
        let acks = 0;
        child.onMessage((m) => {
          if (m.type === 'ack') acks++;
        });
        const survivorImage = path.join(dir, `disk-${round + 1}.img`);
        try {
          await child.waitForType('ready');
          await child.waitFor(() => acks >= cutAfter, `${cutAfter} acks`, 60_000);
          disk.cutPower(survivorImage);
          if (round === 0) {
            // Keep the writer going on the dead disk until a put fails (fdatasync now reports
            // EIO): every PUT_OK it still sends must be for data that reached the disk before.
            const failure = await child.waitFor((m) => m.type === 'not-ok' || m.type === 'error', 'a failed put after the power cut', 30_000);
            t.diagnostic(`round 0: first failure after the cut: ${JSON.stringify(failure)}`);
          }
        } finally {
          await child.kill('SIGKILL');
        }
        // Acks that arrive after the cut count too: PUT_OK under SYNC_FLUSH promises the disk has it.
        const roundAcks = child.ofType('ack') as unknown as Acknowledgement[];
        acknowledged.push(...roundAcks);
        t.diagnostic(`round ${round}: power cut after ${cutAfter} acks; ${roundAcks.length} acks in all; writer ended by ${child.describeExit()}`);
        if (round > 0) assert.deepEqual(child.ofType('error'), [], `round ${round}: writer errors`);

        disk.destroy();
        fs.rmSync(disk.image);
        disk = LoopFilesystem.mount(survivorImage, path.join(dir, `mnt-${round + 1}`));
        const verified = await reopenAndVerify(path.join(disk.mountPoint, 'store'), acknowledged, {
          probeId: (round + 1) * IDS_PER_ROUND + IDS_PER_ROUND / 2,
          round,
          uncleanExit: true,
          mayLoseTail: false,
          retention: false,
          log: (line) => t.diagnostic(line),
        });
        acknowledged = [...verified.survivors, verified.probe];
      }
    } finally {
      disk.unmount();
    }
  }),
);
