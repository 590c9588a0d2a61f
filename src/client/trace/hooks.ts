/**
 * Hooks the producer and the push consumer call around their work (RocketMQ's SendMessageHook and
 * ConsumeMessageHook). Message trace is one user; a hook must be cheap and must not throw — the
 * callers guard against throws anyway, since a hook must never fail a send or a consume.
 */
import type { MessageExt } from '../../message/message-types';
import type { Message } from '../producer/message';
import type { SendResult } from '../producer/send-result';
import type { ConsumeReturnType, MessageTypeName } from './trace-codec';

export interface SendHookContext {
  readonly producerGroup: string;
  /** The message sent, or every message of a batch in order. */
  readonly messages: readonly Message[];
  readonly result: SendResult;
  /** Wall-clock ms when send() was called and when its result came back. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Set by senders that know better than the message can tell (a transaction's half message). */
  readonly msgType?: MessageTypeName;
}

/** A transaction's verdict, sent to the broker (END_TRANSACTION). */
export interface EndTransactionHookContext {
  readonly producerGroup: string;
  readonly topic: string;
  readonly msgId: string;
  readonly tags: string;
  readonly keys: string;
  readonly brokerAddr: string;
  readonly transactionId: string;
  /** COMMIT_MESSAGE, ROLLBACK_MESSAGE or UNKNOW. */
  readonly state: string;
  readonly fromTransactionCheck: boolean;
}

export interface SendHook {
  start?(): Promise<void>;
  shutdown?(): Promise<void>;
  /** After a send the broker answered with a SendResult (failed sends are not reported, as in Java). */
  sendAfter(context: SendHookContext): void;
  endTransaction?(context: EndTransactionHookContext): void;
}

/** Tells every hook about a send's result; for senders outside Producer.send (transactions). */
export function notifySendHooks(hooks: readonly SendHook[], context: SendHookContext): void {
  for (const hook of hooks) guardHook(() => hook.sendAfter(context));
}

export function notifyEndTransaction(hooks: readonly SendHook[], context: EndTransactionHookContext): void {
  for (const hook of hooks) guardHook(() => hook.endTransaction?.(context));
}

export interface ConsumeOutcome {
  readonly success: boolean;
  readonly returnType: ConsumeReturnType;
}

export interface ConsumeHook {
  start?(): Promise<void>;
  shutdown?(): Promise<void>;
  /** Before the listener runs; the value returned is handed back to consumeAfter. */
  consumeBefore(messages: readonly MessageExt[]): unknown;
  consumeAfter(before: unknown, outcome: ConsumeOutcome): void;
}

/** Runs `fn`, swallowing what a misbehaving hook throws (the business path must go on). */
export function guardHook<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** Runs a send, then tells every hook about its result (a failed send reaches no hook). */
export async function runSendHooks(
  hooks: readonly SendHook[], producerGroup: string, messages: readonly Message[], send: () => Promise<SendResult>,
): Promise<SendResult> {
  const startedAt = Date.now();
  const result = await send();
  const context: SendHookContext = { producerGroup, messages, result, startedAt, endedAt: Date.now() };
  for (const hook of hooks) guardHook(() => hook.sendAfter(context));
  return result;
}
