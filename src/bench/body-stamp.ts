/**
 * Benchmark bodies: random bytes, and for runs that receive, a stamp in front — bytes 0-7 the send
 * time (epoch milliseconds with a fraction, float64 LE, from this process's monotonic clock), bytes
 * 8-15 the run's id — so the receiver measures send-to-receive and ignores messages of other runs
 * (a reused topic, warm-up and probe messages).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** Epoch milliseconds with a sub-millisecond fraction, monotonic within this process. */
export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

export class BodyMaker {
  readonly #template: Buffer;

  constructor(size: number, private readonly stamped: boolean) {
    this.#template = randomBytes(size);
  }

  /** A fresh body sent (or due) at `epochMs`, carrying `runId` when the run receives. */
  make(epochMs: number, runId: number): Buffer {
    const body = Buffer.from(this.#template);
    if (this.stamped) {
      body.writeDoubleLE(epochMs, 0);
      body.writeDoubleLE(runId, 8);
    }
    return body;
  }
}

/** A random run id, never 0 (an unstamped body reads as 0). */
export function newRunId(): number {
  return Math.random() + 1;
}

/** The stamp of a received body, or undefined when it is not a stamped benchmark body. */
export function readStamp(body: Buffer): { sentAtMs: number; runId: number } | undefined {
  if (body.length < 16) return undefined;
  return { sentAtMs: body.readDoubleLE(0), runId: body.readDoubleLE(8) };
}
