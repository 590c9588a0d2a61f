/**
 * Which queue a send goes to (TopicPublishInfo.selectOneMessageQueue + MQFaultStrategy): round
 * robin over the topic's publish queues, skipping the broker that just failed (a retry goes
 * elsewhere) and, with fault avoidance on, brokers still inside their latency window. When every
 * broker is excluded the least bad one is used rather than failing.
 */
import type { MessageQueue } from '../message-queue';
import type { LatencyFaultTolerance } from './latency-fault-tolerance';

/** The publish queues of one topic plus its round-robin position. */
export class TopicPublishQueues {
  readonly queues: readonly MessageQueue[];
  #next: number;

  constructor(queues: readonly MessageQueue[], start = Math.floor(Math.random() * 0x7fff)) {
    this.queues = queues;
    this.#next = start;
  }

  /**
   * The next queue, avoiding `lastBrokerName` when another broker has queues, and brokers the
   * fault tolerance marks unavailable when `faults` is given.
   */
  select(lastBrokerName: string | undefined, faults: LatencyFaultTolerance | undefined): MessageQueue {
    const queues = this.queues;
    const count = queues.length;
    if (count === 0) throw new RangeError('no publish queue');
    if (faults === undefined && lastBrokerName === undefined) return queues[this.#advance() % count]!;
    // Best: a broker that is available and not the one that just failed.
    for (let i = 0; i < count; i++) {
      const mq = queues[this.#advance() % count]!;
      if (mq.brokerName === lastBrokerName) continue;
      if (faults !== undefined && !faults.isAvailable(mq.brokerName)) continue;
      return mq;
    }
    // Every other broker is excluded: with fault avoidance, the least bad one (others first).
    if (faults !== undefined) {
      const others = new Set<string>();
      for (const mq of queues) if (mq.brokerName !== lastBrokerName) others.add(mq.brokerName);
      const leastBad = faults.leastBad(others.size > 0 ? others : [lastBrokerName!]);
      const ofBroker = queues.filter((mq) => mq.brokerName === leastBad);
      if (ofBroker.length > 0) return ofBroker[this.#advance() % ofBroker.length]!;
    }
    return queues[this.#advance() % count]!;
  }

  #advance(): number {
    const value = this.#next;
    this.#next = (this.#next + 1) & 0x7fffffff;
    return value;
  }
}
