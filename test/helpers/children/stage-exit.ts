/**
 * Child: calls process.exit(0) in the middle of one lifecycle stage of a store, with native work
 * in flight, to show an abrupt exit neither hangs, crashes nor leaves inconsistent files:
 *   start       right after start() was called (recovery running on a native thread)
 *   appending   from inside the first resolution of a burst of puts (the rest still pending)
 *   shutdown    right after shutdown() was called
 * Acknowledged puts are reported on stdout as `ack` lines, like the other writers.
 */
import type { PutMessageResult } from '../../../src/store';
import { childConfig, emit, emitAll, exitWithParent, reserveStdoutForProtocol, failChild } from '../line-protocol';
import { generateMessage } from '../message-generator';
import { createSmallStore } from '../small-store';

export type ExitStage = 'start' | 'appending' | 'shutdown';

export interface StageExitConfig {
  readonly storeRoot: string;
  readonly stage: ExitStage;
  readonly firstId: number;
  readonly count: number;
}

function ackLine(id: number, result: PutMessageResult) {
  const message = generateMessage(id);
  return { type: 'ack', id, topic: message.topic, queueId: message.queueId, queueOffset: result.queueOffset, physicalOffset: result.physicalOffset };
}

async function main(config: StageExitConfig): Promise<void> {
  const store = createSmallStore(config.storeRoot);
  const started = store.start();
  if (config.stage === 'start') {
    emit({ type: 'exiting' });
    process.exit(0);
  }
  await started;
  const ids = Array.from({ length: config.count }, (_, i) => config.firstId + i);
  const results = await Promise.all(ids.map((id) => store.putMessage(generateMessage(id))));
  results.forEach((result, i) => {
    if (result.status !== 'PUT_OK') throw new Error(`put of id ${ids[i]} returned ${result.status} ${result.remark ?? ''}`);
  });
  emitAll(results.map((result, i) => ackLine(ids[i]!, result)));
  if (config.stage === 'appending') {
    const burst = Array.from({ length: 64 }, (_, i) => config.firstId + config.count + i);
    burst.forEach((id, i) => {
      void store.putMessage(generateMessage(id)).then((result) => {
        if (result.status === 'PUT_OK') emit(ackLine(id, result));
        if (i === 0) {
          emit({ type: 'exiting' });
          process.exit(0);
        }
      });
    });
    return;
  }
  void store.shutdown();
  emit({ type: 'exiting' });
  process.exit(0);
}

const config = childConfig<StageExitConfig>();
if (config !== undefined) {
  reserveStdoutForProtocol();
  exitWithParent();
  main(config).catch(failChild);
}
