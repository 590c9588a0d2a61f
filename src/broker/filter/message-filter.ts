/**
 * The broker's subscription filter for a pull: TAG expressions as before (ConsumeQueue tag codes,
 * then the exact TAGS), or a compiled SQL92 expression matched on each record's decoded
 * properties (TAGS included). There is no bloom-filter pre-screen: an SQL92 pull reads every
 * ConsumeQueue entry in range and drops the records that do not match, and nextBeginOffset still
 * moves past them (RocketMQ semantics).
 */
import type { MessageExt } from '../../message/message-types';
import type { CompiledSqlFilter } from '../../filter/sql-filter';
import { mqError } from '../../protocol/errors';
import { parseTagExpression, tagMatches, type TagFilter } from '../../protocol/subscription';
import type { BrokerContext } from '../broker-context';

export const SQL92 = 'SQL92';

export interface SubscriptionFilter extends TagFilter {
  /** The compiled expression of an SQL92 subscription; null for TAG. */
  readonly sql: CompiledSqlFilter | null;
}

/**
 * The filter of (group, topic) for this expression: ERR_SUBSCRIPTION_PARSE_FAILED for a bad one,
 * ERR_SYSTEM_ERROR with Apache's remark for SQL92 while enablePropertyFilter is off.
 */
export function subscriptionFilter(
  broker: BrokerContext,
  group: string,
  topic: string,
  expression: string | undefined,
  expressionType: string | undefined,
): SubscriptionFilter {
  if (expressionType !== SQL92) {
    const tag = parseTagExpression(expression, expressionType);
    return { tags: tag.tags, codes: tag.codes, sql: null };
  }
  if (!broker.config.enablePropertyFilter) {
    throw mqError('ERR_SYSTEM_ERROR', `The broker does not support consumer to filter message by ${SQL92}`);
  }
  return { tags: null, codes: [], sql: broker.filters.get(group, topic, expression ?? '') };
}

/** Whether a decoded record passes the filter. */
export function recordMatches(filter: SubscriptionFilter, message: MessageExt): boolean {
  return filter.sql !== null ? filter.sql.matches(message.properties) : tagMatches(filter, message.tags);
}

/** True when every record the store returns passes (no decoding needed). */
export function passesEveryRecord(filter: SubscriptionFilter): boolean {
  return filter.tags === null && filter.sql === null;
}
