/**
 * Worker-thread body: opens its own store directory, appends `count` generated messages, optionally
 * shuts down, posts its acks and returns (the worker then exits). Without shutdown, the addon's
 * environment cleanup hook must close the store when the worker's environment is torn down.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { generateMessage } from '../message-generator';
import { createSmallStore } from '../small-store';
import type { Acknowledgement } from '../store-verification';

export interface WorkerAppenderData {
  readonly storeRoot: string;
  readonly firstId: number;
  readonly count: number;
  readonly shutdown: boolean;
}

async function main(data: WorkerAppenderData): Promise<void> {
  const store = createSmallStore(data.storeRoot);
  await store.start();
  const ids = Array.from({ length: data.count }, (_, i) => data.firstId + i);
  const messages = ids.map(generateMessage);
  const results = await Promise.all(messages.map((m) => store.putMessage(m)));
  const acks: Acknowledgement[] = results.map((result, i) => {
    if (result.status !== 'PUT_OK') throw new Error(`put of id ${ids[i]} returned ${result.status}`);
    const { topic, queueId } = messages[i]!;
    return { id: ids[i]!, topic, queueId, queueOffset: result.queueOffset, physicalOffset: result.physicalOffset };
  });
  if (data.shutdown) await store.shutdown();
  parentPort!.postMessage({ acks });
}

// Only as a worker with data: `node --test` also runs this compiled file directly, then it is a no-op.
if (!isMainThread && workerData !== undefined && workerData !== null) {
  main(workerData as WorkerAppenderData).catch((error: unknown) => {
    parentPort!.postMessage({ error: String((error as Error)?.stack ?? error) });
  });
}
