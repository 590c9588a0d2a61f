/**
 * `cometmq bench producer|consumer|e2e --peer redis|nats`: the same workload, with the same options,
 * run against CometMQ and then against the peer, one after the other on the same machine; both
 * result blocks printed, then one ratio line (CometMQ / peer for throughput, p50 and p99), the two
 * BenchResults written to --json FILE and, with --out DIR, a report (report.json/.md/.html).
 *
 * Durability is matched by the one --flush option: ASYNC_FLUSH runs the peer at Redis appendfsync
 * everysec / JetStream's default; SYNC_FLUSH at appendfsync always / JetStream sync_interval always
 * where the installed nats-server has it (docs/bench-peers.md).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchResult } from './bench-result';
import { BenchUsageError, durabilityOf, type BenchOptions } from './bench-options';
import { createNatsTarget } from './peers/nats-target';
import { PeerNotInstalled, requireBinary } from './peers/peer-process';
import { createRedisTarget } from './peers/redis-target';
import { describeMachine } from './report/machine-info';
import { writeReport } from './report/write-report';
import { runBenchWith, type BenchRunIo } from './run-bench';
import { UnsupportedBenchOption, type BenchTarget, type BenchTargetFactory, type TargetOptions } from './target';

export const PEERS = ['redis', 'nats'] as const;
export type PeerName = (typeof PEERS)[number];

export interface CompareArgs {
  readonly peer: PeerName;
  /** redis://host:port or nats://host:port of a running peer, instead of starting one. */
  readonly peerUrl: string | undefined;
  /** Directory for the report (writeReport). */
  readonly out: string | undefined;
}

/** What the comparison writes with --json: both results and the ratios printed. */
export interface ComparisonResult {
  kind: 'comparison';
  peer: PeerName;
  /** CometMQ / peer. Throughput above 1 favours CometMQ; latency below 1 does. */
  ratios: { throughput: number; p50: number; p99: number };
  results: [BenchResult, BenchResult];
}

type PeerFactory = (options: TargetOptions & { peerUrl?: string }) => Promise<BenchTarget>;

const PEER_BINARY: Record<PeerName, { binary: string; debianPackage: string; factory: PeerFactory }> = {
  redis: { binary: 'redis-server', debianPackage: 'redis-server', factory: createRedisTarget },
  nats: { binary: 'nats-server', debianPackage: 'nats-server', factory: createNatsTarget },
};

const COMPARE_FLAGS = new Set(['--peer', '--peer-url', '--out']);

/**
 * Takes --peer, --peer-url and --out (as `--flag value` or `--flag=value`) out of a bench command
 * line; the rest goes to the bench option parser. `compare` is undefined without --peer.
 */
export function extractCompareArgs(args: readonly string[]): { compare: CompareArgs | undefined; rest: string[] } {
  const found = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!COMPARE_FLAGS.has(flag)) {
      rest.push(arg);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new BenchUsageError(`${flag} needs a value`);
    if (found.has(flag)) throw new BenchUsageError(`${flag} given twice`);
    found.set(flag, value);
  }
  const peer = found.get('--peer');
  if (peer === undefined) {
    const stray = [...found.keys()][0];
    if (stray !== undefined) throw new BenchUsageError(`${stray} applies to a peer comparison only (add --peer redis|nats)`);
    return { compare: undefined, rest };
  }
  if (!(PEERS as readonly string[]).includes(peer)) throw new BenchUsageError(`--peer must be ${PEERS.join(' or ')}, got '${peer}'`);
  return { compare: { peer: peer as PeerName, peerUrl: found.get('--peer-url'), out: found.get('--out') }, rest };
}

/** Everything that would make the comparison fail is found before CometMQ's run starts. */
function checkRunnable(options: BenchOptions, compare: CompareArgs): void {
  if (options.kind === 'store') throw new BenchUsageError('--peer compares brokers: use it with bench producer, consumer or e2e');
  if (options.target !== 'cometmq') throw new BenchUsageError(`--peer runs CometMQ and then ${compare.peer}; --target does not apply`);
  if (compare.peer === 'redis' && options.mode === 'oneway') {
    throw new UnsupportedBenchOption('redis has no one-way sends (every command gets a reply); compare with --mode sync or async');
  }
  if (compare.peerUrl === undefined) {
    const { binary, debianPackage } = PEER_BINARY[compare.peer];
    requireBinary(binary, debianPackage);
  } else if (!compare.peerUrl.startsWith(`${compare.peer}://`)) {
    throw new BenchUsageError(`--peer-url for ${compare.peer} must look like ${compare.peer}://host:port, got '${compare.peerUrl}'`);
  }
  for (const file of [options.json, compare.out]) {
    if (file === undefined) continue;
    const dir = path.dirname(path.resolve(file));
    if (!fs.existsSync(dir)) throw new BenchUsageError(`${file}: directory ${dir} does not exist`);
  }
}

