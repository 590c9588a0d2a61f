/**
 * NATS JetStream behind the BenchTarget contract: one file-storage stream per topic capturing the
 * subject of the same name (queues do not apply: a stream is one ordered log), sends as js.publish
 * awaited for the stream's PubAck (a batch is N publishes, then all acks awaited; one-way is a core
 * publish the stream still captures, with no ack), receivers as a durable pull consumer (`consume`
 * in batches of up to 512, AckPolicy.All, the last message of each delivered group acked, which
 * acks the group).
 *
 * Durability: nats-server's file store writes each message to the OS and fsyncs on a timer
 * (2 minutes by default) or when a block fills; a PubAck means "in the page cache", as an
 * ASYNC_FLUSH SEND_OK does. Newer servers (2.10+) accept `jetstream { sync_interval: always }`
 * (fsync before every PubAck): 'sync' uses it when the installed server accepts it. nats-server
 * 2.9 rejects that option and has no way to fsync every write: 'sync' then runs at the default and
 * the description says so (docs/bench-peers.md).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AckPolicy, DeliverPolicy, NatsError, StorageType, connect, type JsMsg, type NatsConnection } from 'nats';
import type { BenchReceiver, BenchSender, BenchTarget, SendMode, TargetOptions } from '../target';
import { BenchResponseFailure } from '../target';
import { PeerProcess, PeerUnavailable, requireBinary } from './peer-process';

/** Messages a pull consumer asks for at a time. */
const CONSUME_BATCH = 512;

export interface NatsTargetOptions extends TargetOptions {
  /** nats://host:port of a running JetStream server to use instead of starting one. */
  peerUrl?: string;
}

/** Stream and durable names may not hold '.', '*', '>' or whitespace; topics and groups may. */
export function natsName(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_');
}

function serverConfig(port: number, storeDir: string, syncAlways: boolean): string {
  return [
    `listen: 127.0.0.1:${port}`,
    'jetstream {',
    `  store_dir: ${JSON.stringify(storeDir)}`,
    ...(syncAlways ? ['  sync_interval: always'] : []),
    '}',
    '',
  ].join('\n');
}

