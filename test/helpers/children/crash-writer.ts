/**
 * Child: opens a small store and appends forever from several concurrent producers (single puts and
 * batches), emitting an `ack` line for every PUT_OK the moment it resolves. The parent kills it.
 *
 * Ids: id = firstId + seq * 12 + slot, where slot (0..11) fixes topic and queue (see
 * message-generator), so a batch drawn from one slot is one topic/queue, as a batch must be.
 */
import { ackLine, childConfig, emit, emitAll, exitWithParent, failChild, reserveStdoutForProtocol, type ProtocolMessage } from '../line-protocol';
import { generateMessage, GENERATED_TOPICS, QUEUES_PER_TOPIC } from '../message-generator';
import { SeededRandom } from '../seeded-random';
import { createSmallStore, type FlushDiskType } from '../small-store';

export interface CrashWriterConfig {
  readonly storeRoot: string;
  readonly flushDiskType: FlushDiskType;
  readonly segmentBytes: number;
  readonly transientStorePoolEnable: boolean;
  /** Report 87% disk usage, so retention deletes the oldest segments as soon as they are flushed. */
  readonly forceRetention: boolean;
  readonly producers: number;
  readonly maxBatch: number;
  /** A multiple of SLOTS; ids of this run are firstId and up. */
  readonly firstId: number;
  readonly seed: number;
  /** Stop producing after this many messages (a bound in case the parent never kills). */
  readonly maxMessages: number;
}

export const SLOTS = GENERATED_TOPICS.length * QUEUES_PER_TOPIC;

async function main(config: CrashWriterConfig): Promise<void> {
  const store = createSmallStore(config.storeRoot, {
    flushDiskType: config.flushDiskType,
    segmentBytes: config.segmentBytes,
    transientStorePoolEnable: config.transientStorePoolEnable,
    ...(config.forceRetention ? { diskUsage: () => 0.87 } : {}),
  });
  const recovery = await store.start();
  emit({ type: 'ready', recovery: { ...recovery } });
  const nextSeq = new Array<number>(SLOTS).fill(0);
  let issued = 0;
  const producer = async (index: number): Promise<void> => {
    const rnd = new SeededRandom(config.seed + index * 7919);
    while (issued < config.maxMessages) {
      const slot = rnd.int(0, SLOTS - 1);
      const count = rnd.next() < 0.5 ? 1 : rnd.int(2, config.maxBatch);
      const ids: number[] = [];
      for (let i = 0; i < count; i++) ids.push(config.firstId + (nextSeq[slot]!++) * SLOTS + slot);
      issued += count;
      const messages = ids.map(generateMessage);
      const results = count === 1 ? [await store.putMessage(messages[0]!)] : await store.putMessages(messages);
      const lines: ProtocolMessage[] = results.map((result, i) =>
        result.status === 'PUT_OK'
          ? ackLine(ids[i], messages[i]!, result)
          : { type: 'not-ok', id: ids[i], status: result.status, remark: result.remark ?? '' },
      );
      emitAll(lines);
    }
  };
  await Promise.all(Array.from({ length: config.producers }, (_, i) => producer(i)));
  emit({ type: 'exhausted', issued });
  // Stay alive (store open) until killed, like a broker would.
  setInterval(() => undefined, 1 << 30);
}

const config = childConfig<CrashWriterConfig>();
if (config !== undefined) {
  reserveStdoutForProtocol();
  exitWithParent();
  main(config).catch(failChild);
}
