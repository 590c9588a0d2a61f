/**
 * `cometmq bench <kind>` options: parsed with node:util parseArgs and validated completely before
 * anything starts (no broker is spawned for a run that cannot happen). Every problem is a
 * BenchUsageError: one line on stderr, exit code 2.
 */
import { parseArgs } from 'node:util';
import type { Durability, SendMode } from './target';

export type BenchKind = 'producer' | 'consumer' | 'e2e' | 'store';
export const BENCH_KINDS: readonly BenchKind[] = ['producer', 'consumer', 'e2e', 'store'];
export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';

export interface BenchOptions {
  readonly kind: BenchKind;
  /** BenchTarget registry name; 'store' for the store kind. */
  readonly target: string;
  readonly size: number;
  /** Requests in flight at once (closed loop: each "thread" awaits its send; open loop: the cap). */
  readonly threads: number;
  readonly batch: number;
  readonly topic: string;
  readonly topics: number;
  readonly queues: number;
  /** Exactly one of messages / durationSeconds is set. */
  readonly messages: number | undefined;
  readonly durationSeconds: number | undefined;
  /** Messages per second, open loop; 0 = as fast as the window allows. */
  readonly rate: number;
  readonly flush: FlushDiskType;
  readonly mode: SendMode;
  readonly namesrv: string | undefined;
  readonly json: string | undefined;
  readonly dataDir: string | undefined;
  readonly brokerSettings: Readonly<Record<string, string>>;
  readonly warmupSeconds: number;
  /** consumer only: consume while the producer runs instead of filling a backlog first. */
  readonly live: boolean;
}

/** Bad command-line input: printed as one line, exit code 2. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export const BENCH_USAGE = `usage: cometmq bench producer|consumer|e2e|store [options]
  --size BYTES          message body size (default 128)
  --threads N           requests in flight: concurrent senders, or the cap of an open loop (default 64)
  --batch N             messages per send request (default 1)
  --topic NAME          topic, or the prefix of --topics names (default CometBench)
  --topics N            spread sends over N topics NAME-0..NAME-(N-1) (default 1)
  --queues N            queues per topic (default 8)
  --messages N | --duration S   how much to send (default: 10 s; consumer: 100,000 messages)
  --rate N              open loop at N msgs/s with coordinated-omission correction (e2e default 1,000; 0 = closed loop)
  --mode sync|async|oneway      how sends are acknowledged (default sync)
  --flush ASYNC_FLUSH|SYNC_FLUSH  embedded broker / store flush type (default ASYNC_FLUSH)
  --namesrv ADDR        run against this cluster instead of an embedded broker
  --data-dir DIR        data directory of the embedded broker / store (default: a fresh temp dir, removed)
  --set key=value       broker.conf setting for the embedded broker (repeatable)
  --warmup S            run S seconds first and discard their figures (default 0)
  --live                consumer: consume while producing instead of draining a backlog
  --target NAME         system to drive (default cometmq)
  --peer redis|nats     run CometMQ, then the same workload against the peer, and print the ratio
                        (--peer-url URL: a running peer; --out DIR: a report; docs/bench-peers.md)
  --json FILE           write the BenchResult JSON`;

const OPTIONS = {
  size: { type: 'string' }, threads: { type: 'string' }, batch: { type: 'string' }, topic: { type: 'string' },
  topics: { type: 'string' }, queues: { type: 'string' }, messages: { type: 'string' }, duration: { type: 'string' },
  rate: { type: 'string' }, flush: { type: 'string' }, mode: { type: 'string' }, namesrv: { type: 'string', short: 'n' },
  json: { type: 'string' }, 'data-dir': { type: 'string' }, set: { type: 'string', multiple: true }, warmup: { type: 'string' },
  live: { type: 'boolean' }, target: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

const MAX_BODY = 4 * 1024 * 1024;
/** consumer and e2e bodies carry the send time (bytes 0-7) and the run id (bytes 8-15). */
export const STAMP_BYTES = 16;
/** Every receiver is a consumer of its own; past this many topics that is no longer a benchmark of the broker. */
const MAX_RECEIVE_TOPICS = 64;
const TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]+$/;

function integer(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) throw new BenchUsageError(`--${name} must be an integer from ${min} to ${max.toLocaleString('en-US')}, got '${value}'`);
  return n;
}

function seconds(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > 7 * 24 * 3600) throw new BenchUsageError(`--${name} must be a number of seconds${min > 0 ? ' above 0' : ''}, got '${value}'`);
  if (min > 0 && n <= 0) throw new BenchUsageError(`--${name} must be above 0, got '${value}'`);
  return n;
}

function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new BenchUsageError(`--${name} must be ${allowed.join(' or ')}, got '${value}'`);
  return value as T;
}

