/**
 * How a consumer selects messages of a topic: a TAG expression (`*`, `TagA || TagB`), filtered by
 * the broker on tag hash codes and re-checked here on the exact tag, or an SQL92 expression over
 * message properties, evaluated only by the broker (docs/filters.md).
 *
 * SQL92 subscriptions are validated as Java consumers do at start(): CHECK_CLIENT_CONFIG (46) to
 * the brokers of the topic, and a refusal (SUBSCRIPTION_PARSE_FAILED with the broker's parser
 * message, or SYSTEM_ERROR when the broker has property filtering off) rejects start().
 */
import { responseError } from '../../protocol/errors';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { MATCH_ALL, parseTagExpression, type TagFilter } from '../../protocol/subscription';
import type { SubscriptionData } from '../../protocol/subscription-data';
import { optionError } from './consumer-types';
import type { ConsumerClient } from './consumer-client';

export type ExpressionType = 'TAG' | 'SQL92';

export interface MessageSelector {
  readonly type: ExpressionType;
  readonly expression: string;
}

export const MessageSelector = Object.freeze({
  /** Messages whose properties satisfy `sql` (e.g. "a > 5 AND b = 'x'"), evaluated by the broker. */
  bySql(sql: string): MessageSelector {
    if (typeof sql !== 'string' || sql.trim() === '') throw optionError('an SQL92 selector needs a non-empty expression');
    return Object.freeze({ type: 'SQL92', expression: sql });
  },
  /** Messages with one of the tags (`TagA || TagB`), or every message (`*`, the default). */
  byTag(tagExpression = '*'): MessageSelector {
    if (typeof tagExpression !== 'string') throw optionError('a tag selector needs a string expression');
    return Object.freeze({ type: 'TAG', expression: tagExpression });
  },
});

/** What subscribe() takes: a tag expression, a MessageSelector, `{ sql }` or `{ tag }`. */
export type SubscriptionExpression = string | MessageSelector | { readonly sql: string } | { readonly tag: string };

/** A subscription as the consumers keep it: the wire expression, its type, and the client-side tag check. */
export interface SelectedSubscription {
  readonly expression: string;
  readonly expressionType: ExpressionType;
  /** The exact-tag re-check for TAG; MATCH_ALL for SQL92 (the broker's filter is the only one). */
  readonly filter: TagFilter;
}

export function selectSubscription(input: SubscriptionExpression | undefined = '*'): SelectedSubscription {
  const selector = toSelector(input);
  if (selector.type === 'SQL92') return { expression: selector.expression, expressionType: 'SQL92', filter: MATCH_ALL };
  return { expression: selector.expression, expressionType: 'TAG', filter: parseTagExpression(selector.expression, 'TAG') };
}

function toSelector(input: SubscriptionExpression): MessageSelector {
  if (typeof input === 'string') return MessageSelector.byTag(input);
  if (typeof input !== 'object' || input === null) throw optionError('a subscription is a tag expression, a MessageSelector, { sql } or { tag }');
  if ('type' in input) {
    if (input.type === 'SQL92') return MessageSelector.bySql(input.expression);
    if (input.type === 'TAG') return MessageSelector.byTag(input.expression);
    throw optionError(`selector type must be TAG or SQL92, got ${String(input.type)}`);
  }
  if ('sql' in input) return MessageSelector.bySql(input.sql);
  if ('tag' in input) return MessageSelector.byTag(input.tag);
  throw optionError('a subscription object has `sql`, `tag`, or `type` and `expression`');
}

/** The subscription as HEART_BEAT and CHECK_CLIENT_CONFIG carry it (SubscriptionData.java). */
export function toSubscriptionData(topic: string, subscription: SelectedSubscription, subVersion: number): SubscriptionData {
  if (subscription.expressionType === 'SQL92') {
    return { classFilterMode: false, codeSet: [], expressionType: 'SQL92', subString: subscription.expression, subVersion, tagsSet: [], topic };
  }
  const tags = subscription.filter.tags;
  return {
    classFilterMode: false,
    codeSet: [...subscription.filter.codes],
    expressionType: 'TAG',
    subString: tags === null ? '*' : subscription.expression,
    subVersion,
    tagsSet: tags === null ? [] : [...tags],
    topic,
  };
}

/**
 * CHECK_CLIENT_CONFIG for each SQL92 subscription on every broker serving its topic; the first
 * refusal is thrown (code and remark as the broker answered). Topics without a route yet are
 * skipped, as Java does; their brokers refuse the heartbeat and pulls instead.
 */
export async function checkClientConfig(
  client: ConsumerClient,
  group: string,
  subscriptions: Iterable<SelectedSubscription & { readonly topic: string; readonly subVersion: number }>,
): Promise<void> {
  for (const subscription of subscriptions) {
    if (subscription.expressionType !== 'SQL92') continue;
    const route = client.cachedRoute(subscription.topic);
    const brokerNames = new Set((route?.queues ?? []).map((q) => q.brokerName));
    const body = Buffer.from(JSON.stringify({
      clientId: client.clientId,
      group,
      subscriptionData: toSubscriptionData(subscription.topic, subscription, subscription.subVersion),
    }), 'utf8');
    for (const brokerName of brokerNames) {
      const response = await client.invoke(brokerName, createRequest(RequestCode.CHECK_CLIENT_CONFIG, {}, body));
      if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
    }
  }
}
