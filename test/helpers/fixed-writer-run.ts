/** Runs the fixed-writer child to its `done` line and ends it as asked; returns its acks. */
import * as assert from 'node:assert/strict';
import { HelperChild } from './child-runner';
import type { FixedWriterConfig } from './children/fixed-writer';
import type { Acknowledgement } from './store-verification';

export interface FixedWriterRun {
  readonly acks: Acknowledgement[];
  readonly child: HelperChild;
}

/**
 * ending 'kill': the child waits after `done` and is SIGKILLed (the abort marker stays);
 * 'exit' / 'shutdown': the child ends by itself, and must exit with code 0.
 */
export async function runFixedWriter(
  storeRoot: string,
  options: { firstId: number; count: number; ending: 'kill' | 'exit' | 'shutdown'; flushDiskType?: FixedWriterConfig['flushDiskType'] },
): Promise<FixedWriterRun> {
  const config: FixedWriterConfig = {
    storeRoot,
    firstId: options.firstId,
    count: options.count,
    flushDiskType: options.flushDiskType ?? 'ASYNC_FLUSH',
    ending: options.ending === 'kill' ? 'wait' : options.ending,
  };
  const child = HelperChild.spawn('fixed-writer', config);
  try {
    await child.waitForType('done', 60_000);
    if (options.ending === 'kill') await child.kill('SIGKILL');
    const exit = await child.exited;
    if (options.ending !== 'kill') assert.equal(exit.code, 0, `fixed-writer (${options.ending}) exit${child.stderr}`);
  } finally {
    await child.kill('SIGKILL');
  }
  assert.deepEqual(child.ofType('error'), [], 'fixed-writer errors');
  const acks = child.ofType('ack') as unknown as Acknowledgement[];
  assert.equal(acks.length, options.count, 'fixed-writer acks');
  return { acks, child };
}
