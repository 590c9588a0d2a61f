/**
 * Child process: one of OUR PushConsumers, configured by a JSON argument. Prints one JSON line per
 * event on stdout: {"event":"ready"} once started, {"event":"consumed","id":<body>,...} per message
 * its listener finishes, or {"event":"held",...} per message when `hold` is set (the listener then
 * never finishes, so nothing is acknowledged until the process dies). SIGTERM shuts it down
 * gracefully (offsets committed) and prints {"event":"stopped"}.
 */
import { PushConsumer, type MessageModelName } from '../../../src/client/consumer';

interface ChildConfig {
  namesrvAddr: string;
  topic: string;
  group: string;
  instanceName: string;
  messageModel: MessageModelName;
  hold: boolean;
  offsetStoreDir: string;
  suspendMs?: number;
}

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const config = JSON.parse(process.argv[2] ?? 'null') as ChildConfig | null;
if (config === null) {
  console.error('usage: push-consumer-child <json config>');
  process.exit(2);
}

const consumer = new PushConsumer({
  namesrvAddr: config.namesrvAddr, groupName: config.group, instanceName: config.instanceName,
  messageModel: config.messageModel, consumeFromWhere: 'FIRST_OFFSET',
  offsetStoreDir: config.offsetStoreDir, heartbeatIntervalMs: 1000, rebalanceIntervalMs: 1000,
  persistIntervalMs: 500, pullErrorBackoffMs: 200, suspendMs: config.suspendMs ?? 3000,
});
consumer.subscribe(config.topic, '*');
consumer.registerListener(async (msgs) => {
  for (const msg of msgs) {
    const id = msg.body.toString('utf8');
    emit({ event: config.hold ? 'held' : 'consumed', id, queueId: msg.queueId, queueOffset: msg.queueOffset, reconsumeTimes: msg.reconsumeTimes });
  }
  // A listener stuck on real work: never settles, so the batch stays unacknowledged.
  if (config.hold) await new Promise(() => undefined);
  return 'CONSUME_SUCCESS' as const;
});

process.on('SIGTERM', () => {
  consumer.shutdown().then(() => {
    emit({ event: 'stopped' });
    process.exit(0);
  }, (err: Error) => {
    console.error(`shutdown failed: ${err.message}`);
    process.exit(1);
  });
});

consumer.start().then(() => emit({ event: 'ready' }), (err: Error) => {
  console.error(`start failed: ${err.message}`);
  process.exit(1);
});
