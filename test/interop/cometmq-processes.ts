/**
 * CometMQ as a user runs it, for tests that drive it with someone else's client: `cometmq start`, or
 * `cometmq namesrv` + `cometmq broker -c broker.conf`, as child processes on free loopback ports,
 * plus the few admin calls (through our own remoting client) that a test needs to set up and check.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createRequest, RequestCode, ResponseCode } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'cometmq.js');
const START_DEADLINE_MS = 20_000;
const RPC_TIMEOUT_MS = 5_000;

export class CometmqProcess {
  readonly lines: string[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;

  /** `script` defaults to the `cometmq` command; tests also run their own helper scripts this way. */
  constructor(args: readonly string[], script = BIN) {
    this.child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer): void => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
    };
    this.child.stdout.on('data', collect);
    this.child.stderr.on('data', collect);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  /** The first capture group of the first output line matching `pattern` (waits for it). */
  async waitForLine(pattern: RegExp): Promise<string> {
    let found: string | undefined;
    await pollUntil(`a line matching ${pattern}`, () => {
      for (const line of this.lines) {
        const match = pattern.exec(line);
        if (match) found = match[1] ?? match[0];
      }
      return found !== undefined;
    }, START_DEADLINE_MS, () => this.lines.join('\n'));
    return found!;
  }

  /** An abrupt death (no shutdown work at all); resolves when the process is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (a graceful shutdown) and the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

export interface Cluster {
  readonly namesrvAddr: string;
  readonly brokerAddr: string;
  readonly processes: readonly CometmqProcess[];
}

/** `cometmq start` with `dataDir`, on the given ports or on ports the OS picks. */
export async function startStandalone(dataDir: string, ports = { namesrv: 0, broker: 0 }): Promise<Cluster> {
  const run = new CometmqProcess(['start', '--data-dir', dataDir, '--namesrv-port', String(ports.namesrv), '--broker-port', String(ports.broker)]);
  try {
    const namesrvPort = await run.waitForLine(/name server listening on port (\d+)/);
    const brokerPort = await run.waitForLine(/broker \S+ .* listening on port (\d+)/);
    await run.waitForLine(/ ready$/);
    return { namesrvAddr: `127.0.0.1:${namesrvPort}`, brokerAddr: `127.0.0.1:${brokerPort}`, processes: [run] };
  } catch (err) {
    await run.stop();
    throw err;
  }
}

/** `cometmq namesrv` and `cometmq broker -c <dataDir>/broker.conf` with extra broker.conf lines. */
export async function startNamesrvAndBroker(dataDir: string, brokerConf: Readonly<Record<string, string>>): Promise<Cluster> {
  const namesrv = new CometmqProcess(['namesrv', '--home', path.join(dataDir, 'namesrv'), '--port', '0']);
  let broker: CometmqProcess | undefined;
  try {
    const namesrvPort = await namesrv.waitForLine(/name server listening on port (\d+)/);
    await namesrv.waitForLine(/ ready$/);
    const conf = {
      brokerClusterName: 'InteropCluster', brokerName: 'broker-interop', brokerId: '0',
      namesrvAddr: `127.0.0.1:${namesrvPort}`, listenHost: '127.0.0.1', listenPort: '0', brokerIP1: '127.0.0.1',
      storePathRootDir: path.join(dataDir, 'store'), ...brokerConf,
    };
    const confFile = path.join(dataDir, 'broker.conf');
    fs.writeFileSync(confFile, Object.entries(conf).map(([k, v]) => `${k}=${v}\n`).join(''));
    broker = new CometmqProcess(['broker', '-c', confFile]);
    const brokerPort = await broker.waitForLine(/broker \S+ .* listening on port (\d+)/);
    await broker.waitForLine(/ ready$/);
    return { namesrvAddr: `127.0.0.1:${namesrvPort}`, brokerAddr: `127.0.0.1:${brokerPort}`, processes: [namesrv, broker] };
  } catch (err) {
    await broker?.stop();
    await namesrv.stop();
    throw err;
  }
}

/**
 * A port that was free a moment ago, for a server that must come back on the same address after a
 * restart (clients keep the name server address they were given). Another process could take it
 * in between; on a test machine that is rare and fails loudly (EADDRINUSE), never silently.
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Stops every process (broker first) and returns their exit codes in start order. */
export async function stopCluster(cluster: Cluster): Promise<(number | null)[]> {
  const codes: (number | null)[] = [];
  for (const run of [...cluster.processes].reverse()) codes.unshift(await run.stop());
  return codes;
}

/** Polls an async condition until it holds, failing with `what` (and optional context) at the deadline. */
export async function pollUntil(
  what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number, context?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms${context ? `:\n${context()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Admin calls through CometMQ's own remoting client (the third-party client has no admin API). */
export class Admin {
  private readonly client = new RemotingClient();

  constructor(private readonly cluster: Cluster) {}

  /** Creates the topic on the broker and waits until the name server routes it (ali-ons never auto-creates). */
  async createTopic(topic: string, queueNums: number): Promise<void> {
    const created = await this.client.invokeSync(this.cluster.brokerAddr, createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
      topic, readQueueNums: String(queueNums), writeQueueNums: String(queueNums), perm: '6',
    }), RPC_TIMEOUT_MS);
    assert.equal(created.code, ResponseCode.SUCCESS, `create topic ${topic}: ${created.remark ?? ''}`);
    await pollUntil(`route for ${topic}`, async () => {
      const route = await this.client.invokeSync(this.cluster.namesrvAddr, createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }), RPC_TIMEOUT_MS);
      return route.code === ResponseCode.SUCCESS;
    }, START_DEADLINE_MS);
  }

  async maxOffset(topic: string, queueId: number): Promise<number> {
    const response = await this.client.invokeSync(this.cluster.brokerAddr, createRequest(RequestCode.GET_MAX_OFFSET, { topic, queueId: String(queueId) }), RPC_TIMEOUT_MS);
    assert.equal(response.code, ResponseCode.SUCCESS, `max offset of ${topic}:${queueId}: ${response.remark ?? ''}`);
    return Number(response.extFields['offset']);
  }

  /** The group's committed offset of a queue, or -1 when it has none. */
  async consumerOffset(group: string, topic: string, queueId: number): Promise<number> {
    const response = await this.client.invokeSync(this.cluster.brokerAddr, createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup: group, topic, queueId: String(queueId),
    }), RPC_TIMEOUT_MS);
    if (response.code === ResponseCode.QUERY_NOT_FOUND) return -1;
    assert.equal(response.code, ResponseCode.SUCCESS, `consumer offset of ${group} on ${topic}:${queueId}: ${response.remark ?? ''}`);
    return Number(response.extFields['offset']);
  }

  /** The client ids the broker currently lists for the group. */
  async consumerIds(group: string): Promise<string[]> {
    const response = await this.client.invokeSync(this.cluster.brokerAddr, createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: group }), RPC_TIMEOUT_MS);
    if (response.code !== ResponseCode.SUCCESS) return [];
    return (JSON.parse(response.body?.toString('utf8') ?? '{}') as { consumerIdList?: string[] }).consumerIdList ?? [];
  }

  /** True when the group has committed every queue of the topic up to its end. */
  async hasCommittedAll(group: string, topic: string, queueNums: number): Promise<boolean> {
    for (let queueId = 0; queueId < queueNums; queueId++) {
      if ((await this.consumerOffset(group, topic, queueId)) < (await this.maxOffset(topic, queueId))) return false;
    }
    return true;
  }

  async shutdown(): Promise<void> {
    await this.client.shutdown();
  }
}