export function comparisonRatios(cometmq: BenchResult, peer: BenchResult): ComparisonResult['ratios'] {
  const ratio = (a: number, b: number): number => (b > 0 ? a / b : Number.NaN);
  return {
    throughput: ratio(cometmq.throughput, peer.throughput),
    p50: ratio(cometmq.latency.p50, peer.latency.p50),
    p99: ratio(cometmq.latency.p99, peer.latency.p99),
  };
}

export function ratioLine(peer: PeerName, ratios: ComparisonResult['ratios']): string {
  const x = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)}x` : 'n/a');
  return `CometMQ / ${peer}: throughput ${x(ratios.throughput)}, p50 latency ${x(ratios.p50)}, p99 latency ${x(ratios.p99)} (throughput above 1 and latency below 1 favour CometMQ)`;
}

function durabilityNote(options: BenchOptions, peer: PeerName): string {
  const sync = durabilityOf(options) === 'sync';
  const peerSide = peer === 'redis'
    ? `appendonly yes, appendfsync ${sync ? 'always' : 'everysec'}`
    : sync ? 'JetStream sync_interval always where the server has it (nats-server 2.9 does not: see the description)' : "JetStream's default sync";
  return `Durability matched: CometMQ ${options.flush} against ${peer} ${peerSide}.`;
}

/**
 * Runs the comparison; returns the exit code (0 done, 1 a run failed, 2 bad input or a peer that
 * is not installed, 130 interrupted). Errors are one line on io.stderr.
 */
export async function runComparison(options: BenchOptions, compare: CompareArgs, io: BenchRunIo): Promise<number> {
  try {
    checkRunnable(options, compare);
  } catch (err) {
    io.stderr.write(`cometmq bench: ${(err as Error).message}\n`);
    return 2;
  }
  const perRun = { ...options, json: undefined };
  const results: BenchResult[] = [];
  let failureCode = 0;
  try {
    io.stdout.write(`=== ${options.kind} against CometMQ ===\n`);
    results.push(await runBenchWith({ ...perRun, target: 'cometmq' }, io));
    if (!io.signal.aborted) {
      io.stdout.write(`\n=== ${options.kind} against ${compare.peer} ===\n`);
      const { factory } = PEER_BINARY[compare.peer];
      const peerFactory: BenchTargetFactory = (targetOptions) =>
        factory(compare.peerUrl === undefined ? targetOptions : { ...targetOptions, peerUrl: compare.peerUrl });
      results.push(await runBenchWith({ ...perRun, target: compare.peer }, io, peerFactory));
    }
  } catch (err) {
    io.stderr.write(`cometmq bench: ${(err as Error).message.split('\n')[0]}\n`);
    const isBadInput = err instanceof BenchUsageError || err instanceof UnsupportedBenchOption || err instanceof PeerNotInstalled;
    failureCode = isBadInput ? 2 : 1;
    if (results.length === 0) return failureCode;
    // The peer's run failed: CometMQ's figures are still written below.
  }
  const interrupted = io.signal.aborted || results.some((r) => r.interrupted === true);
  const [cometmq, peer] = results;
  let comparison: ComparisonResult | undefined;
  if (cometmq !== undefined && peer !== undefined) {
    const ratios = comparisonRatios(cometmq, peer);
    io.stdout.write(`\n${ratioLine(compare.peer, ratios)}\n`);
    comparison = { kind: 'comparison', peer: compare.peer, ratios, results: [cometmq, peer] };
  }
  if (options.json !== undefined) {
    const written = comparison ?? { kind: 'comparison', peer: compare.peer, results, interrupted: true };
    fs.writeFileSync(options.json, `${JSON.stringify(written, null, 2)}\n`);
  }
  if (compare.out !== undefined) {
    const files = writeReport(path.resolve(compare.out), {
      title: `CometMQ vs ${compare.peer}: bench ${options.kind}`,
      machine: describeMachine(options.dataDir ?? os.tmpdir()),
      cells: results.map((result) => ({
        label: result.target,
        params: { target: result.target, durability: durabilityOf(options), size: options.size, batch: options.batch, threads: options.threads, mode: options.mode },
        result,
      })),
      notes: [
        'The same workload run against CometMQ, then the peer, one after the other on this machine.',
        durabilityNote(options, compare.peer),
        ...(comparison ? [ratioLine(compare.peer, comparison.ratios)] : [`The ${compare.peer} run did not complete.`]),
      ],
      interrupted,
    });
    io.stdout.write(`report: ${files.html}\n`);
  }
  if (failureCode !== 0) return failureCode;
  if (interrupted) return 130;
  return comparison === undefined ? 1 : 0;
}
