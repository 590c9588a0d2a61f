/**
 * `npm run bench` (end-to-end part): `cometmq start` as a child process on free ports with a fresh
 * data directory, once per flush type; every client case in its own process; the bare-Node round
 * trip measured in the same run; Markdown tables on stdout and all results as JSON.
 *
 *   node dist/bench/e2e/run-e2e-bench.js [--quick] [--flush ASYNC_FLUSH,SYNC_FLUSH]
 *       [--only produce-async,produce-sync,drain,latency,dispatch] [--out file]
 *       [--node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"]   (given to the broker and every case process)
 *       [--set key=value ...]   (broker settings for the run, as `cometmq start --set`)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { SERVER_NODE_FLAGS } from '../../src/cli/server-node-flags';
import { machineLine } from '../../src/bench/report/machine-info';
import { envInfo, machineCpuTicks, stealPercent } from '../lib/env-info';
import { runIsolated } from '../lib/run-isolated';
import { runMain, writeResults } from '../lib/write-results';
import { startBenchProcess, type BenchProcess } from './bench-process';
import { e2eReport } from './e2e-report';

const BODY_SIZE = 1024;
/** What one pull may take from memory: RocketMQ's default is 32 messages / 256 KiB. */
const MAX_PULL_BATCH = 256;
const FLUSH_TYPES = ['ASYNC_FLUSH', 'SYNC_FLUSH'] as const;
/**
 * A consumer process tuned as RocketMQ's own benchmark tools tune their JVM's young generation: a
 * 32 MiB semi-space (V8's default stops at 16 MiB) halves the scavenges of a consumer that
 * decodes a few hundred thousand messages a second. The drains run with and without it.
 */
const TUNED_CONSUMER_NODE_ARGS = ['--max-semi-space-size=32'];
type Flush = (typeof FLUSH_TYPES)[number];

function sizes(quick: boolean) {
  return quick
    ? { asyncMs: 3_000, syncSends: 5_000, backlog: 100_000, latencyMs: 5_000, dispatchMessages: 1_000 }
    : { asyncMs: 10_000, syncSends: 20_000, backlog: 1_000_000, latencyMs: 20_000, dispatchMessages: 4_000 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, flush: { type: 'string' }, only: { type: 'string' }, out: { type: 'string' }, 'node-args': { type: 'string' }, set: { type: 'string', multiple: true } },
  });
  const selected = new Set((values.only ?? 'produce-async,produce-sync,drain,latency,dispatch').split(','));
  const flushes = (values.flush ?? FLUSH_TYPES.join(',')).split(',') as Flush[];
  for (const f of flushes) if (!FLUSH_TYPES.includes(f)) throw new Error(`--flush takes ASYNC_FLUSH and/or SYNC_FLUSH, got '${f}'`);
  const n = sizes(values.quick ?? false);
  const nodeArgs = (values['node-args'] ?? '').split(' ').filter((a) => a.length > 0);
  const brokerSettings = (values.set ?? []).flatMap((setting) => ['--set', setting]);
  const casesModule = path.join(__dirname, 'e2e-cases.js');
  const results: Record<string, unknown>[] = [];
  const echo = await startBenchProcess([path.join(__dirname, 'echo-server.js')], /^listening (\d+)/);
  try {
    for (const flush of flushes) {
      const dataDir = fs.mkdtempSync(path.join(process.env['COMETMQ_BENCH_DIR'] ?? os.tmpdir(), 'cometmq-e2e-'));
      let broker: BenchProcess | undefined;
      try {
        broker = await startBenchProcess(
          [...SERVER_NODE_FLAGS, ...nodeArgs, path.join(__dirname, '..', '..', '..', 'bin', 'cometmq.js'), 'start', '--data-dir', dataDir, '--namesrv-port', '0', '--broker-port', '0', '--flush', flush,
            '--set', `maxTransferCountOnMessageInMemory=${MAX_PULL_BATCH}`, '--set', `maxTransferBytesOnMessageInMemory=${MAX_PULL_BATCH * 4096}`, ...brokerSettings],
          /name server listening on port (\d+)/, / ready$/);
        const target = { namesrvAddr: `127.0.0.1:${broker.port}`, bodySize: BODY_SIZE };
        const run = async (c: Record<string, unknown>): Promise<Record<string, unknown>> => {
          process.stderr.write(`e2e bench (${flush}): ${JSON.stringify(c)}\n`);
          const cpuBefore = broker!.cpuMicros();
          const ticksBefore = machineCpuTicks();
          const clientNodeArgs = (c['clientNodeArgs'] as string[] | undefined) ?? [];
          const r: Record<string, unknown> = { flushDiskType: flush, ...(await runIsolated(casesModule, { ...target, ...c }, [...nodeArgs, ...clientNodeArgs])) };
          r['hostStealPercent'] = stealPercent(ticksBefore, machineCpuTicks());
          // The broker's CPU over the whole case (warm-up included) per message the case moved.
          const moved = Number(r['messagesTotal'] ?? 0);
          if (moved > 0) r['brokerCpuUsPerMsg'] = (broker!.cpuMicros() - cpuBefore) / moved;
          results.push(r);
          return r;
        };
        if (selected.has('produce-async')) {
          await run({ kind: 'produce-async', topic: 'BenchAsync', inFlight: 1000, durationMs: n.asyncMs });
          await run({ kind: 'produce-async', topic: 'BenchAsync', inFlight: 1000, durationMs: n.asyncMs, autoBatch: true });
        }
        if (selected.has('produce-sync')) {
          await run({ kind: 'produce-sync', topic: 'BenchSync', sends: n.syncSends, echoPort: echo.port, ...(flush === 'SYNC_FLUSH' ? { diskProbeDir: dataDir } : {}) });
        }
        if (selected.has('drain')) {
          await run({ kind: 'fill', topic: 'BenchBacklog', messages: n.backlog, inFlight: 1000 });
          // RocketMQ's default pull size, then a tuned one (the broker above lets a pull take up to 256).
          for (const clientNodeArgs of [[], TUNED_CONSUMER_NODE_ARGS]) {
            for (const pullBatchSize of [32, 256]) await run({ kind: 'drain', topic: 'BenchBacklog', messages: n.backlog, pullBatchSize, clientNodeArgs });
          }
        }
        if (selected.has('dispatch')) {
          await run({ kind: 'fill', topic: 'BenchDispatch', messages: n.dispatchMessages, inFlight: 1000 });
          for (const dispatch of ['in-thread', 'workers'] as const) {
            await run({ kind: 'dispatch', topic: 'BenchDispatch', messages: n.dispatchMessages, dispatch, threads: os.availableParallelism() });
          }
        }
        if (selected.has('latency')) await run({ kind: 'latency', topic: 'BenchLatency', rate: 10_000, durationMs: n.latencyMs });
      } finally {
        await broker?.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await echo.stop();
  }
  console.log(`Machine: ${machineLine(envInfo(os.tmpdir()))}\n`);
  console.log(e2eReport(results));
  writeResults('e2e', results, values.out);
}

runMain(main);
