/**
 * Redis Streams behind the BenchTarget contract: one stream per topic (queues do not apply: a
 * stream is one ordered log), sends as XADD (a batch is N XADDs in one pipeline; no MAXLEN, so
 * nothing is trimmed), receivers as a consumer group read with XREADGROUP BLOCK and acknowledged
 * with XACK per group of entries.
 *
 * Durability: appendonly yes with appendfsync everysec ('async', the counterpart of ASYNC_FLUSH) or
 * always ('sync', SYNC_FLUSH). With `always` Redis fsyncs the AOF before it writes the replies of
 * an event-loop iteration, so an XADD reply means the entry is on disk, as a SYNC_FLUSH SEND_OK does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Redis from 'ioredis';
import type { BenchReceiver, BenchSender, BenchTarget, SendMode, TargetOptions } from '../target';
import { BenchResponseFailure, UnsupportedBenchOption } from '../target';
import { PeerProcess, PeerUnavailable, requireBinary } from './peer-process';

/** Stream field the body is stored under (one field per entry). */
const BODY_FIELD = 'b';
/** Entries per XREADGROUP; RocketMQ's default pull batch is 32, its benchmark consumer pulls more. */
const READ_COUNT = 256;
/** How long a XREADGROUP waits for new entries before the loop checks whether it was closed. */
const READ_BLOCK_MS = 200;

export interface RedisTargetOptions extends TargetOptions {
  /** redis://host:port of a running server to use instead of starting one (its settings are reported, not changed). */
  peerUrl?: string;
}

type IoRedis = typeof import('ioredis');

/**
 * ioredis, loaded on first use rather than with this module: it declares `class extends String`,
 * which turns String.prototype into a slow (dictionary-mode) object for the whole process, so every
 * string method call in a broker or client that merely imported the bench harness (the CLI does)
 * would go through a generic property lookup (measured: ~20% of a broker's CPU under produce).
 */
let ioredis: IoRedis | undefined;
function loadIoRedis(): IoRedis {
  ioredis ??= require('ioredis') as IoRedis;
  return ioredis;
}