function settings(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new BenchUsageError(`--set takes key=value (a broker.conf line), got '${pair}'`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

function namesrvAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  for (const addr of value.split(';')) {
    const m = /^([^\s:;]+):(\d+)$/.exec(addr.trim());
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new BenchUsageError(`--namesrv must be host:port[;host:port...], got '${value}'`);
  }
  return value;
}

/** Reads `cometmq bench <kind> ...`; throws BenchUsageError for anything it cannot run. */
export function parseBenchOptions(kindArg: string | undefined, args: readonly string[]): BenchOptions | 'help' {
  if (kindArg === undefined || kindArg === 'help' || kindArg === '--help' || kindArg === '-h') return 'help';
  if (!(BENCH_KINDS as readonly string[]).includes(kindArg)) throw new BenchUsageError(`unknown bench '${kindArg}' (one of ${BENCH_KINDS.join(', ')})`);
  const kind = kindArg as BenchKind;
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    // parseArgs explains itself over a few lines; one line is wanted.
    const message = String((err as Error).message);
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(message);
    if (ambiguous !== null) throw new BenchUsageError(`${ambiguous[1]} needs a value (a value starting with '-' is written ${ambiguous[1]}=-N)`);
    throw new BenchUsageError(message.split('\n')[0]!.replace(/\. To specify.*$/, ''));
  }
  if (values['help'] === true) return 'help';
  const str = (name: string): string | undefined => values[name] as string | undefined;

  const receives = kind === 'consumer' || kind === 'e2e';
  const size = integer(str('size'), 'size', 128, receives ? STAMP_BYTES : 1, MAX_BODY);
  const batch = integer(str('batch'), 'batch', 1, 1, 1024);
  if (size * batch > MAX_BODY) throw new BenchUsageError(`--batch ${batch} of --size ${size} is ${size * batch} bytes; a request carries at most ${MAX_BODY} (maxMessageSize)`);
  const topic = str('topic') ?? 'CometBench';
  if (!TOPIC_PATTERN.test(topic) || topic.length > 120) throw new BenchUsageError(`--topic must be 1-120 characters of [%|a-zA-Z0-9_-], got '${topic}'`);
  const topics = integer(str('topics'), 'topics', 1, 1, 100_000);
  if (receives && topics > MAX_RECEIVE_TOPICS) throw new BenchUsageError(`--topics is at most ${MAX_RECEIVE_TOPICS} for ${kind} (one consumer per topic); use producer for more`);

  const messagesArg = str('messages');
  const durationArg = str('duration');
  if (messagesArg !== undefined && durationArg !== undefined) throw new BenchUsageError('give either --messages or --duration, not both');
  let messages = messagesArg === undefined ? undefined : integer(messagesArg, 'messages', 0, 1, 1e12);
  let durationSeconds = seconds(durationArg, 'duration', 1e-9);
  if (messages === undefined && durationSeconds === undefined) {
    if (kind === 'consumer') messages = 100_000;
    else durationSeconds = 10;
  }
  if (messages !== undefined && messages < batch) throw new BenchUsageError(`--messages ${messages} is fewer than one --batch of ${batch}`);

  const mode = oneOf<SendMode>(str('mode'), 'mode', ['sync', 'async', 'oneway'], 'sync');
  const namesrv = namesrvAddress(str('namesrv'));
  const dataDir = str('data-dir');
  const brokerSettings = settings((values['set'] as string[] | undefined) ?? []);
  if (namesrv !== undefined) {
    if (kind === 'store') throw new BenchUsageError('bench store drives the embedded store directly; --namesrv does not apply');
    if (dataDir !== undefined) throw new BenchUsageError('--data-dir is for the embedded broker; it cannot be given with --namesrv');
    if (Object.keys(brokerSettings).length > 0) throw new BenchUsageError('--set configures the embedded broker; it cannot change a cluster reached with --namesrv');
  }
  if (kind === 'store' && mode === 'oneway') throw new BenchUsageError('bench store has no one-way sends: every append is awaited');
  const target = kind === 'store' ? 'store' : str('target') ?? 'cometmq';
  if (kind === 'store' && str('target') !== undefined) throw new BenchUsageError('bench store always drives the embedded store; --target does not apply');
  const live = values['live'] === true;
  if (live && kind !== 'consumer') throw new BenchUsageError('--live applies to bench consumer only');

  return {
    kind,
    target,
    size,
    threads: integer(str('threads'), 'threads', 64, 1, 10_000),
    batch,
    topic,
    topics,
    queues: integer(str('queues'), 'queues', 8, 1, 1024),
    messages,
    durationSeconds,
    rate: integer(str('rate'), 'rate', kind === 'e2e' ? 1000 : 0, 0, 100_000_000),
    flush: oneOf<FlushDiskType>(str('flush'), 'flush', ['ASYNC_FLUSH', 'SYNC_FLUSH'], 'ASYNC_FLUSH'),
    mode,
    namesrv,
    json: str('json'),
    dataDir,
    brokerSettings,
    warmupSeconds: seconds(str('warmup'), 'warmup', 0) ?? 0,
    live,
  };
}

export function durabilityOf(options: BenchOptions): Durability {
  return options.flush === 'SYNC_FLUSH' ? 'sync' : 'async';
}

/** Topic names of the run: the topic itself, or NAME-0 … NAME-(N-1). */
export function topicNames(options: BenchOptions): string[] {
  if (options.topics === 1) return [options.topic];
  return Array.from({ length: options.topics }, (_, i) => `${options.topic}-${i}`);
}

/** The resolved options as BenchResult.options records them (re-runnable exactly). */
export function recordedOptions(options: BenchOptions): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {
    size: options.size, threads: options.threads, batch: options.batch, topic: options.topic, topics: options.topics, queues: options.queues,
    rate: options.rate, flush: options.flush, mode: options.mode, warmup: options.warmupSeconds, target: options.target,
    embedded: options.namesrv === undefined,
  };
  if (options.messages !== undefined) out['messages'] = options.messages;
  if (options.durationSeconds !== undefined) out['duration'] = options.durationSeconds;
  if (options.namesrv !== undefined) out['namesrv'] = options.namesrv;
  if (options.live) out['live'] = true;
  for (const [k, v] of Object.entries(options.brokerSettings)) out[`set.${k}`] = v;
  return out;
}