/** Whether this nats-server accepts `sync_interval: always` (2.10+); `-t` only checks the config. */
function supportsSyncAlways(binary: string, dir: string): boolean {
  const probe = path.join(dir, 'probe-sync.conf');
  fs.writeFileSync(probe, serverConfig(4222, path.join(dir, 'probe'), true));
  try {
    execFileSync(binary, ['-t', '-c', probe], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false; // The server reported the option as unknown.
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

async function connected(server: string): Promise<NatsConnection> {
  try {
    // No reconnects: a lost server must fail the run, not stall it.
    return await connect({ servers: server, reconnect: false, timeout: 5_000 });
  } catch (err) {
    throw new PeerUnavailable(`cannot reach nats at ${server}: ${(err as Error).message}`);
  }
}

export class NatsTarget implements BenchTarget {
  readonly name = 'nats';
  readonly description: string;
  /** host:port clients connect to. */
  readonly server: string;
  readonly #admin: NatsConnection;
  readonly #process: PeerProcess | undefined;
  readonly #dataDir: string | undefined;
  readonly #clients = new Set<{ close(): Promise<void> }>();

  private constructor(server: string, admin: NatsConnection, description: string, process?: PeerProcess, dataDir?: string) {
    this.server = server;
    this.#admin = admin;
    this.description = description;
    this.#process = process;
    this.#dataDir = dataDir;
  }

  /** Starts `nats-server` with JetStream as a child on a free port with a fresh store dir under options.dataDir. */
  static async start(options: NatsTargetOptions): Promise<NatsTarget> {
    if (options.peerUrl !== undefined) return NatsTarget.#attach(options.peerUrl, options);
    const binary = requireBinary('nats-server', 'nats-server');
    const dataDir = path.join(options.dataDir, 'nats');
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true });
    const syncAlways = options.durability === 'sync' && supportsSyncAlways(binary, dataDir);
    const configFile = path.join(dataDir, 'nats-server.conf');
    const { process, port } = await PeerProcess.start((p) => {
      fs.writeFileSync(configFile, serverConfig(p, path.join(dataDir, 'jetstream'), syncAlways));
      return { binary, args: ['-c', configFile], readyText: 'Server is ready' };
    });
    const server = `127.0.0.1:${port}`;
    let admin: NatsConnection;
    try {
      admin = await connected(server);
    } catch (err) {
      await process.stop();
      throw err;
    }
    const flush = syncAlways
      ? 'sync_interval always (fsync before every PubAck)'
      : options.durability === 'sync'
        ? 'default sync (this server has no sync_interval: it cannot fsync every write; sync was asked for)'
        : 'default sync (fsync every 2 min or per full block)';
    const description = `nats-server ${admin.info?.version ?? '?'} -js (child on ${server}), file-storage stream per topic, ${flush}`;
    return new NatsTarget(server, admin, description, process, dataDir);
  }

  static async #attach(url: string, options: TargetOptions): Promise<NatsTarget> {
    if (!/^nats:\/\/[^/\s]+$/.test(url)) throw new PeerUnavailable(`--peer-url must look like nats://host:port, got ${url}`);
    const admin = await connected(url.slice('nats://'.length));
    const description = `nats-server ${admin.info?.version ?? '?'} at ${url} (already running; its sync settings are its own, run asked for ${options.durability})`;
    return new NatsTarget(url.slice('nats://'.length), admin, description);
  }

  /** Stream names the run's topics map to. */
  static streamName(topic: string): string {
    return natsName(topic);
  }

  async prepare(topics: readonly string[], _queuesPerTopic: number): Promise<void> {
    const jsm = await this.#admin.jetstreamManager();
    for (const topic of topics) {
      const name = natsName(topic);
      try {
        await jsm.streams.info(name);
      } catch {
        // No such stream yet (a started server is empty; an attached one may have it from an earlier run).
        await jsm.streams.add({ name, subjects: [topic], storage: StorageType.File, num_replicas: 1 });
      }
    }
  }

  /** The stream's stored configuration (for tests checking what the run asked for was applied). */
  async streamConfig(topic: string): Promise<{ storage: string; subjects: string[] }> {
    const jsm = await this.#admin.jetstreamManager();
    const info = await jsm.streams.info(natsName(topic));
    return { storage: info.config.storage, subjects: info.config.subjects };
  }

  async openSender(): Promise<BenchSender> {
    const sender = new NatsSender(await connected(this.server), this.#clients);
    this.#clients.add(sender);
    return sender;
  }

  async openReceiver(topic: string, group: string): Promise<BenchReceiver> {
    const nc = await connected(this.server);
    const stream = natsName(topic);
    const durable = natsName(group);
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.consumers.info(stream, durable);
    } catch {
      // No such durable yet: create it, delivering from the start of the stream.
      await jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.All,
        deliver_policy: DeliverPolicy.All,
        max_ack_pending: 20_000,
      });
    }
    const receiver = new NatsReceiver(nc, stream, durable, this.#clients);
    this.#clients.add(receiver);
    return receiver;
  }

  async close(): Promise<void> {
    for (const client of [...this.#clients]) await client.close();
    await this.#admin.close();
    if (this.#process) await this.#process.stop();
    if (this.#dataDir) fs.rmSync(this.#dataDir, { recursive: true, force: true });
  }

  get serverPid(): number | undefined {
    return this.#process?.pid;
  }

  get serverHasExited(): boolean {
    return this.#process?.hasExited ?? false;
  }
}

/** A JetStream error answer (or no stream answering: 503) is a response failure; a timeout or lost connection is not. */
function asSendFailure(err: unknown): unknown {
  if (err instanceof NatsError && (err.isJetStreamError() || err.code === '503')) return new BenchResponseFailure(`nats: ${err.message}`);
  return err;
}

class NatsSender implements BenchSender {
  readonly #nc: NatsConnection;
  readonly #js;
  readonly #owners: Set<unknown>;

  constructor(nc: NatsConnection, owners: Set<unknown>) {
    this.#nc = nc;
    this.#js = nc.jetstream();
    this.#owners = owners;
  }

  async send(topic: string, bodies: readonly Buffer[], mode: SendMode): Promise<void> {
    if (mode === 'oneway') {
      for (const body of bodies) this.#nc.publish(topic, body);
      return;
    }
    try {
      if (bodies.length === 1) {
        await this.#js.publish(topic, bodies[0] as Buffer);
        return;
      }
      await Promise.all(bodies.map((body) => this.#js.publish(topic, body)));
    } catch (err) {
      throw asSendFailure(err);
    }
  }

  async close(): Promise<void> {
    this.#owners.delete(this);
    await this.#nc.close();
  }
}

class NatsReceiver implements BenchReceiver {
  readonly #nc: NatsConnection;
  readonly #stream: string;
  readonly #durable: string;
  readonly #owners: Set<unknown>;
  #messages: { close(): Promise<void | Error> } | undefined;

  constructor(nc: NatsConnection, stream: string, durable: string, owners: Set<unknown>) {
    this.#nc = nc;
    this.#stream = stream;
    this.#durable = durable;
    this.#owners = owners;
  }

  async start(onBodies: (bodies: readonly Buffer[]) => void): Promise<void> {
    const consumer = await this.#nc.jetstream().consumers.get(this.#stream, this.#durable);
    let bodies: Buffer[] = [];
    let last: JsMsg | undefined;
    // Messages arriving in one event-loop turn are handed on (and acked) as one group.
    const deliver = (): void => {
      const group = bodies;
      const ackUpTo = last;
      bodies = [];
      last = undefined;
      onBodies(group);
      ackUpTo?.ack();
    };
    this.#messages = await consumer.consume({
      max_messages: CONSUME_BATCH,
      callback: (m: JsMsg) => {
        if (bodies.length === 0) setImmediate(deliver);
        bodies.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
        last = m;
      },
    });
  }

  async close(): Promise<void> {
    this.#owners.delete(this);
    await this.#messages?.close();
    await this.#nc.close();
  }
}

/** The BenchTargetFactory the bench CLI registers under 'nats'. */
export function createNatsTarget(options: NatsTargetOptions): Promise<BenchTarget> {
  return NatsTarget.start(options);
}
