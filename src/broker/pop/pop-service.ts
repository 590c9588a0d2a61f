/**
 * POP's broker side state and background work (RocketMQ 5's RIP-19 model, reference §3.11):
 * - checkpoints and acks are records in the revive topic rmq_sys_REVIVE_LOG_<cluster> (reviveQueueNum
 *   queues), written before a pop or an ack is answered, so they are as durable as any message;
 * - every reviveInterval, checkpoints whose invisible time ran out are revived: each message not
 *   acked is stored again in the pop retry topic %RETRY%<group>_<topic> with reconsumeTimes + 1
 *   (or, once reconsumeTimes reached the group's retryMaxTimes, in %DLQ%<group>), then written as
 *   acked so a replay does not revive it twice;
 * - the group's pop offset per queue is committed as its consumer offset (GET_CONSUME_STATS), and
 *   the revive group's offset per revive queue marks where replay starts: the first checkpoint not
 *   settled yet. start() replays from there, rebuilding the in-flight checkpoints and raising each
 *   queue's pop offset past everything a checkpoint covers.
 */
import { MessageConst } from '../../message/message-const';
import type { MessageExt, MessageToStore } from '../../message/message-types';
import type { PutMessageResult } from '../../store/message-store';
import { isStored } from '../../store/store-status';
import type { TimerHandle } from '../../common/clock';
import type { BrokerContext } from '../broker-context';
import { DLQ_GROUP_TOPIC_PREFIX, PERM_READ, PERM_WRITE, RETRY_GROUP_TOPIC_PREFIX } from '../topic/topic-config-manager';
import { popRetryTopicV1 } from '../../protocol/headers/pop-extra-info';
import { PopBook, type Checkpoint } from './pop-book';
import { PopHoldService } from './pop-hold-service';
import {
  ackMessage, checkpointKey, checkpointMessage, FIRST_POP_TIME, parseReviveRecord, POP_CK, REVIVE_GROUP, reviveTopicOf,
  type AckData, type CheckpointData,
} from './pop-records';

const REPLAY_BATCH = 256;

export class PopService {
  readonly book = new PopBook();
  readonly hold: PopHoldService;
  readonly reviveTopic: string;
  readonly #broker: BrokerContext;
  #reviveCounter = 0;
  #timer: TimerHandle | null = null;
  #revivePass: Promise<void> | null = null;
  #isStopped = false;
  #isStarted = false;
  /** Messages revived so far (to the retry topic or the DLQ), for tests and runtime info. */
  revivedCount = 0;
  deadLetteredCount = 0;

  constructor(broker: BrokerContext) {
    this.#broker = broker;
    this.reviveTopic = reviveTopicOf(broker.config.brokerClusterName);
    this.hold = new PopHoldService(broker.store, broker.clock, broker.config.popPollingSize);
  }

  get brokerName(): string {
    return this.#broker.config.brokerName;
  }

