/**
 * Child process: one of OUR PushConsumers with an orderly listener, configured by a JSON argument.
 * Prints one JSON line per event on stdout: {"event":"starting","t":..} before start(),
 * {"event":"ready","t":..} once started, and
 * {"event":"consumed","id":<body>,"queueId","queueOffset","reconsumeTimes","t"} per message its
 * listener finishes (`t`: wall-clock ms with sub-ms precision, comparable across processes on one
 * machine). `delayMs` makes each message take that long. SIGTERM shuts it down gracefully
 * (offsets committed, locks released) and prints {"event":"stopped"}.
 */
import { PushConsumer } from '../../../src/client/consumer';
import { childConfig, emit as emitLine, stopOnSigterm } from './child-io';

interface ChildConfig {
  namesrvAddr: string;
  topic: string;
  group: string;
  instanceName: string;
  delayMs?: number;
}

const now = (): number => performance.timeOrigin + performance.now();

function emit(event: Record<string, unknown>): void {
  emitLine({ ...event, t: now() });
}

const config = childConfig<ChildConfig>('ordered-consumer-child');

const consumer = new PushConsumer({
  namesrvAddr: config.namesrvAddr, groupName: config.group, instanceName: config.instanceName, consumeFromWhere: 'FIRST_OFFSET',
  heartbeatIntervalMs: 1000, persistIntervalMs: 500, pullErrorBackoffMs: 200, suspendMs: 3000,
});
consumer.subscribe(config.topic, '*');
consumer.registerOrderlyListener(async (msgs) => {
  if (config.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, config.delayMs));
  for (const msg of msgs) {
    emit({ event: 'consumed', id: msg.body.toString('utf8'), queueId: msg.queueId, queueOffset: msg.queueOffset, reconsumeTimes: msg.reconsumeTimes });
  }
  return 'SUCCESS' as const;
});

stopOnSigterm(() => consumer.shutdown(), emit);

emit({ event: 'starting' });
consumer.start().then(() => emit({ event: 'ready' }), (err: Error) => {
  console.error(`start failed: ${err.message}`);
  process.exit(1);
});
