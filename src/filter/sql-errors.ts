/**
 * Errors of SQL92 filter expressions. Every rejection is SUBSCRIPTION_PARSE_FAILED (what RocketMQ
 * answers for an expression it cannot compile) and names where it happened and the token found.
 */
import type { MqError } from '../common/mq-error';
import { mqError } from '../protocol/errors';

/** `position` is a 0-based offset into `source`; the message gives line and column (1-based) too. */
export function sqlSyntaxError(source: string, position: number, token: string, why: string): MqError {
  const before = source.slice(0, position);
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1) + 1;
  const shown = token === '<end>' ? 'the end of the expression' : `"${token}"`;
  return mqError('ERR_SUBSCRIPTION_PARSE_FAILED', `Invalid SQL92 expression at line ${line}, column ${column} (offset ${position}), at ${shown}: ${why}`);
}
