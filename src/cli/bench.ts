/**
 * `cometmq bench producer | consumer | e2e | store`: the benchmark harness (docs/bench-harness.md).
 * Returns the exit code: 0 done, 2 bad input (one line on stderr), 1 a run that failed, 130 a run
 * cut short by Ctrl-C (its figures are still printed and written).
 */
import { BENCH_USAGE, BenchUsageError, parseBenchOptions } from '../bench/bench-options';
import { runBenchWith } from '../bench/run-bench';
import { UnsupportedBenchOption } from '../bench/target';
import { extractCompareArgs, runComparison } from '../bench/compare';
import { runFlushMatrixCommand } from '../bench/matrix/flush-matrix-command';
import { runTopicScalingCommand } from '../bench/matrix/topic-scaling-command';

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

export async function runBench(args: readonly string[]): Promise<number> {
  const [kind, ...rest] = args;
  // Multi-run experiments (src/bench/matrix): each run is a broker child plus a `bench producer` child.
  if (kind === 'flush-matrix') return runFlushMatrixCommand(rest);
  if (kind === 'topic-scaling') return runTopicScalingCommand(rest);
  let options;
  let compare;
  try {
    const split = extractCompareArgs(rest); // --peer redis|nats [--peer-url URL] [--out DIR]: src/bench/compare.ts
    compare = split.compare;
    options = parseBenchOptions(kind, split.rest);
  } catch (err) {
    process.stderr.write(`cometmq bench: ${oneLine(err)}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) {
      // A second Ctrl-C: leave now (the embedded broker notices its stdin closing and stops).
      process.stderr.write('cometmq bench: interrupted again, exiting without a report\n');
      process.exit(130);
    }
    process.stderr.write(`${process.stdout.isTTY === true ? '\n' : ''}cometmq bench: interrupted; finishing the requests in flight and writing the report (Ctrl-C again to quit at once)\n`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (compare !== undefined) return await runComparison(options, compare, { stdout: process.stdout, stderr: process.stderr, signal: abort.signal });
    const result = await runBenchWith(options, { stdout: process.stdout, stderr: process.stderr, signal: abort.signal });
    return result.interrupted === true ? 130 : 0;
  } catch (err) {
    process.stderr.write(`cometmq bench: ${oneLine(err)}\n`);
    return err instanceof BenchUsageError || err instanceof UnsupportedBenchOption ? 2 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
