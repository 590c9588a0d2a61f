/**
 * One PULL_MESSAGE round trip: builds the request (sysFlag COMMIT_OFFSET | SUSPEND | SUBSCRIPTION),
 * decodes the records body, inflates compressed bodies, and applies the exact tag match the broker's
 * hash-code filter cannot guarantee.
 */
import { inflateSync } from 'node:zlib';
import { IntSlotTable } from '../../common/int-slot-table';
import { MessageSysFlag } from '../../message/message-const';
import type { MessageExt } from '../../message/message-types';
import { forEachRecord } from '../../message/record-decoder';
import { responseError } from '../../protocol/errors';
import { PullMessageRequestHeader, PullMessageResponseHeader, PullSysFlag } from '../../protocol/headers/pull-message-headers';
import { createFastRequest, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { SerializeType } from '../../protocol/serialize-type';
import { tagMatches, type TagFilter } from '../../protocol/subscription';
import type { ConsumerClient } from './consumer-client';
import type { MessageQueue } from './consumer-types';

export const DEFAULT_SUSPEND_MS = 15_000;
export const DEFAULT_PULL_BATCH = 32;

export type PullStatus = 'FOUND' | 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL';

export interface PullResult {
  readonly status: PullStatus;
  /** Where the next pull of this queue starts. */
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  /** Messages that passed the exact tag match (empty unless FOUND). */
  readonly messages: MessageExt[];
}

export interface PullRequestOptions {
  readonly group: string;
  readonly queue: MessageQueue;
  readonly queueOffset: number;
  readonly subscription: string;
  /** TAG (default) or SQL92. */
  readonly expressionType?: string;
  readonly filter: TagFilter;
  /** Progress to commit with the pull (bit 0); omitted or < 0 = none. */
  readonly commitOffset?: number;
  /** Long-poll hold on the broker; 0 = answer at once. */
  readonly suspendMs?: number;
  readonly maxMessages?: number;
  readonly subVersion?: number;
  /**
   * Stops waiting for a held pull (the consumer is stopping while its client instance, shared,
   * stays connected): the call rejects at once and the late answer is dropped.
   */
  readonly signal?: AbortSignal;
}

/**
 * Not an async function: a pull's answer is mapped by one continuation (a suspended frame per pull
 * was a good share of a draining consumer's garbage). Bad options reject, never throw.
 */
export function pullMessages(client: ConsumerClient, options: PullRequestOptions): Promise<PullResult> {
  let invoked: Promise<RemotingCommand>;
  try {
    const suspendMs = options.suspendMs ?? DEFAULT_SUSPEND_MS;
    // The broker holds the request up to suspendMs; allow the round trip on top (Java: 30 s for 15 s).
    invoked = client.invoke(options.queue.brokerName, pullRequest(options, suspendMs), suspendMs + 15_000);
  } catch (err) {
    return Promise.reject(err);
  }
  const filter = options.filter;
  const toResult = (response: RemotingCommand): PullResult => pullResultOf(response, filter);
  return options.signal === undefined ? invoked.then(toResult) : abortable(invoked, options.signal, toResult);
}

function pullRequest(options: PullRequestOptions, suspendMs: number): RemotingCommand {
  const hasCommit = options.commitOffset !== undefined && options.commitOffset >= 0;
  const sysFlag = PullSysFlag.SUBSCRIPTION | (suspendMs > 0 ? PullSysFlag.SUSPEND : 0) | (hasCommit ? PullSysFlag.COMMIT_OFFSET : 0);
  const request = createFastRequest(RequestCode.PULL_MESSAGE, PullMessageRequestHeader.fields({
    consumerGroup: options.group,
    topic: options.queue.topic,
    queueId: options.queue.queueId,
    queueOffset: options.queueOffset,
    maxMsgNums: options.maxMessages ?? DEFAULT_PULL_BATCH,
    sysFlag,
    commitOffset: hasCommit ? options.commitOffset! : 0,
    suspendTimeoutMillis: suspendMs,
    subscription: options.subscription,
    subVersion: options.subVersion ?? 0,
    expressionType: options.expressionType ?? 'TAG',
  }));
  // RocketMQ's binary header form, as sends use (send-request.ts): cheaper to write and to read.
  request.serializeTypeCurrentRPC = SerializeType.ROCKETMQ;
  return request;
}

function pullResultOf(response: RemotingCommand, filter: TagFilter): PullResult {
  const status = pullStatusOf(response.code);
  if (status === undefined) throw responseError(response.code, response.remark);
  // Every pull answer carries the four offsets (read from the binary header's bytes when it came so).
  const { nextBeginOffset, minOffset, maxOffset } = PullMessageResponseHeader.decodeFrom(response);
  // One pass, one array: the exact tag match (the broker filters by hash code only) and the inflate
  // of compressed bodies, each skipped when it cannot apply.
  const messages: MessageExt[] = [];
  if (status === 'FOUND' && response.body !== undefined) {
    forEachRecord(response.body, (m) => {
      if (filter.tags !== null && !tagMatches(filter, m.tags)) return;
      messages.push((m.sysFlag & MessageSysFlag.COMPRESSED_FLAG) === 0 ? m : inflateIfCompressed(m));
    });
  }
  return { status, nextBeginOffset, minOffset, maxOffset, messages };
}

/** The pull status a response code stands for; undefined for a failure. */
function pullStatusOf(code: number): PullStatus | undefined {
  switch (code) {
    case ResponseCode.SUCCESS: return 'FOUND';
    case ResponseCode.PULL_NOT_FOUND: return 'NO_NEW_MSG';
    case ResponseCode.PULL_RETRY_IMMEDIATELY: return 'NO_MATCHED_MSG';
    case ResponseCode.PULL_OFFSET_MOVED: return 'OFFSET_ILLEGAL';
    default: return undefined;
  }
}

/**
 * The pulls waiting per stop signal: one 'abort' listener per signal rejects them all, instead of
 * an EventTarget listener added and removed around every pull (a pull per message at low rates).
 * Kept in an IntSlotTable, not a Set: an entry in and out per pull (see IntSlotTable).
 */
interface WaitingPulls {
  readonly rejects: IntSlotTable<(err: Error) => void>;
  nextId: number;
}
const waitingPulls = new WeakMap<AbortSignal, WaitingPulls>();

function abandoned(): Error {
  return new Error('pull abandoned: the consumer is stopping');
}

/** `promise` mapped by `map`, or rejected at once when `signal` aborts first (the late answer is dropped). */
function abortable<T, R>(promise: Promise<T>, signal: AbortSignal, map: (value: T) => R): Promise<R> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abandoned());
  }
  let waiting = waitingPulls.get(signal);
  if (waiting === undefined) {
    const pulls: WaitingPulls = { rejects: new IntSlotTable(64), nextId: 0 };
    waitingPulls.set(signal, pulls);
    signal.addEventListener('abort', () => {
      pulls.rejects.forEach((reject) => reject(abandoned()));
      pulls.rejects.clear();
    }, { once: true });
    waiting = pulls;
  }
  const pulls = waiting;
  const id = pulls.nextId;
  pulls.nextId = (id + 1) & 0x7fffffff;
  return new Promise<R>((resolve, reject) => {
    pulls.rejects.set(id, reject);
    promise.then(
      (value) => {
        pulls.rejects.take(id);
        try {
          resolve(map(value));
        } catch (err) {
          reject(err);
        }
      },
      (err: unknown) => { pulls.rejects.take(id); reject(err); },
    );
  });
}

/** Producers compress bodies over 4 KiB (zlib) and set sysFlag bit 0; listeners get the original. */
function inflateIfCompressed(message: MessageExt): MessageExt {
  if ((message.sysFlag & MessageSysFlag.COMPRESSED_FLAG) === 0) return message;
  return { ...message, body: inflateSync(message.body), sysFlag: message.sysFlag & ~MessageSysFlag.COMPRESSED_FLAG };
}
