/**
 * `npm run bench` (store part): every case in its own process, ceilings measured in the same run,
 * figures printed as Markdown tables with their ratios, all results written as JSON.
 *
 *   node dist/bench/store/run-store-bench.js [--quick] [--only append,concurrent,read,rss] [--out file]
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runIsolated } from '../lib/run-isolated';
import { runMain, writeResults } from '../lib/write-results';
import { fmt, markdownTable } from '../lib/table';
import type { AppendCase, ConcurrentCase, ReadCase, RssCase } from './store-cases';
import type { LatencySummary } from '../lib/histogram';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

interface Plan {
  append: AppendCase[];
  concurrent: ConcurrentCase[];
  read: ReadCase[];
  rss: RssCase[];
}

function plan(quick: boolean): Plan {
  const sizes = [128, 1024, 4096];
  const batches = [1, 32, 256];
  const appendBytes = quick ? 64 * MiB : 512 * MiB;
  return {
    append: sizes.flatMap((bodySize) => batches.map((batchSize) => ({ kind: 'append' as const, bodySize, batchSize, totalBytes: appendBytes }))),
    concurrent: (['ASYNC_FLUSH', 'SYNC_FLUSH'] as const).flatMap((flushDiskType) =>
      [1, 16, 256].map((concurrency) => ({ kind: 'concurrent' as const, flushDiskType, bodySize: 1024, concurrency, durationMs: quick ? 1000 : 3000 })),
    ),
    read: [{ kind: 'read', bodySize: 1024, messages: quick ? 64_000 : 500_000, batchSize: 32 }],
    rss: [{ kind: 'rss', bodySize: 1024, batchSize: 32, totalBytes: quick ? 1 * GiB : 8 * GiB }],
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' } },
  });
  const selected = new Set((values.only ?? 'append,concurrent,read,rss').split(','));
  const casesModule = path.join(__dirname, 'store-cases.js');
  const p = plan(values.quick ?? false);
  const results: Record<string, Record<string, unknown>[]> = {};
  const run = async (name: keyof Plan) => {
    if (!selected.has(name)) return;
    results[name] = [];
    for (const c of p[name]) {
      process.stderr.write(`store bench: ${JSON.stringify(c)}\n`);
      results[name].push(await runIsolated(casesModule, c));
    }
  };
  await run('append');
  await run('concurrent');
  await run('read');
  await run('rss');

  const lines: string[] = [];
  const num = (r: Record<string, unknown>, k: string) => Number(r[k] ?? 0);
  if (results['append']) {
    lines.push('### Append throughput (ASYNC_FLUSH, through the TypeScript facade)', '');
    lines.push(markdownTable(['body', 'batch', 'msgs/s', 'MB/s', 'memcpy warm MB/s', 'ratio warm', 'memcpy fresh MB/s', 'ratio fresh'],
      results['append'].map((r) => [num(r, 'bodySize'), num(r, 'batchSize'), fmt(num(r, 'msgsPerSec')), fmt(num(r, 'mbPerSec')),
        fmt(num(r, 'ceilingMbPerSec')), fmt(num(r, 'ratio'), 3), fmt(num(r, 'freshCeilingMbPerSec')), fmt(num(r, 'freshRatio'), 3)])), '');
  }
  if (results['concurrent']) {
    lines.push('### Concurrent waiting puts (1 KiB)', '');
    lines.push(markdownTable(['flush', 'concurrency', 'msgs/s', 'MB/s', 'p50 us', 'p99 us', 'p99.9 us', 'max us', 'bytes/flush', 'fdatasync ceiling msgs/s', 'ratio'],
      results['concurrent'].map((r) => {
        const l = r['latencyUs'] as LatencySummary;
        return [String(r['flushDiskType']), num(r, 'concurrency'), fmt(num(r, 'msgsPerSec')), fmt(num(r, 'mbPerSec')), fmt(l.p50, 1), fmt(l.p99, 1), fmt(l.p999, 1), fmt(l.max, 1), fmt(num(r, 'bytesPerFlush')),
          r['ceilingMsgsPerSec'] === undefined ? '-' : fmt(num(r, 'ceilingMsgsPerSec')), r['ratio'] === undefined ? '-' : fmt(num(r, 'ratio'), 3)];
      })), '');
  }
  if (results['read']) {
    lines.push('### Reads from the page cache (getMessage, 32 per call)', '');
    lines.push(markdownTable(['msgs/s', 'MB/s', 'memcpy ceiling MB/s', 'ratio'],
      results['read'].map((r) => [fmt(num(r, 'msgsPerSec')), fmt(num(r, 'mbPerSec')), fmt(num(r, 'ceilingMbPerSec')), fmt(num(r, 'ratio'), 3)])), '');
  }
  if (results['rss']) {
    lines.push('### Anonymous memory while writing', '');
    lines.push(markdownTable(['written GiB', 'MB/s', 'RssAnon at start MiB', 'max RssAnon MiB'],
      results['rss'].map((r) => [fmt(num(r, 'writtenGiB'), 1), fmt(num(r, 'mbPerSec')), fmt(num(r, 'baselineRssAnonMiB')), fmt(num(r, 'maxRssAnonMiB'))])), '');
  }
  const report = lines.join('\n');
  console.log(report);
  writeResults('store', results, values.out);
}

runMain(main);
