/**
 * Latency-based fault avoidance (MQFaultStrategy + LatencyFaultToleranceImpl): after each send the
 * broker's latency maps to a time it is avoided, by RocketMQ's table; a failed send counts as a
 * 30 s latency (the longest isolation). Queue selection skips brokers still inside their window,
 * and when every broker is, takes the one whose window ends first.
 */
import type { Clock } from '../../common/clock';

/** Latency thresholds (ms) and the not-available durations (ms) they lead to. */
export const LATENCY_MAX_MS: readonly number[] = [50, 100, 550, 1000, 2000, 3000, 15000];
export const NOT_AVAILABLE_DURATION_MS: readonly number[] = [0, 0, 30000, 60000, 120000, 180000, 600000];
/** The latency a failed send (isolation) is counted as. */
export const ISOLATION_LATENCY_MS = 30000;

export function notAvailableDurationFor(latencyMs: number): number {
  for (let i = LATENCY_MAX_MS.length - 1; i >= 0; i--) {
    if (latencyMs >= LATENCY_MAX_MS[i]!) return NOT_AVAILABLE_DURATION_MS[i]!;
  }
  return 0;
}

interface FaultItem {
  latencyMs: number;
  availableAt: number;
}

export class LatencyFaultTolerance {
  readonly #clock: Clock;
  readonly #items = new Map<string, FaultItem>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Records a send to `brokerName` that took `latencyMs`; `isolation` marks a failed send. */
  update(brokerName: string, latencyMs: number, isolation: boolean): void {
    const latency = isolation ? ISOLATION_LATENCY_MS : latencyMs;
    const availableAt = this.#clock.now() + notAvailableDurationFor(latency);
    const item = this.#items.get(brokerName);
    if (item === undefined) this.#items.set(brokerName, { latencyMs: latency, availableAt });
    else {
      item.latencyMs = latency;
      item.availableAt = availableAt;
    }
  }

  isAvailable(brokerName: string): boolean {
    const item = this.#items.get(brokerName);
    return item === undefined || this.#clock.now() >= item.availableAt;
  }

  /** Forgets a broker (it left the route). */
  remove(brokerName: string): void {
    this.#items.delete(brokerName);
  }

  /** Among `brokerNames`, the one available soonest (lowest latency on ties). */
  leastBad(brokerNames: Iterable<string>): string | undefined {
    let best: string | undefined;
    let bestAt = Infinity;
    let bestLatency = Infinity;
    for (const name of brokerNames) {
      const item = this.#items.get(name);
      const at = item?.availableAt ?? 0;
      const latency = item?.latencyMs ?? 0;
      if (at < bestAt || (at === bestAt && latency < bestLatency)) {
        best = name;
        bestAt = at;
        bestLatency = latency;
      }
    }
    return best;
  }
}
