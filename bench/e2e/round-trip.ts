/**
 * One-at-a-time request/response over a plain socket to bench/e2e/echo-server: the round trip a
 * synchronous send can at best approach on this machine, measured in the same run as the sends.
 */
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { LatencyRecorder, type LatencySummary } from '../lib/histogram';

export async function bareRoundTrips(port: number, bodySize: number, count: number, warmup: number): Promise<LatencySummary> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const frame = Buffer.concat([Buffer.alloc(4), randomBytes(bodySize)]);
  frame.writeUInt32BE(bodySize, 0);
  const recorder = new LatencyRecorder();
  let received = 0;
  let onFrame: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received >= frame.length) {
      received -= frame.length;
      onFrame?.();
    }
  });
  try {
    for (let i = 0; i < warmup + count; i++) {
      const start = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        onFrame = resolve;
        socket.write(frame);
      });
      if (i >= warmup) recorder.recordNanos(Number(process.hrtime.bigint() - start));
    }
  } finally {
    socket.destroy();
  }
  return recorder.summary();
}
