/**
 * What one durable write costs on this machine's disk, with nothing of ours in the way: rewrite
 * `bodySize` bytes of a file written and synced beforehand, then fdatasync, one at a time. Rewriting
 * already-allocated blocks is the cheapest durable write there is (no extent or size to record),
 * so the round trip plus this is a floor no SYNC_FLUSH acknowledgement can beat.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LatencyRecorder, type LatencySummary } from '../lib/histogram';

const FILE_BYTES = 4 << 20;

export function fdatasyncLatency(dir: string, bodySize: number, count: number, warmup: number): LatencySummary {
  const file = path.join(dir, `fdatasync-probe-${process.pid}`);
  const fd = fs.openSync(file, 'w+');
  try {
    fs.writeSync(fd, Buffer.alloc(FILE_BYTES), 0, FILE_BYTES, 0);
    fs.fsyncSync(fd);
    const body = Buffer.alloc(bodySize, 0x5a);
    const recorder = new LatencyRecorder();
    let position = 0;
    for (let i = 0; i < warmup + count; i++) {
      if (position + bodySize > FILE_BYTES) position = 0;
      const start = process.hrtime.bigint();
      fs.writeSync(fd, body, 0, bodySize, position);
      fs.fdatasyncSync(fd);
      if (i >= warmup) recorder.recordNanos(Number(process.hrtime.bigint() - start));
      position += bodySize;
    }
    return recorder.summary();
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
}
