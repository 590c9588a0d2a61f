/**
 * ali-ons producers and consumers pointed at a plain name server (no Aliyun address service, no
 * signing), with their log and 'error' events captured for assertions, and a close that really
 * lets the process exit.
 */
import { Consumer, Producer, type ClientLogger, type ConsumerOptions, type ProducerOptions } from 'ali-ons';
import MQProducer from 'ali-ons/lib/producer/mq_producer';

/** Short client intervals: the client's timers sleep a full interval even after close (30 s by default). */
const FAST_INTERVALS = {
  pollNameServerInteval: 500, heartbeatBrokerInterval: 1000, persistConsumerOffsetInterval: 500, rebalanceInterval: 1000,
} as const;

export class AliOnsClients {
  /** Everything the client reported: its warn/error log lines and 'error' events. */
  readonly problems: string[] = [];
  private readonly closers: (() => Promise<void>)[] = [];
  private readonly logger: ClientLogger = {
    info: () => undefined,
    debug: () => undefined,
    warn: (...args) => this.problems.push(`warn: ${args.map(String).join(' ')}`),
    error: (...args) => this.problems.push(`error: ${args.map(String).join(' ')}`),
  };

  constructor(private readonly namesrvAddr: string) {}

  async producer(producerGroup: string, instanceName: string): Promise<Producer> {
    const producer = new Producer({ ...this.common(instanceName), producerGroup } satisfies ProducerOptions);
    producer.on('error', (err: Error) => this.problems.push(`producer error: ${err.message}`));
    this.closers.push(() => producer.close());
    await producer.ready();
    return producer;
  }

  /** A clustering consumer; `subscribe` before `ready()` so the first heartbeat carries the subscription. */
  consumer(consumerGroup: string, instanceName: string, extra: Partial<ConsumerOptions> = {}): Consumer {
    const consumer = new Consumer({
      ...this.common(instanceName), consumerGroup, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', ...extra,
    } satisfies ConsumerOptions);
    consumer.on('error', (err: Error) => this.problems.push(`consumer error: ${err.message}`));
    this.closers.push(() => consumer.close());
    return consumer;
  }

  /** Problems other than those matching `expected` (e.g. a listener's deliberate failures). */
  unexpectedProblems(expected?: RegExp): string[] {
    return this.problems.filter((p) => expected === undefined || !expected.test(p));
  }

  /** Closes consumers (which commit offsets and unregister) and producers, newest first. */
  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
    // ali-ons creates one process-wide inner producer (for its own retry fallback) and never closes
    // it; its connections would keep the test process alive.
    const inner = MQProducer.defaultProducer;
    MQProducer.defaultProducer = null;
    await inner?.close();
  }

  private common(instanceName: string) {
    return { nameSrv: this.namesrvAddr, httpclient: {}, clientIP: '127.0.0.1', instanceName, logger: this.logger, ...FAST_INTERVALS };
  }
}
