/**
 * One `cometmq bench` run: validated options in, a target started (an embedded broker child, the
 * in-process store, a peer), the workload run with the console reporter, the BenchResult printed
 * and written, the target stopped — also on Ctrl-C, which ends the run early and still reports
 * what it measured (interrupted: true). Bad input is a BenchUsageError (exit 2).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchResult } from './bench-result';
import { BenchUsageError, durabilityOf, type BenchOptions } from './bench-options';
import { ConsoleReporter, type Output } from './reporter';
import { createStoreTarget } from './store-target';
import { BENCH_TARGETS } from './targets';
import type { BenchTargetFactory } from './target';
import { WORKLOADS } from './workloads';

export interface BenchRunIo {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Aborted on Ctrl-C (the CLI wires SIGINT/SIGTERM to it). */
  readonly signal: AbortSignal;
}

function factoryOf(options: BenchOptions): BenchTargetFactory {
  if (options.kind === 'store') return createStoreTarget;
  const factory = BENCH_TARGETS[options.target];
  if (factory === undefined) throw new BenchUsageError(`unknown --target '${options.target}' (one of ${Object.keys(BENCH_TARGETS).join(', ')})`);
  return factory;
}

/** --json's directory must exist and be writable before the run, not discovered after it. */
function checkJsonPath(file: string | undefined): void {
  if (file === undefined) return;
  const dir = path.dirname(path.resolve(file));
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new BenchUsageError(`--json ${file}: directory ${dir} does not exist or is not writable`);
  }
}

/** `factory` overrides the registry (the peer comparison's --peer-url attaches to a running peer). */
export async function runBenchWith(options: BenchOptions, io: BenchRunIo, factory: BenchTargetFactory = factoryOf(options)): Promise<BenchResult> {
  checkJsonPath(options.json);
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `cometmq-bench-${options.kind}-`));
  if (!ownDataDir) fs.mkdirSync(dataDir, { recursive: true });
  const reporter = new ConsoleReporter(io.stdout, options.kind);
  try {
    const target = await factory({
      durability: durabilityOf(options),
      dataDir,
      ...(options.namesrv !== undefined ? { namesrvAddr: options.namesrv } : {}),
      brokerSettings: options.brokerSettings,
      disposableDataDir: ownDataDir,
    });
    try {
      io.stdout.write(`${options.kind} benchmark against ${target.description}\n`);
      const result = await WORKLOADS[options.kind](target, options, reporter, io.signal);
      // Reported before the target stops: stopping a broker and removing its data take seconds.
      reporter.summary(result);
      if (options.json !== undefined) fs.writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
      return result;
    } finally {
      await target.close();
    }
  } finally {
    if (ownDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
