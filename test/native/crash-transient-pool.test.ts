// Crash with transientStorePoolEnable (ASYNC_FLUSH, appends go to off-heap buffers committed in the
// background): acknowledged messages not yet committed may be lost with the process, as in
// RocketMQ, but what survives is a hole-free prefix, intact, and the store stays consistent.
import { test } from 'node:test';
import { runCrashRounds } from '../helpers/crash-rounds';
import { testSeed } from '../helpers/seeded-random';

test('transient store pool: a SIGKILL loses at most the uncommitted tail, never the middle (4 rounds)', { timeout: 120_000 }, async (t) => {
  const seed = testSeed();
  t.diagnostic(`seed ${seed} (replay with COMETMQ_TEST_SEED=${seed})`);
  await runCrashRounds({
    flushDiskType: 'ASYNC_FLUSH',
    transientStorePoolEnable: true,
    rounds: 4,
    seed,
    minAcksBeforeKill: 50,
    maxAcksBeforeKill: 3000,
    log: (line) => t.diagnostic(line),
  });
});