function clientFor(host: string, port: number): Redis {
  const { default: RedisClient } = loadIoRedis();
  // No retries or offline queue: a lost server must fail the run, not stall it. RESP2: the reply
  // shapes below (XREADGROUP as nested arrays) are RESP2's; RESP3 would turn the stream list into a map.
  return new RedisClient({ host, port, protocol: 2, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
}

async function connected(host: string, port: number): Promise<Redis> {
  const client = clientFor(host, port);
  client.on('error', () => {
    // Connection errors reach the command that was waiting; the event alone would crash the process.
  });
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new PeerUnavailable(`cannot reach redis at ${host}:${port}: ${(err as Error).message}`);
  }
  return client;
}

function parseRedisUrl(url: string): { host: string; port: number } {
  const match = /^redis:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (!match) throw new PeerUnavailable(`--peer-url must look like redis://host:port, got ${url}`);
  return { host: match[1] ?? '127.0.0.1', port: Number(match[2] ?? 6379) };
}

export class RedisTarget implements BenchTarget {
  readonly name = 'redis';
  readonly description: string;
  readonly host: string;
  readonly port: number;
  readonly #admin: Redis;
  readonly #server: PeerProcess | undefined;
  readonly #dataDir: string | undefined;
  readonly #clients = new Set<{ close(): Promise<void> }>();

  private constructor(host: string, port: number, admin: Redis, description: string, server?: PeerProcess, dataDir?: string) {
    this.host = host;
    this.port = port;
    this.#admin = admin;
    this.description = description;
    this.#server = server;
    this.#dataDir = dataDir;
  }

  /** Starts redis-server as a child on a free port with a fresh data dir under options.dataDir. */
  static async start(options: RedisTargetOptions): Promise<RedisTarget> {
    if (options.peerUrl !== undefined) return RedisTarget.#attach(options.peerUrl, options);
    const binary = requireBinary('redis-server', 'redis-server');
    const dataDir = path.join(options.dataDir, 'redis');
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true });
    const fsync = options.durability === 'sync' ? 'always' : 'everysec';
    const { process: server, port } = await PeerProcess.start((p) => ({
      binary,
      readyText: 'Ready to accept connections',
      // No RDB snapshots (they would fork mid-run); the AOF alone is the durability being measured.
      args: ['--port', String(p), '--bind', '127.0.0.1', '--dir', dataDir, '--appendonly', 'yes', '--appendfsync', fsync,
        '--save', '', '--daemonize', 'no'],
    }));
    let admin: Redis;
    try {
      admin = await connected('127.0.0.1', port);
    } catch (err) {
      await server.stop();
      throw err;
    }
    const version = await serverVersion(admin);
    const description = `redis-server ${version} (child on 127.0.0.1:${port}), Redis Streams XADD / XREADGROUP+XACK, appendonly yes, appendfsync ${fsync}`;
    return new RedisTarget('127.0.0.1', port, admin, description, server, dataDir);
  }

  static async #attach(url: string, options: TargetOptions): Promise<RedisTarget> {
    const { host, port } = parseRedisUrl(url);
    const admin = await connected(host, port);
    const version = await serverVersion(admin);
    const settings = await fsyncSettings(admin);
    const wanted = options.durability === 'sync' ? 'always' : 'everysec';
    const description = `redis-server ${version} at ${host}:${port} (already running; ${settings}, not changed; run asked for appendfsync ${wanted})`;
    return new RedisTarget(host, port, admin, description);
  }

  /** Streams are created by the first XADD or by the receiver's XGROUP CREATE ... MKSTREAM. */
  async prepare(_topics: readonly string[], _queuesPerTopic: number): Promise<void> {
    await this.#admin.ping();
  }

  async openSender(): Promise<BenchSender> {
    const sender = new RedisSender(await connected(this.host, this.port), this.#clients);
    this.#clients.add(sender);
    return sender;
  }

  async openReceiver(topic: string, group: string): Promise<BenchReceiver> {
    const receiver = new RedisReceiver(await connected(this.host, this.port), topic, group, this.#clients);
    this.#clients.add(receiver);
    return receiver;
  }

  async close(): Promise<void> {
    for (const client of [...this.#clients]) await client.close();
    this.#admin.disconnect();
    if (this.#server) await this.#server.stop();
    if (this.#dataDir) fs.rmSync(this.#dataDir, { recursive: true, force: true });
  }

  /** Pid of the redis-server child (undefined when attached to a running server); for tests. */
  get serverPid(): number | undefined {
    return this.#server?.pid;
  }

  get serverHasExited(): boolean {
    return this.#server?.hasExited ?? false;
  }
}

async function serverVersion(client: Redis): Promise<string> {
  const info = await client.info('server');
  return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
}

async function fsyncSettings(client: Redis): Promise<string> {
  const aof = (await client.config('GET', 'appendonly')) as string[];
  const fsync = (await client.config('GET', 'appendfsync')) as string[];
  return `appendonly ${aof[1] ?? '?'}, appendfsync ${fsync[1] ?? '?'}`;
}

class RedisSender implements BenchSender {
  readonly #client: Redis;
  readonly #owners: Set<unknown>;

  constructor(client: Redis, owners: Set<unknown>) {
    this.#client = client;
    this.#owners = owners;
  }

  async send(topic: string, bodies: readonly Buffer[], mode: SendMode): Promise<void> {
    if (mode === 'oneway') throw new UnsupportedBenchOption('redis has no one-way sends (every command gets a reply); use --mode sync or async');
    try {
      if (bodies.length === 1) {
        await this.#client.xaddBuffer(topic, '*', BODY_FIELD, bodies[0] as Buffer);
        return;
      }
      const pipeline = this.#client.pipeline();
      for (const body of bodies) pipeline.xaddBuffer(topic, '*', BODY_FIELD, body);
      const replies = (await pipeline.exec()) ?? [];
      for (const [err] of replies) if (err) throw err;
    } catch (err) {
      // An error reply is the server answering (Response Failed); anything else is a lost request.
      if (err instanceof loadIoRedis().ReplyError) throw new BenchResponseFailure(`redis: ${(err as Error).message}`);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.#owners.delete(this);
    this.#client.disconnect();
  }
}

/** XREADGROUP reply: [[stream, [[id, [field, value, ...]], ...]]] or null when BLOCK timed out. */
type ReadGroupReply = Array<[Buffer, Array<[Buffer, Buffer[] | null]>]> | null;

class RedisReceiver implements BenchReceiver {
  readonly #client: Redis;
  readonly #topic: string;
  readonly #group: string;
  readonly #owners: Set<unknown>;
  #closing = false;
  #loop: Promise<void> | undefined;

  constructor(client: Redis, topic: string, group: string, owners: Set<unknown>) {
    this.#client = client;
    this.#topic = topic;
    this.#group = group;
    this.#owners = owners;
  }

  async start(onBodies: (bodies: readonly Buffer[]) => void): Promise<void> {
    try {
      // '0': the group starts at the beginning of the stream (what is stored is delivered).
      await this.#client.xgroup('CREATE', this.#topic, this.#group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
    this.#loop = this.#readLoop(onBodies).catch((err: unknown) => {
      if (!this.#closing) process.stderr.write(`redis receiver stopped: ${(err as Error).message}\n`);
    });
  }

  async #readLoop(onBodies: (bodies: readonly Buffer[]) => void): Promise<void> {
    const consumer = `bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    while (!this.#closing) {
      const reply = (await this.#client.callBuffer('XREADGROUP', 'GROUP', this.#group, consumer, 'COUNT', READ_COUNT,
        'BLOCK', READ_BLOCK_MS, 'STREAMS', this.#topic, '>')) as ReadGroupReply;
      if (reply === null) continue;
      for (const [, entries] of reply) {
        if (entries.length === 0) continue;
        const bodies: Buffer[] = [];
        const ids: Buffer[] = [];
        for (const [id, fields] of entries) {
          ids.push(id);
          const body = fields?.[1];
          if (body !== undefined) bodies.push(body);
        }
        onBodies(bodies);
        // Not awaited: the ack travels pipelined ahead of the next XREADGROUP on this connection.
        this.#client.xack(this.#topic, this.#group, ...ids).catch((err: unknown) => {
          if (!this.#closing) process.stderr.write(`redis XACK failed: ${(err as Error).message}\n`);
        });
      }
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#owners.delete(this);
    this.#client.disconnect();
    await this.#loop;
  }
}

/** The BenchTargetFactory the bench CLI registers under 'redis'. */
export function createRedisTarget(options: RedisTargetOptions): Promise<BenchTarget> {
  return RedisTarget.start(options);
}
