/**
 * Queue locks for orderly consumption (RocketMQ RebalanceLockManager): within a group, a message
 * queue is held by one client at a time; a lock not renewed for 60 s (rebalanceLockMaxLiveTime)
 * expires, and the holder may renew it. Unlike RocketMQ, a client that leaves the group (its
 * connection closed, it unregistered, or its channel expired) loses its locks at once
 * (retainClients), so the survivors take its queues over without waiting out the 60 s. Time comes
 * from the injected clock.
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
  /** The members each group had at its last membership change, to tell who left. */
  readonly #members = new Map<string, Set<string>>();
  readonly #maxLiveMs: number;

  constructor(maxLiveMs = LOCK_MAX_LIVE_MS) {
    this.#maxLiveMs = maxLiveMs;
  }

  /** Locks what is free, expired or already ours (renewing it); returns the queues the client now holds. */
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
      if (entry === undefined || entry.clientId === clientId || this.#isExpired(entry, now)) {
        locks.set(key, { clientId, lastUpdateTimestamp: now });
        held.push(mq);
      }
    }
    if (locks.size === 0) this.#groups.delete(group);
    return held;
  }

  /** Releases the queues `clientId` holds among `queues`; locks of other clients are left alone. */
  unlock(group: string, clientId: string, queues: readonly MessageQueueRef[]): void {
    const locks = this.#groups.get(group);
    if (locks === undefined) return;
    for (const mq of queues) {
      const key = keyOf(mq);
      if (locks.get(key)?.clientId === clientId) locks.delete(key);
    }
    if (locks.size === 0) this.#groups.delete(group);
  }

  /**
   * Called with the group's members whenever its membership changes: releases every lock held by a
   * client that was a member and is not any more; returns how many were released. A client that
   * locks before its first heartbeat (or between a reconnect and its next one) is not a member
   * yet, and its locks are left to expire as usual.
   */
  retainClients(group: string, liveClientIds: readonly string[]): number {
    const live = new Set(liveClientIds);
    const before = this.#members.get(group);
    if (live.size === 0) this.#members.delete(group);
    else this.#members.set(group, live);
    const locks = this.#groups.get(group);
    if (locks === undefined || before === undefined) return 0;
    let released = 0;
    for (const [key, entry] of locks) {
      if (before.has(entry.clientId) && !live.has(entry.clientId)) {
        locks.delete(key);
        released++;
      }
    }
    if (locks.size === 0) this.#groups.delete(group);
    return released;
  }

  /** The client holding a live lock on `mq`, if any. */
  holder(group: string, mq: MessageQueueRef, now: number): string | undefined {
    const entry = this.#groups.get(group)?.get(keyOf(mq));
    return entry === undefined || this.#isExpired(entry, now) ? undefined : entry.clientId;
  }

  /** Whether any queue of the group is locked by a live lock (sends to its %RETRY% go to the DLQ). */
  hasLiveLocks(group: string, now: number): boolean {
    for (const entry of this.#groups.get(group)?.values() ?? []) if (!this.#isExpired(entry, now)) return true;
    return false;
  }

  #isExpired(entry: LockEntry, now: number): boolean {
    return now - entry.lastUpdateTimestamp > this.#maxLiveMs;
  }
}

function keyOf(mq: MessageQueueRef): string {
  return `${mq.topic}\u0001${mq.brokerName}\u0001${mq.queueId}`;
}
