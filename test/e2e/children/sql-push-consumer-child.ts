/**
 * Child process: one of OUR PushConsumers subscribed by an SQL92 expression, configured by a JSON
 * argument. Prints {"event":"ready"} once started and {"event":"consumed","id":<body>,...} per
 * message; a rejected start() prints {"event":"start-failed","code":...,"message":...} and exits 1.
 * SIGTERM shuts it down gracefully and prints {"event":"stopped"}.
 */
import { MqError } from '../../../src/common';
import { PushConsumer } from '../../../src/client/consumer';

interface SqlChildConfig {
  namesrvAddr: string;
  topic: string;
  group: string;
  instanceName: string;
  sql: string;
}

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const config = JSON.parse(process.argv[2] ?? 'null') as SqlChildConfig | null;
if (config === null) {
  console.error('usage: sql-push-consumer-child <json config>');
  process.exit(2);
}

const consumer = new PushConsumer({
  namesrvAddr: config.namesrvAddr, groupName: config.group, instanceName: config.instanceName, consumeFromWhere: 'FIRST_OFFSET',
  heartbeatIntervalMs: 1000, rebalanceIntervalMs: 1000, persistIntervalMs: 500, pullErrorBackoffMs: 200, suspendMs: 3000,
});
consumer.subscribe(config.topic, { sql: config.sql });
consumer.registerListener((msgs) => {
  for (const msg of msgs) {
    emit({ event: 'consumed', id: msg.body.toString('utf8'), queueId: msg.queueId, queueOffset: msg.queueOffset, properties: msg.properties });
  }
  return 'CONSUME_SUCCESS';
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
  emit({ event: 'start-failed', code: err instanceof MqError ? err.code : undefined, message: err.message });
  process.exit(1);
});
