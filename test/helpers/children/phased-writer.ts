/**
 * Child: writes in phases with time between them, so that after a crash the recovery start (the
 * newest segment stored at least 3 s before the checkpoint) lies past the start of the log:
 *   1. ids [0, firstPhase), flush
 *   2. wait until `gapMs` have passed since phase 1 ended (RocketMQ's 3 s checkpoint margin)
 *   3. ids [firstPhase, firstPhase + secondPhase), flush (the checkpoint moves past phase 1)
 *   4. `tail` more ids, not flushed, then `done`; the parent kills it.
 */
import { ackAllOrThrow, childConfig, emit, emitAll, exitWithParent, failChild, reserveStdoutForProtocol } from '../line-protocol';
import { generateMessage } from '../message-generator';
import { createSmallStore } from '../small-store';
import type { NativeMessageStore } from '../../../src/store';

export interface PhasedWriterConfig {
  readonly storeRoot: string;
  readonly firstPhase: number;
  readonly secondPhase: number;
  readonly tail: number;
  readonly gapMs: number;
}

async function put(store: NativeMessageStore, from: number, count: number): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => from + i);
  const messages = ids.map(generateMessage);
  const results = await Promise.all(messages.map((m) => store.putMessage(m)));
  emitAll(ackAllOrThrow(ids, messages, results));
}

/** Resolves once the wall clock reaches `until` (the condition is elapsed time itself). */
async function clockReaches(until: number): Promise<void> {
  while (Date.now() < until) await new Promise((resolve) => setTimeout(resolve, until - Date.now()));
}

async function main(config: PhasedWriterConfig): Promise<void> {
  const store = createSmallStore(config.storeRoot);
  await store.start();
  await put(store, 0, config.firstPhase);
  await store.flush();
  await clockReaches(Date.now() + config.gapMs);
  await put(store, config.firstPhase, config.secondPhase);
  await store.flush();
  await put(store, config.firstPhase + config.secondPhase, config.tail);
  emit({ type: 'done' });
  setInterval(() => undefined, 1 << 30);
}

const config = childConfig<PhasedWriterConfig>();
if (config !== undefined) {
  reserveStdoutForProtocol();
  exitWithParent();
  main(config).catch(failChild);
}