  async start(): Promise<void> {
    // A slave keeps no pop state: pops, acks and revives happen on the master.
    if (this.#broker.config.brokerRole === 'SLAVE') return;
    const queues = this.#broker.config.reviveQueueNum;
    this.#broker.topics.getOrCreateGroupTopic(this.reviveTopic, queues, PERM_READ | PERM_WRITE);
    await this.#broker.store.whenDispatched(this.#broker.store.getMaxPhysicalOffset());
    for (let q = 0; q < queues; q++) this.#replay(q);
    this.#isStarted = true;
    this.#schedule();
  }

  /** Idempotent; the replay start is committed only by a service that started (the store is open). */
  async shutdown(): Promise<void> {
    if (this.#isStopped) return;
    this.#isStopped = true;
    this.#timer?.cancel();
    this.#timer = null;
    this.hold.shutdown();
    await this.#revivePass?.catch(() => undefined);
    if (this.#isStarted) this.#commitReviveOffsets();
  }

  /** Round-robin revive queue for the next checkpoint. */
  nextReviveQid(): number {
    return this.#reviveCounter++ % this.#broker.config.reviveQueueNum;
  }

  /**
   * Registers the checkpoint and writes its record. On a failed write the checkpoint stays in
   * memory (its messages still come back after invisibleTime while this broker runs) and the
   * store's status is returned for the answer.
   */
  async writeCheckpoint(data: CheckpointData): Promise<PutMessageResult> {
    const ck = this.book.add(data, -1);
    const result = await this.#broker.store.putMessage(checkpointMessage(data, this.reviveTopic, this.#broker.storeHost));
    // Not durable: revived from memory (-2 keeps it out of the replay-start computation).
    ck.reviveOffset = isStored(result.status) ? result.queueOffset : -2;
    return result;
  }

  /** Writes an ack record and settles the offsets in the book. */
  async writeAck(ack: AckData, reviveQid: number): Promise<PutMessageResult> {
    const key = checkpointKey(ack.group, ack.topic, ack.queueId, ack.startOffset, ack.popTime);
    const result = await this.#broker.store.putMessage(ackMessage(ack, this.reviveTopic, reviveQid, this.#broker.storeHost));
    if (isStored(result.status)) for (const offset of ack.ackOffsets) this.book.settle(key, offset);
    return result;
  }

  /** The group's pop offset becomes its consumer offset (what GET_CONSUME_STATS reports). */
  commitPopOffset(group: string, topic: string, queueId: number, offset: number): void {
    if (offset > this.#broker.offsets.queryOffset(group, topic, queueId)) {
      this.#broker.offsets.commitOffset(group, topic, queueId, offset);
      this.book.noteCommitted(group, topic, queueId, offset);
    }
  }

  /** One revive pass now (the timer runs them every reviveInterval). */
  reviveExpired(): Promise<void> {
    this.#revivePass ??= this.#reviveAll().finally(() => {
      this.#revivePass = null;
    });
    return this.#revivePass;
  }

  #schedule(): void {
    if (this.#isStopped) return;
    this.#timer = this.#broker.clock.setTimer(() => {
      this.reviveExpired().catch((err: unknown) => this.#broker.logger.error('pop revive pass failed', err)).finally(() => this.#schedule());
    }, this.#broker.config.reviveInterval);
  }

  async #reviveAll(): Promise<void> {
    for (const ck of this.book.expired(this.#broker.clock.now())) {
      if (this.#isStopped) break;
      ck.isReviving = true;
      try {
        await this.#revive(ck);
      } finally {
        ck.isReviving = false;
      }
    }
    this.#commitReviveOffsets();
  }

  async #revive(ck: Checkpoint): Promise<void> {
    // The messages of one checkpoint are re-put together; the ones that failed stay pending.
    const outcomes = await Promise.all([...ck.pending].map(async (offset): Promise<[number, boolean]> => {
      const message = this.#lookup(ck, offset);
      // Gone from the store (retention): nothing to redeliver.
      if (message === null) return [offset, true];
      const result = await this.#broker.store.putMessage(this.#reviveMessage(ck, message));
      if (!isStored(result.status)) this.#broker.logger.warn(`pop revive of ${ck.topic}:${ck.queueId}@${offset} for ${ck.group} failed: ${result.status}; retried next pass`);
      return [offset, isStored(result.status)];
    }));
    const revived = outcomes.filter(([, ok]) => ok).map(([offset]) => offset);
    if (revived.length === 0) return;
    const settled = await this.writeAck({
      group: ck.group, topic: ck.topic, queueId: ck.queueId, startOffset: ck.startOffset, popTime: ck.popTime, ackOffsets: revived, brokerName: ck.brokerName,
    }, ck.reviveQid);
    // Even when the settle record failed, these are redelivered: do not revive them again while running.
    if (!isStored(settled.status)) for (const offset of revived) this.book.settle(ck.key, offset);
  }

  #lookup(ck: Checkpoint, offset: number): MessageExt | null {
    const physical = this.#broker.store.getCommitLogOffsetInQueue(ck.topic, ck.queueId, offset);
    return physical < 0 ? null : this.#broker.store.lookMessageByOffset(physical);
  }

