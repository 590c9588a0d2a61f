// Crash under ASYNC_FLUSH: SIGKILLed writers over several rounds on one directory; everything
// acknowledged survives intact and the ConsumeQueues match the CommitLog after each reopen.
import { test } from 'node:test';
import { runCrashRounds } from '../helpers/crash-rounds';
import { testSeed } from '../helpers/seeded-random';

test('ASYNC_FLUSH: acknowledged messages survive SIGKILL at random moments (5 rounds)', { timeout: 120_000 }, async (t) => {
  const seed = testSeed();
  t.diagnostic(`seed ${seed} (replay with COMETMQ_TEST_SEED=${seed})`);
  await runCrashRounds({
    flushDiskType: 'ASYNC_FLUSH',
    rounds: 5,
    seed,
    minAcksBeforeKill: 50,
    maxAcksBeforeKill: 3000,
    log: (line) => t.diagnostic(line),
  });
});
