/**
 * The subset of ali-ons 3.12 (a third-party, untyped RocketMQ client from npm) that the interop test
 * uses. Shapes read from its sources (lib/producer, lib/consumer, lib/message); nothing here is ours.
 */
declare module 'ali-ons' {
  import { EventEmitter } from 'node:events';

  export interface ClientLogger {
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
    debug(...args: unknown[]): void;
  }

  export interface ClientOptions {
    /** Name server address(es); with it the Aliyun HTTP address service is never called. */
    nameSrv: string | string[];
    /** Asserted non-null by the client even when unused (it is only for the Aliyun address service). */
    httpclient: object;
    instanceName?: string;
    clientIP?: string;
    logger?: ClientLogger;
    pollNameServerInteval?: number;
    heartbeatBrokerInterval?: number;
    persistConsumerOffsetInterval?: number;
    rebalanceInterval?: number;
  }

  export interface ProducerOptions extends ClientOptions {
    producerGroup: string;
    sendMsgTimeout?: number;
  }

  export interface ConsumerOptions extends ClientOptions {
    consumerGroup: string;
    isBroadcast?: boolean;
    consumeFromWhere?: 'CONSUME_FROM_LAST_OFFSET' | 'CONSUME_FROM_FIRST_OFFSET' | 'CONSUME_FROM_TIMESTAMP';
    maxReconsumeTimes?: number;
    /** How long the broker may hold a pull (the long-poll hint; 15 s by default). */
    brokerSuspendMaxTimeMillis?: number;
  }

  export class Message {
    constructor(topic: string, tags: string | null, body: string | Buffer);
    topic: string;
    tags: string | null;
    /** Set as a list (joined with spaces into the KEYS property); read back as that string. */
    keys: string | string[] | undefined;
    body: Buffer;
    msgId: string;
    queueId: number;
    queueOffset: number;
    reconsumeTimes: number;
    properties: Record<string, string>;
  }

  export interface SendResult {
    sendStatus: string;
    msgId: string;
    messageQueue: { topic: string; brokerName: string; queueId: string | number };
    queueOffset: number | string;
  }

  export class Producer extends EventEmitter {
    constructor(options: ProducerOptions);
    ready(): Promise<void>;
    send(message: Message): Promise<SendResult>;
    close(): Promise<void>;
  }

  export type ConsumeResult = void | typeof Consumer.ACTION_RETRY;

  export class Consumer extends EventEmitter {
    static readonly ACTION_RETRY: unique symbol;
    constructor(options: ConsumerOptions);
    subscribe(
      topic: string, expression: string | { expressionType: 'TAG' | 'SQL92'; subString: string },
      handler: (message: Message) => Promise<ConsumeResult>,
    ): void;
    ready(): Promise<void>;
    close(): Promise<void>;
  }
}

declare module 'ali-ons/lib/producer/mq_producer' {
  /** The process-wide inner producer every ali-ons client creates and never closes itself. */
  const MQProducer: { defaultProducer: { close(): Promise<void> } | null };
  export = MQProducer;
}
