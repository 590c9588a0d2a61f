/**
 * The counters of one run: totals for the BenchResult, the latency histogram, and the one-second
 * window behind each `Send TPS: …` line. Workloads record; the clock-driven reporter takes a
 * SecondSample every second (which also resets the window, as RocketMQ resets Max RT per report).
 */
import type { SecondSample } from './bench-result';
import { LatencyRecorder } from './latency-recorder';

export type FailureKind = 'send' | 'response';

class Window {
  sent = 0;
  received = 0;
  requests = 0;
  rtSumNanos = 0;
  rtMaxNanos = 0;
  sendFailures = 0;
  responseFailures = 0;
}

export class RunStats {
  /** Messages acknowledged (or handed to the socket, one-way). */
  sent = 0;
  /** Messages of this run delivered to the receiver. */
  received = 0;
  bytesSent = 0;
  bytesReceived = 0;
  /** Messages in requests that failed before a response (timeouts, connection errors). */
  sendFailures = 0;
  /** Messages in requests the server answered with an error. */
  responseFailures = 0;
  /** The figure the kind is about: send round trip (producer, store) or send-to-receive (e2e, consumer). */
  readonly latency = new LatencyRecorder();
  /** Open-loop runs only: the round trip from the actual send, without the wait for a free slot. */
  readonly serviceTime = new LatencyRecorder();
  #window = new Window();

  /** A request of `messages` messages was acknowledged `rtNanos` after it was handed to the sender. */
  recordSend(messages: number, bytes: number, rtNanos: number): void {
    this.sent += messages;
    this.bytesSent += bytes;
    const w = this.#window;
    w.sent += messages;
    w.requests++;
    w.rtSumNanos += rtNanos;
    if (rtNanos > w.rtMaxNanos) w.rtMaxNanos = rtNanos;
  }

  recordFailure(kind: FailureKind, messages: number): void {
    if (kind === 'send') {
      this.sendFailures += messages;
      this.#window.sendFailures += messages;
    } else {
      this.responseFailures += messages;
      this.#window.responseFailures += messages;
    }
  }

  recordReceive(messages: number, bytes: number): void {
    this.received += messages;
    this.bytesReceived += bytes;
    this.#window.received += messages;
  }

  /** The last `seconds` (about one) as a per-second line, rates normalised to one second. */
  takeSecond(second: number, seconds: number, endSeconds: number): SecondSample {
    const w = this.#window;
    this.#window = new Window();
    const per = (n: number): number => Math.round(n / Math.max(seconds, 1e-3));
    return {
      second,
      sendTps: per(w.sent),
      receiveTps: per(w.received),
      maxRtMillis: Math.round(w.rtMaxNanos / 1e4) / 100,
      avgRtMillis: w.requests === 0 ? 0 : Math.round(w.rtSumNanos / w.requests / 1e3) / 1e3,
      sendFailures: w.sendFailures,
      responseFailures: w.responseFailures,
      sent: w.sent,
      received: w.received,
      endSeconds: Math.round(endSeconds * 1000) / 1000,
    };
  }

  /** Forgets everything (the end of a warm-up). */
  reset(): void {
    this.sent = 0;
    this.received = 0;
    this.bytesSent = 0;
    this.bytesReceived = 0;
    this.sendFailures = 0;
    this.responseFailures = 0;
    this.latency.reset();
    this.serviceTime.reset();
    this.#window = new Window();
  }
}
