/** The end-to-end results as the Markdown tables docs/benchmarks.md shows, next to issue 3's targets. */
import { fmt, markdownTable } from '../lib/table';
import type { LatencySummary } from '../lib/histogram';

type Result = Record<string, unknown>;

const num = (r: Result, k: string): number => Number(r[k] ?? 0);
const lat = (r: Result, k: string): LatencySummary => r[k] as LatencySummary;
/** CPU per message: the client's over the timed part, the broker's over the whole case (warm-up included). */
const cpu = (r: Result): string[] => [fmt(num(r, 'clientCpuUsPerMsg'), 1), r['brokerCpuUsPerMsg'] === undefined ? '-' : fmt(num(r, 'brokerCpuUsPerMsg'), 1)];
/** The hypervisor's share of the machine during the case (bench/lib/env-info.ts: stealPercent). */
const steal = (r: Result): string => (r['hostStealPercent'] === undefined ? '-' : fmt(num(r, 'hostStealPercent'), 1));
const of = (results: readonly Result[], kind: string): Result[] => results.filter((r) => r['kind'] === kind);

export function e2eReport(results: readonly Result[]): string {
  const lines: string[] = [];
  const produce = of(results, 'produce-async');
  if (produce.length > 0) {
    lines.push('### Produce, async sends, 1,000 in flight (1 KiB)', '');
    lines.push(markdownTable(['flush', 'producer', 'msgs/s', 'target msgs/s', 'client CPU us/msg', 'broker CPU us/msg'],
      produce.map((r) => [String(r['flushDiskType']), r['autoBatch'] === true ? 'autoBatch' : 'one request per message', fmt(num(r, 'msgsPerSec')), r['flushDiskType'] === 'SYNC_FLUSH' ? '100,000' : '150,000', ...cpu(r)])), '');
  }
  const sync = of(results, 'produce-sync');
  if (sync.length > 0) {
    lines.push('### Synchronous sends, one at a time (1 KiB), against a bare Node round trip in the same run', '');
    lines.push(markdownTable(['flush', 'sends/s', 'p50 us', 'p99 us', 'p99.9 us', 'bare p50 us (before / after)', 'p50 ratio', 'target ratio',
      'fdatasync p50 us', 'floor ratio', 'client CPU us/msg', 'broker CPU us/msg', 'host steal %'],
      sync.map((r) => {
        const l = lat(r, 'latencyUs');
        const disk = r['diskFlush'] === undefined ? undefined : lat(r, 'diskFlush');
        return [String(r['flushDiskType']), fmt(num(r, 'sendsPerSec')), fmt(l.p50, 1), fmt(l.p99, 1), fmt(l.p999, 1),
          `${fmt(lat(r, 'ceilingBefore').p50, 1)} / ${fmt(lat(r, 'ceilingAfter').p50, 1)}`, fmt(num(r, 'ratioP50'), 2), '<= 1.5',
          disk === undefined ? '-' : fmt(disk.p50, 1), disk === undefined ? '-' : fmt(num(r, 'floorRatioP50'), 2), ...cpu(r), steal(r)];
      })), '');
    if (sync.some((r) => r['diskFlush'] !== undefined)) {
      lines.push('Floor ratio: (bare p50 + fdatasync p50) / bare p50, the least a SYNC_FLUSH acknowledgement can take against a bare',
        'round trip on this machine (fdatasync p50: 1 KiB rewritten in a synced file, then fdatasync, on the broker\'s disk, same run).', '');
    }
  }
  const drain = of(results, 'drain');
  if (drain.length > 0) {
    const fills = of(results, 'fill');
    lines.push('### Backlog drain (PushConsumer from the first offset, 1 KiB)', '');
    lines.push(markdownTable(['flush', 'backlog', 'pullBatchSize', 'consumer node flags', 'fill msgs/s', 'drain msgs/s (from start)', 'drain msgs/s (from first message)', 'target msgs/s', 'client CPU us/msg', 'broker CPU us/msg'],
      drain.map((r) => {
        const fill = fills.find((f) => f['flushDiskType'] === r['flushDiskType']);
        const flags = (r['clientNodeArgs'] as string[] | undefined) ?? [];
        return [String(r['flushDiskType']), fmt(num(r, 'messages')), fmt(num(r, 'pullBatchSize')), flags.length === 0 ? '(defaults)' : flags.join(' '),
          fill ? fmt(num(fill, 'msgsPerSec')) : '-', fmt(num(r, 'msgsPerSec')),
          fmt(num(r, 'msgsPerSecAfterFirst')), '300,000', ...cpu(r)];
      })), '');
  }
  const dispatch = of(results, 'dispatch');
  if (dispatch.length > 0) {
    lines.push('### Consumer dispatch, CPU-heavy listener (about 1 ms of SHA-256 per message): in-thread vs piscina workers', '');
    lines.push(markdownTable(['flush', 'messages', 'dispatch', 'threads', 'msgs/s', 'client CPU us/msg'],
      dispatch.map((r) => [String(r['flushDiskType']), fmt(num(r, 'messages')), String(r['dispatch']), fmt(num(r, 'threads')),
        fmt(num(r, 'msgsPerSec')), fmt(num(r, 'clientCpuUsPerMsg'), 1)])), '');
  }
  const latency = of(results, 'latency');
  if (latency.length > 0) {
    lines.push('### End-to-end latency, open loop at 10,000 msgs/s (send due time to listener, corrected for coordinated omission)', '');
    lines.push(markdownTable(['flush', 'messages', 'failed sends', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'target p99 ms', 'of which sender lateness p50 / p99 ms', 'host steal %'],
      latency.map((r) => {
        const l = lat(r, 'latencyUs');
        const s = r['senderLatenessUs'] === undefined ? undefined : lat(r, 'senderLatenessUs');
        return [String(r['flushDiskType']), fmt(num(r, 'received')), fmt(num(r, 'failures')), fmt(l.p50 / 1000, 2), fmt(l.p99 / 1000, 2),
          fmt(l.p999 / 1000, 2), fmt(l.max / 1000, 2), '< 5', s === undefined ? '-' : `${fmt(s.p50 / 1000, 2)} / ${fmt(s.p99 / 1000, 2)}`, steal(r)];
      })), '');
  }
  return lines.join('\n');
}
