/**
 * Child process: one of OUR PushConsumers, configured by a JSON argument. Prints one JSON line per
 * event on stdout: {"event":"ready"} once started, {"event":"consumed","id":<body>,...} per message
 * its listener finishes, or {"event":"held",...} per message when `hold` is set (the listener then
 * never finishes, so nothing is acknowledged until the process dies). With `sql` it subscribes by
 * that SQL92 expression instead of '*'; a rejected start() prints
 * {"event":"start-failed","code":...,"message":...} and exits 1. SIGTERM shuts it down gracefully
 * (offsets committed) and prints {"event":"stopped"}.
 */
import { MqError } from '../../../src/common';
import { PushConsumer, type MessageModelName } from '../../../src/client/consumer';
import { childConfig, emit, stopOnSigterm } from './child-io';

interface ChildConfig {
  namesrvAddr: string;
  topic: string;
  group: string;
  instanceName: string;
  messageModel?: MessageModelName;
  hold?: boolean;
  offsetStoreDir?: string;
  suspendMs?: number;
  sql?: string;
}

const config = childConfig<ChildConfig>('push-consumer-child');

const consumer = new PushConsumer({
  namesrvAddr: config.namesrvAddr, groupName: config.group, instanceName: config.instanceName,
  messageModel: config.messageModel ?? 'CLUSTERING', consumeFromWhere: 'FIRST_OFFSET',
  ...(config.offsetStoreDir === undefined ? {} : { offsetStoreDir: config.offsetStoreDir }), heartbeatIntervalMs: 1000, rebalanceIntervalMs: 1000,
  persistIntervalMs: 500, pullErrorBackoffMs: 200, suspendMs: config.suspendMs ?? 3000,
});
consumer.subscribe(config.topic, config.sql === undefined ? '*' : { sql: config.sql });
consumer.registerListener(async (msgs) => {
  for (const msg of msgs) {
    const id = msg.body.toString('utf8');
    emit({
      event: config.hold === true ? 'held' : 'consumed', id, queueId: msg.queueId, queueOffset: msg.queueOffset,
      reconsumeTimes: msg.reconsumeTimes, properties: msg.properties,
    });
  }
  // A listener stuck on real work: never settles, so the batch stays unacknowledged.
  if (config.hold === true) await new Promise(() => undefined);
  return 'CONSUME_SUCCESS' as const;
});

stopOnSigterm(() => consumer.shutdown());

consumer.start().then(() => emit({ event: 'ready' }), (err: Error) => {
  emit({ event: 'start-failed', code: err instanceof MqError ? err.code : undefined, message: err.message });
  console.error(`start failed: ${err.message}`);
  process.exit(1);
});
