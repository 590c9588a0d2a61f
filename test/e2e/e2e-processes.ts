/**
 * Processes for the SDK end-to-end tests: `cometmq namesrv` and `cometmq broker` as two child
 * processes on chosen loopback ports (so they can come back on the same addresses after a restart),
 * and PushConsumer children whose JSON-line events the test reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequest, RequestCode, ResponseCode } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { CometmqProcess, freePort, pollUntil, type Cluster } from '../interop/cometmq-processes';

const CONSUMER_CHILD = path.join(__dirname, 'children', 'push-consumer-child.js');
export const WAIT_MS = 20_000;

export interface ServerPorts { readonly namesrv: number; readonly broker: number }

export async function pickPorts(): Promise<ServerPorts> {
  return { namesrv: await freePort(), broker: await freePort() };
}

/** Name server and broker as separate processes sharing `dataDir`; the same ports and dir restart them. */
export async function startServers(dataDir: string, ports: ServerPorts): Promise<Cluster> {
  fs.mkdirSync(dataDir, { recursive: true });
  const namesrv = new CometmqProcess(['namesrv', '--home', path.join(dataDir, 'namesrv'), '--port', String(ports.namesrv)]);
  let broker: CometmqProcess | undefined;
  try {
    await namesrv.waitForLine(/ ready$/);
    const conf = {
      brokerClusterName: 'E2ECluster', brokerName: 'broker-e2e', brokerId: '0',
      namesrvAddr: `127.0.0.1:${ports.namesrv}`, listenHost: '127.0.0.1', listenPort: String(ports.broker),
      brokerIP1: '127.0.0.1', storePathRootDir: path.join(dataDir, 'store'),
    };
    const confFile = path.join(dataDir, 'broker.conf');
    fs.writeFileSync(confFile, Object.entries(conf).map(([k, v]) => `${k}=${v}\n`).join(''));
    broker = new CometmqProcess(['broker', '-c', confFile]);
    await broker.waitForLine(/ ready$/);
    return { namesrvAddr: `127.0.0.1:${ports.namesrv}`, brokerAddr: `127.0.0.1:${ports.broker}`, processes: [namesrv, broker] };
  } catch (err) {
    await broker?.stop();
    await namesrv.stop();
    throw err;
  }
}

export interface ConsumerChildConfig {
  readonly namesrvAddr: string;
  readonly topic: string;
  readonly group: string;
  readonly instanceName: string;
  readonly messageModel: 'CLUSTERING' | 'BROADCASTING';
  readonly hold: boolean;
  readonly offsetStoreDir: string;
  readonly suspendMs?: number;
}

export interface ConsumerEvent {
  readonly event: string;
  readonly id?: string;
  readonly queueId?: number;
}

/** The JSON-line events a child (test/e2e/children) has printed so far. */
export function jsonEvents<E>(run: CometmqProcess): E[] {
  return run.lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as E);
}

/** A client child process configured by one JSON argument; `events()` parses what it has printed so far. */
export class EventChild<E> {
  protected readonly run: CometmqProcess;

  constructor(script: string, config: object) {
    this.run = new CometmqProcess([JSON.stringify(config)], script);
  }

  events(): E[] {
    return jsonEvents<E>(this.run);
  }

  output(): string {
    return this.run.lines.join('\n');
  }

  /** SIGTERM: graceful shutdown (offsets committed); resolves with the exit code. */
  stop(): Promise<number | null> {
    return this.run.stop();
  }

  /** SIGKILL: no shutdown work at all. */
  kill(): Promise<void> {
    return this.run.kill();
  }
}

/** A PushConsumer in its own process. */
export class ConsumerChild extends EventChild<ConsumerEvent> {
  constructor(readonly config: ConsumerChildConfig) {
    super(CONSUMER_CHILD, config);
  }

  /** Ids in the order the child reported them with `kind` ('consumed' or 'held'). */
  ids(kind = 'consumed'): string[] {
    return this.events().filter((e) => e.event === kind).map((e) => e.id!);
  }

  async ready(): Promise<void> {
    await pollUntil(`${this.config.instanceName} ready`, () => this.events().some((e) => e.event === 'ready'), WAIT_MS, () => this.output());
  }
}

/** How many pulls the broker is holding right now (GET_BROKER_RUNTIME_INFO's pullHeldCount). */
export async function pullHeldCount(client: RemotingClient, brokerAddr: string): Promise<number> {
  const response = await client.invokeSync(brokerAddr, createRequest(RequestCode.GET_BROKER_RUNTIME_INFO, {}), 5_000);
  if (response.code !== ResponseCode.SUCCESS) throw new Error(`runtime info of ${brokerAddr}: ${response.remark ?? response.code}`);
  const info = JSON.parse(response.body?.toString('utf8') ?? '{}') as { table?: Record<string, string> };
  const held = Number(info.table?.['pullHeldCount']);
  if (!Number.isInteger(held)) throw new Error(`runtime info of ${brokerAddr} has no pullHeldCount`);
  return held;
}
