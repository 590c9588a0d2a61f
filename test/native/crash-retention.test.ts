// Crash while retention deletes the oldest segments under a running writer (disk usage reported at
// 87%, so flushed segments go as soon as they may): after each SIGKILL the store reopens with
// every acknowledged message at or above its new minimum intact, and ConsumeQueue minimums that
// match the first remaining records.
import { test } from 'node:test';
import { runCrashRounds } from '../helpers/crash-rounds';
import { testSeed } from '../helpers/seeded-random';

test('retention running during SIGKILLs leaves a consistent store (4 rounds)', { timeout: 120_000 }, async (t) => {
  const seed = testSeed();
  t.diagnostic(`seed ${seed} (replay with COMETMQ_TEST_SEED=${seed})`);
  await runCrashRounds({
    flushDiskType: 'ASYNC_FLUSH',
    retention: true,
    rounds: 4,
    seed,
    minAcksBeforeKill: 1500,
    maxAcksBeforeKill: 5000,
    log: (line) => t.diagnostic(line),
  });
});
