/**
 * Queue locks for orderly consumption (RocketMQ RebalanceLockManager): within a group, a message
 * queue is held by one client at a time; a lock not renewed for 60 s expires, and the holder may
 * renew it. Time comes from the injected clock.
 */
export interface MessageQueueRef {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
}

interface LockEntry {
  clientId: string;
  lastUpdateTimestamp: number;
}

export const LOCK_MAX_LIVE_MS = 60_000;

export class QueueLockManager {
  readonly #groups = new Map<string, Map<string, LockEntry>>();
  readonly #maxLiveMs: number;

  constructor(maxLiveMs = LOCK_MAX_LIVE_MS) {
    this.#maxLiveMs = maxLiveMs;
  }

  /** Locks what is free or already ours; returns the queues the client now holds. */
  tryLock(group: string, clientId: string, queues: readonly MessageQueueRef[], now: number): MessageQueueRef[] {
    let locks = this.#groups.get(group);
    if (locks === undefined) {
      locks = new Map();
      this.#groups.set(group, locks);
    }
    const held: MessageQueueRef[] = [];
    for (const mq of queues) {
      const key = keyOf(mq);
      const entry = locks.get(key);
      if (entry === undefined || entry.clientId === clientId || now - entry.lastUpdateTimestamp > this.#maxLiveMs) {
        locks.set(key, { clientId, lastUpdateTimestamp: now });
        held.push(mq);
      }
    }
    return held;
  }

  unlock(group: string, clientId: string, queues: readonly MessageQueueRef[]): void {
    const locks = this.#groups.get(group);
    if (locks === undefined) return;
    for (const mq of queues) {
      const key = keyOf(mq);
      if (locks.get(key)?.clientId === clientId) locks.delete(key);
    }
    if (locks.size === 0) this.#groups.delete(group);
  }

  /** Whether any queue of the group is locked by a live lock (sends to its %RETRY% go to the DLQ). */
  hasLiveLocks(group: string, now: number): boolean {
    for (const entry of this.#groups.get(group)?.values() ?? []) if (now - entry.lastUpdateTimestamp <= this.#maxLiveMs) return true;
    return false;
  }
}

function keyOf(mq: MessageQueueRef): string {
  return `${mq.topic}\u0001${mq.brokerName}\u0001${mq.queueId}`;
}
