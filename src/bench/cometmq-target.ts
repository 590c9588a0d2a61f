/**
 * The 'cometmq' BenchTarget: an embedded broker (a `cometmq start` child on a fresh data dir and
 * free ports, flush type from the durability asked) or an existing cluster through its name server.
 * Sends go through the SDK Producer, receives through a PushConsumer from the first offset.
 */
import { silentLogger } from '../common/logger';
import { MqError } from '../common/mq-error';
import { PushConsumer } from '../client/consumer/push-consumer';
import { Producer } from '../client/producer/producer';
import { checkNameServer, createTopics, inParallel } from './cometmq-admin';
import { sendBatchOneway } from './cometmq-oneway-batch';
import { EmbeddedBroker } from './embedded-broker';
import { BenchResponseFailure, type BenchReceiver, type BenchSender, type BenchTarget, type SendMode, type TargetOptions } from './target';

/** Random benchmark bodies barely compress; zlib would measure the client's CPU, not the broker. */
const NO_COMPRESSION = 64 * 1024 * 1024;
/** A pull brings up to this many messages (the broker caps it with maxTransferCountOnMessageInMemory). */
const PULL_BATCH = 256;
const ROUTE_LOOKUPS_AT_ONCE = 16;

/**
 * Failures that never got an answer (RocketMQ's RemotingException and "no route" MQClientException:
 * "Send Failed"). Every catalogue error carries a response code, so the code's name decides.
 */
const UNANSWERED = /^ERR_(REMOTING_|FRAME_|HEADER_MALFORMED$|INVALID_ADDRESS$|TOPIC_NOT_EXIST$|BROKER_NOT_EXIST$)/;

/** A failure the broker answered with becomes a BenchResponseFailure ("Response Failed"). */
function classify(err: unknown): Error {
  if (err instanceof MqError && !UNANSWERED.test(err.code)) return new BenchResponseFailure(err.message, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

class CometmqSender implements BenchSender {
  constructor(private readonly producer: Producer) {}

  async send(topic: string, bodies: readonly Buffer[], mode: SendMode): Promise<void> {
    try {
      if (bodies.length === 1) {
        if (mode === 'oneway') return await this.#oneway(this.producer.sendOneway({ topic, body: bodies[0]! }));
        const result = await this.producer.send({ topic, body: bodies[0]! });
        if (result.sendStatus !== 'SEND_OK') throw new BenchResponseFailure(`stored but ${result.sendStatus}`);
        return;
      }
      if (mode === 'oneway') return await this.#oneway(sendBatchOneway(this.producer, topic, bodies));
      const result = await this.producer.sendBatch(bodies.map((body) => ({ topic, body })));
      if (result.sendStatus !== 'SEND_OK') throw new BenchResponseFailure(`stored but ${result.sendStatus}`);
    } catch (err) {
      throw classify(err);
    }
  }

  /**
   * A one-way send is done once its frame is queued, within the same turn: without yielding to
   * the event loop here the senders would queue frames forever and the socket would never be
   * written (RocketMQ bounds this with its one-way semaphore on write completions).
   */
  async #oneway(queued: Promise<void>): Promise<void> {
    await queued;
    await new Promise((resolve) => setImmediate(resolve));
  }

  async close(): Promise<void> {
    await this.producer.shutdown();
  }
}

class CometmqReceiver implements BenchReceiver {
  readonly #consumer: PushConsumer;

  constructor(namesrvAddr: string, private readonly topic: string, group: string) {
    this.#consumer = new PushConsumer({
      groupName: group, namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', pullBatchSize: PULL_BATCH, consumeMessageBatchMaxSize: PULL_BATCH, logger: silentLogger,
    });
  }

  async start(onBodies: (bodies: readonly Buffer[]) => void): Promise<void> {
    this.#consumer.subscribe(this.topic, '*');
    this.#consumer.registerListener((messages) => {
      onBodies(messages.map((m) => m.body));
      return 'CONSUME_SUCCESS';
    });
    await this.#consumer.start();
  }

  async close(): Promise<void> {
    await this.#consumer.shutdown();
  }
}

export async function createCometmqTarget(options: TargetOptions): Promise<BenchTarget> {
  let broker: EmbeddedBroker | undefined;
  let namesrvAddr: string;
  if (options.namesrvAddr !== undefined) {
    await checkNameServer(options.namesrvAddr);
    namesrvAddr = options.namesrvAddr;
  } else {
    broker = await EmbeddedBroker.start({
      dataDir: options.dataDir,
      flushDiskType: options.durability === 'sync' ? 'SYNC_FLUSH' : 'ASYNC_FLUSH',
      brokerSettings: options.brokerSettings ?? {},
    });
    namesrvAddr = broker.namesrvAddr;
  }
  const flush = options.durability === 'sync' ? 'SYNC_FLUSH' : 'ASYNC_FLUSH';
  const settings = Object.entries(options.brokerSettings ?? {}).map(([k, v]) => ` ${k}=${v}`).join('');
  const clients: Array<{ close(): Promise<void> }> = [];
  let producers = 0;
  let preparedTopics: readonly string[] = [];
  return {
    name: 'cometmq',
    description: broker !== undefined
      ? `CometMQ embedded broker (child process, ${flush}${settings}) at ${broker.brokerAddr}, name server ${namesrvAddr}`
      : `CometMQ cluster at name server ${namesrvAddr} (its own flush settings; run labelled ${flush})`,
    async prepare(topics, queuesPerTopic) {
      await createTopics(namesrvAddr, topics, queuesPerTopic);
      preparedTopics = topics;
    },
    async openSender() {
      const producer = new Producer({
        groupName: `benchmark_producer_${process.pid}_${producers++}`, namesrvAddr, compressMsgBodyOverHowmuch: NO_COMPRESSION, logger: silentLogger,
      });
      await producer.start();
      const sender = new CometmqSender(producer);
      clients.push(sender);
      // Routes are looked up before the clock starts: with many topics the first sends would
      // otherwise measure name server round trips (RocketMQ's benchmark has the same cost, unmeasured
      // only after its warm-up).
      await inParallel(preparedTopics, ROUTE_LOOKUPS_AT_ONCE, async (topic) => {
        await producer.publishQueues(topic);
      });
      return sender;
    },
    async openReceiver(topic, group) {
      const receiver = new CometmqReceiver(namesrvAddr, topic, group);
      clients.push(receiver);
      return receiver;
    },
    async close() {
      for (const client of clients.splice(0)) await client.close().catch(() => undefined);
      await broker?.stop(options.disposableDataDir === true ? 'kill' : 'graceful');
    },
  };
}
