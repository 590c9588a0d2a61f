/**
 * Child: opens a small store, appends ids [firstId, firstId + count) (acks on stdout), flushes, says
 * `done`, then ends the way the test asks:
 *   wait         stay alive with the store open (the parent kills it or tests the lock)
 *   exit         process.exit(0) without shutdown
 *   shutdown     shutdown() twice (must be idempotent), then let the process end
 */
import { ackAllOrThrow, childConfig, emit, emitAll, exitWithParent, failChild, reserveStdoutForProtocol } from '../line-protocol';
import { generateMessage } from '../message-generator';
import { createSmallStore, type FlushDiskType } from '../small-store';

export type FixedWriterEnding = 'wait' | 'exit' | 'shutdown';

export interface FixedWriterConfig {
  readonly storeRoot: string;
  readonly firstId: number;
  readonly count: number;
  readonly flushDiskType: FlushDiskType;
  readonly ending: FixedWriterEnding;
}

const CONCURRENT_PUTS = 32;

async function main(config: FixedWriterConfig): Promise<void> {
  const store = createSmallStore(config.storeRoot, { flushDiskType: config.flushDiskType });
  const recovery = await store.start();
  emit({ type: 'ready', recovery: { ...recovery } });
  for (let first = config.firstId; first < config.firstId + config.count; first += CONCURRENT_PUTS) {
    const ids: number[] = [];
    for (let id = first; id < Math.min(first + CONCURRENT_PUTS, config.firstId + config.count); id++) ids.push(id);
    const messages = ids.map(generateMessage);
    const results = await Promise.all(messages.map((m) => store.putMessage(m)));
    emitAll(ackAllOrThrow(ids, messages, results));
  }
  await store.flush();
  emit({ type: 'done', maxPhysicalOffset: store.getMaxPhysicalOffset() });
  switch (config.ending) {
    case 'wait':
      setInterval(() => undefined, 1 << 30);
      return;
    case 'exit':
      process.exit(0);
    case 'shutdown':
      await store.shutdown();
      await store.shutdown();
      emit({ type: 'closed' });
      return;
  }
}

const config = childConfig<FixedWriterConfig>();
if (config !== undefined) {
  reserveStdoutForProtocol();
  exitWithParent();
  main(config).catch(failChild);
}
