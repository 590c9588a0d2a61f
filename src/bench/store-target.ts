/**
 * The 'store' BenchTarget behind `cometmq bench store`: the embedded MessageStore (src/store's
 * public API) in this process, no network and no broker, so its figures are the ceiling a broker
 * on the same disk can approach. A send is one putMessage, or one atomic putMessages for a batch.
 */
import { NativeMessageStore } from '../store/native-message-store';
import { StoreConfigError, DEFAULT_STORE_CONFIG, type StoreConfigInput } from '../store/store-config';
import { isStored } from '../store/store-status';
import type { MessageToStore } from '../message/message-types';
import { silentLogger } from '../common/logger';
import { BenchUsageError } from './bench-options';
import { BenchResponseFailure, UnsupportedBenchOption, type BenchTarget, type TargetOptions } from './target';

/** broker.conf-style strings to the store's typed settings (numbers and booleans by their defaults' types). */
function storeSettings(settings: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(settings)) {
    const fallback = (DEFAULT_STORE_CONFIG as Record<string, unknown>)[key];
    if (fallback === undefined) throw new BenchUsageError(`--set ${key}: not a store setting (bench store runs the store alone)`);
    if (typeof fallback === 'number') {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) throw new BenchUsageError(`--set ${key} must be a number, got '${text}'`);
      out[key] = n;
    } else if (typeof fallback === 'boolean') {
      if (text !== 'true' && text !== 'false') throw new BenchUsageError(`--set ${key} must be true or false, got '${text}'`);
      out[key] = text === 'true';
    } else {
      out[key] = text;
    }
  }
  return out;
}

export async function createStoreTarget(options: TargetOptions): Promise<BenchTarget> {
  const flushDiskType = options.durability === 'sync' ? 'SYNC_FLUSH' : 'ASYNC_FLUSH';
  const input = { storePathRootDir: options.dataDir, flushDiskType, ...storeSettings(options.brokerSettings ?? {}) } as StoreConfigInput;
  let store: NativeMessageStore;
  try {
    store = new NativeMessageStore(input, { logger: silentLogger });
  } catch (err) {
    if (err instanceof StoreConfigError) throw new BenchUsageError(`--set: ${err.message}`);
    throw err;
  }
  await store.start();
  const queuesOf = new Map<string, number>();
  const nextQueue = new Map<string, number>();
  const settings = Object.entries(options.brokerSettings ?? {}).map(([k, v]) => ` ${k}=${v}`).join('');
  return {
    name: 'store',
    description: `CometMQ store in-process (${flushDiskType}${settings}) at ${options.dataDir}`,
    async prepare(topics, queuesPerTopic) {
      for (const topic of topics) queuesOf.set(topic, queuesPerTopic);
    },
    async openSender() {
      return {
        async send(topic, bodies) {
          const queues = queuesOf.get(topic) ?? 1;
          const n = nextQueue.get(topic) ?? 0;
          nextQueue.set(topic, n + 1);
          const queueId = n % queues;
          const messages: MessageToStore[] = bodies.map((body) => ({ topic, queueId, body }));
          const results = messages.length === 1 ? [await store.putMessage(messages[0]!)] : await store.putMessages(messages);
          const status = results[0]?.status;
          if (status !== 'PUT_OK') {
            const stored = status !== undefined && isStored(status);
            throw new BenchResponseFailure(stored ? `stored but ${status}` : `append failed: ${status}${results[0]?.remark !== undefined ? ` (${results[0].remark})` : ''}`);
          }
        },
        async close() {},
      };
    },
    async openReceiver() {
      throw new UnsupportedBenchOption('the store target has no receiver (bench store measures appends)');
    },
    async close() {
      await store.shutdown();
    },
  };
}
