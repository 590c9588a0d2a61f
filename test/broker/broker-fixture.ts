/** A real broker (NativeMessageStore with tiny files, RemotingServer on 127.0.0.1:0) plus a client. */
import { silentLogger } from '../../src/common';
import { BrokerController, createBrokerConfig } from '../../src/broker';
import { encodeProperties, type MessageExt } from '../../src/message';
import { RequestCode, createRequest, type RemotingCommand } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

export interface BrokerFixture {
  readonly broker: BrokerController;
  readonly client: RemotingClient;
  readonly addr: string;
  readonly dir: string;
  invoke(request: RemotingCommand, timeoutMs?: number): Promise<RemotingCommand>;
  /** Resolves once ConsumeQueues cover everything appended so far (dispatch is asynchronous). */
  dispatched(): Promise<void>;
  /** Stops client and broker; keeps the directory (for restarts) unless `removeDir`. */
  close(removeDir?: boolean): Promise<void>;
}

export async function startBroker(dir = makeTempDir('broker'), values: Record<string, string | number | boolean> = {}): Promise<BrokerFixture> {
  const config = createBrokerConfig({
    values: {
      storePathRootDir: dir,
      listenPort: 0,
      listenHost: '127.0.0.1',
      mappedFileSizeCommitLog: 1024 * 1024,
      mappedFileSizeConsumeQueue: 20 * 512,
      maxHashSlotNum: 4096,
      maxIndexNum: 32768,
      ...values,
    },
  });
  const broker = new BrokerController(config, { logger: silentLogger });
  await broker.start();
  const client = new RemotingClient({ logger: silentLogger });
  const addr = `127.0.0.1:${broker.port}`;
  return {
    broker, client, addr, dir,
    invoke: (request, timeoutMs = 5000) => client.invokeSync(addr, request, timeoutMs),
    dispatched: () => broker.context.store.whenDispatched(broker.context.store.getMaxPhysicalOffset()),
    async close(removeDir = true) {
      await client.shutdown();
      await broker.shutdown();
      if (removeDir) removeTempDir(dir);
    },
  };
}

export interface SendOptions {
  readonly topic: string;
  readonly body: string | Buffer;
  readonly queueId?: number;
  readonly tags?: string;
  readonly properties?: Record<string, string>;
}

/** A SEND_MESSAGE_V2 request as a Java producer builds it. */
export function sendV2Request(options: SendOptions): RemotingCommand {
  const properties: Record<string, string> = { ...(options.properties ?? {}) };
  if (options.tags !== undefined) properties['TAGS'] = options.tags;
  return createRequest(RequestCode.SEND_MESSAGE_V2, {
    a: 'PG', b: options.topic, c: 'TBW102', d: '4', e: String(options.queueId ?? 0), f: '0',
    g: String(Date.now()), h: '0', i: encodeProperties(properties), j: '0', k: 'false', m: 'false',
  }, Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body));
}

export interface PullOptions {
  readonly topic: string;
  readonly queueId?: number;
  readonly queueOffset: number;
  readonly subscription?: string;
  readonly suspend?: boolean;
  readonly suspendTimeoutMillis?: number;
  readonly commitOffset?: number;
  readonly group?: string;
  readonly maxMsgNums?: number;
}

export function pullRequest(options: PullOptions): RemotingCommand {
  const SUSPEND = 0x2;
  const SUBSCRIPTION = 0x4;
  const COMMIT = 0x1;
  const sysFlag = SUBSCRIPTION | (options.suspend === true ? SUSPEND : 0) | (options.commitOffset !== undefined ? COMMIT : 0);
  return createRequest(RequestCode.PULL_MESSAGE, {
    consumerGroup: options.group ?? 'CG', topic: options.topic, queueId: String(options.queueId ?? 0),
    queueOffset: String(options.queueOffset), maxMsgNums: String(options.maxMsgNums ?? 32), sysFlag: String(sysFlag),
    commitOffset: String(options.commitOffset ?? 0), suspendTimeoutMillis: String(options.suspendTimeoutMillis ?? 15000),
    subscription: options.subscription ?? '*', subVersion: '0', expressionType: 'TAG',
  });
}

/** Every message of one queue, read straight from the broker's store (which returns a bounded number per call). */
export function storedMessages(fx: BrokerFixture, topic: string, queueId = 0): MessageExt[] {
  const out: MessageExt[] = [];
  for (let offset = 0; ;) {
    const result = fx.broker.context.store.getMessage(topic, queueId, offset, 1000, { maxBytes: 64 * 1024 * 1024 });
    if (result.status !== 'FOUND' || result.nextBeginOffset <= offset) return out;
    out.push(...result.messages());
    offset = result.nextBeginOffset;
  }
}
