/**
 * Delivered-once after a crash, for the delay-level scheduler and the timer wheel alike. Both save
 * their progress with the CommitLog end position of that moment (taken while none of their own
 * puts is in flight). After a kill -9, a message past the saved progress may nevertheless have been
 * re-put between that checkpoint and the crash: such a copy can only sit at a CommitLog position at
 * or after the saved one, in the message's destination queue. So each destination queue is read
 * from the first entry at or after that position, and copies are recognised by a fingerprint of
 * what a re-put keeps unchanged (born time, body CRC and length, flag, UNIQ_KEY).
 */
import { MessageConst } from '../../message/message-const';
import type { MessageExt } from '../../message/message-types';
import type { MessageStore } from '../../store/message-store';

export interface DeliveryCandidate {
  readonly topic: string;
  readonly queueId: number;
  readonly fingerprint: string;
}

const READ_BATCH = 256;
const READ_BYTES = 8 * 1024 * 1024;

export function deliveryFingerprint(message: MessageExt): string {
  return `${message.bornTimestamp}/${message.bodyCRC}/${message.body.length}/${message.flag}/${message.properties[MessageConst.UNIQ_KEY] ?? ''}`;
}

/**
 * Indices of `candidates` that already have a copy in their destination queue stored at or after
 * CommitLog position `from`. Identical candidates are matched one copy each.
 */
export function findDelivered(store: MessageStore, candidates: readonly DeliveryCandidate[], from: number): Set<number> {
  const delivered = new Set<number>();
  if (candidates.length === 0 || from >= store.getMaxPhysicalOffset()) return delivered;
  const byQueue = new Map<string, Map<string, number[]>>();
  candidates.forEach((c, i) => {
    const queueKey = `${c.queueId}@${c.topic}`;
    let prints = byQueue.get(queueKey);
    if (prints === undefined) byQueue.set(queueKey, (prints = new Map()));
    const list = prints.get(c.fingerprint);
    if (list === undefined) prints.set(c.fingerprint, [i]);
    else list.push(i);
  });
  for (const [queueKey, prints] of byQueue) {
    const at = queueKey.indexOf('@');
    const queueId = Number(queueKey.slice(0, at));
    const topic = queueKey.slice(at + 1);
    let offset = firstOffsetAtOrAfter(store, topic, queueId, from);
    for (;;) {
      const result = store.getMessage(topic, queueId, offset, READ_BATCH, { maxBytes: READ_BYTES });
      if (result.status !== 'FOUND') break;
      for (const message of result.messages()) {
        const list = prints.get(deliveryFingerprint(message));
        const index = list?.shift();
        if (index !== undefined) delivered.add(index);
      }
      if (result.nextBeginOffset <= offset) break;
      offset = result.nextBeginOffset;
    }
  }
  return delivered;
}

/** The first queue offset whose record lies at or after CommitLog position `from` (binary search). */
function firstOffsetAtOrAfter(store: MessageStore, topic: string, queueId: number, from: number): number {
  let lo = store.getMinOffsetInQueue(topic, queueId);
  let hi = store.getMaxOffsetInQueue(topic, queueId);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const position = store.getCommitLogOffsetInQueue(topic, queueId, mid);
    if (position >= 0 && position < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
