/**
 * The contract between the benchmark workloads (`cometmq bench producer | consumer | e2e`) and what
 * they drive: a CometMQ broker (embedded or reached through a name server) or a peer broker (Redis
 * Streams, NATS JetStream). A workload owns pacing, concurrency and measurement; a target only moves
 * bytes, so every system runs the same workload code.
 */

/**
 * Durability a run asks for. Each target maps it to its own fairest equivalent: CometMQ ASYNC_FLUSH /
 * SYNC_FLUSH, Redis appendfsync everysec / always, JetStream's default / sync_interval always.
 */
export type Durability = 'async' | 'sync';

export interface TargetOptions {
  durability: Durability;
  /** Data directory for a server the target starts itself (embedded broker, redis-server, nats-server). */
  dataDir: string;
  /** Reach an already running CometMQ cluster through this name server instead of starting one. */
  namesrvAddr?: string;
  /** Extra broker.conf settings for an embedded CometMQ broker (the flush experiments' knobs). */
  brokerSettings?: Record<string, string>;
  /**
   * The data directory is deleted after the run, so a server the target started may be killed
   * instead of shut down cleanly (a clean stop fsyncs every file: tens of seconds after many topics).
   */
  disposableDataDir?: boolean;
}

export interface BenchTarget {
  /** 'cometmq', 'redis', 'nats'. */
  readonly name: string;
  /** One line for reports: version, durability mapping, where it runs. */
  readonly description: string;
  /** Creates the topics (streams, subjects) with this many queues (partitions) each where it applies. */
  prepare(topics: readonly string[], queuesPerTopic: number): Promise<void>;
  openSender(): Promise<BenchSender>;
  /** A consumer in `group` over `topic`, delivering from the start of what is stored. */
  openReceiver(topic: string, group: string): Promise<BenchReceiver>;
  /** Closes clients and stops any server the target started. */
  close(): Promise<void>;
}

/** How a send is acknowledged: awaited, awaited with many in flight (the workload's window), or not at all. */
export type SendMode = 'sync' | 'async' | 'oneway';

export interface BenchSender {
  /**
   * Sends `bodies` to `topic` as one request (a batch when there are several). Resolves once the
   * target acknowledged them at the run's durability ('oneway': once written to the socket); rejects
   * on a send or response failure. Targets that cannot honour a mode throw UnsupportedBenchOption.
   */
  send(topic: string, bodies: readonly Buffer[], mode: SendMode): Promise<void>;
  close(): Promise<void>;
}

export interface BenchReceiver {
  /** Starts delivery; `onBodies` is called for every group of bodies as they arrive, in arrival order. */
  start(onBodies: (bodies: readonly Buffer[]) => void): Promise<void>;
  close(): Promise<void>;
}

/** A run option a target cannot honour (e.g. one-way sends to Redis): one clear line, non-zero exit. */
export class UnsupportedBenchOption extends Error {
  override readonly name = 'UnsupportedBenchOption';
}

/**
 * A send the server answered with an error (RocketMQ's "Response Failed"). Any other rejection of
 * BenchSender.send counts as a send failure (no answer: timeout, connection lost).
 */
export class BenchResponseFailure extends Error {
  override readonly name = 'BenchResponseFailure';
}

export type BenchTargetFactory = (options: TargetOptions) => Promise<BenchTarget>;