  #reviveMessage(ck: Checkpoint, message: MessageExt): MessageToStore {
    const isRetryTopic = ck.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);
    const originTopic = isRetryTopic ? (message.properties[MessageConst.RETRY_TOPIC] ?? ck.topic) : ck.topic;
    const properties: Record<string, string> = { ...message.properties };
    delete properties[POP_CK];
    properties[MessageConst.RETRY_TOPIC] ??= originTopic;
    properties[MessageConst.ORIGIN_MESSAGE_ID] ??= message.msgId;
    properties[FIRST_POP_TIME] ??= String(ck.popTime);
    const group = this.#broker.groups.findOrCreate(ck.group);
    const maxReconsumeTimes = group?.retryMaxTimes ?? 16;
    let target: { topic: string; queueId: number };
    if (message.reconsumeTimes >= maxReconsumeTimes) {
      target = { topic: DLQ_GROUP_TOPIC_PREFIX + ck.group, queueId: 0 };
      properties[MessageConst.DLQ_ORIGIN_TOPIC] ??= originTopic;
      properties[MessageConst.DLQ_ORIGIN_MESSAGE_ID] ??= properties[MessageConst.UNIQ_KEY] ?? message.msgId;
      this.deadLetteredCount++;
    } else {
      target = { topic: isRetryTopic ? ck.topic : popRetryTopicV1(ck.group, ck.topic), queueId: 0 };
      this.revivedCount++;
    }
    this.#broker.topics.getOrCreateGroupTopic(target.topic, 1, PERM_READ | PERM_WRITE);
    return {
      topic: target.topic, queueId: target.queueId, body: message.body, flag: message.flag, properties,
      bornTimestamp: message.bornTimestamp, bornHost: message.bornHost, sysFlag: message.sysFlag,
      reconsumeTimes: message.reconsumeTimes + 1,
    };
  }

  /** Replay start per revive queue: the first unsettled checkpoint, else the queue's end. */
  #commitReviveOffsets(): void {
    const store = this.#broker.store;
    for (let q = 0; q < this.#broker.config.reviveQueueNum; q++) {
      const end = store.getMaxOffsetInQueue(this.reviveTopic, q);
      const start = Math.min(this.book.minReviveOffset(q) ?? end, end);
      if (start !== this.#broker.offsets.queryOffset(REVIVE_GROUP, this.reviveTopic, q)) {
        this.#broker.offsets.commitOffset(REVIVE_GROUP, this.reviveTopic, q, start);
      }
    }
  }

  /** Rebuilds the book from one revive queue, from its replay start to its end. */
  #replay(reviveQid: number): void {
    const store = this.#broker.store;
    const committed = this.#broker.offsets.queryOffset(REVIVE_GROUP, this.reviveTopic, reviveQid);
    let offset = Math.max(committed, store.getMinOffsetInQueue(this.reviveTopic, reviveQid));
    const end = store.getMaxOffsetInQueue(this.reviveTopic, reviveQid);
    while (offset < end) {
      const result = store.getMessage(this.reviveTopic, reviveQid, offset, REPLAY_BATCH);
      if (result.status !== 'FOUND') {
        if (result.nextBeginOffset <= offset) break;
        offset = result.nextBeginOffset;
        continue;
      }
      for (const message of result.messages()) {
        const record = parseReviveRecord(message, reviveQid);
        if (record.kind === 'ck') {
          this.book.add(record.ck, message.queueOffset);
          this.book.raiseFloor(record.ck);
        } else if (record.kind === 'ack') {
          const a = record.ack;
          const key = checkpointKey(a.group, a.topic, a.queueId, a.startOffset, a.popTime);
          for (const ackOffset of a.ackOffsets) this.book.settle(key, ackOffset);
        }
      }
      offset = result.nextBeginOffset;
    }
  }
}

/** One PopService per broker context (created by the controller, found by the handlers). */
const services = new WeakMap<BrokerContext, PopService>();

export function popServiceOf(broker: BrokerContext): PopService {
  let service = services.get(broker);
  if (service === undefined) {
    service = new PopService(broker);
    services.set(broker, service);
  }
  return service;
}
