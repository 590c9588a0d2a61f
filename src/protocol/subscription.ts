/**
 * TAG subscription expressions: `*` or empty = everything, else tags separated by `||` (trimmed).
 * The ConsumeQueue filters by the tags' Java String.hashCode codes; records that pass are then
 * matched exactly on their TAGS, since different tags can share a hash code.
 */
import { javaStringHash } from '../message/java-hash';
import { mqError } from './errors';

export const SUB_ALL = '*';

export interface TagFilter {
  /** null = every message matches. */
  readonly tags: ReadonlySet<string> | null;
  readonly codes: readonly number[];
}

export const MATCH_ALL: TagFilter = Object.freeze({ tags: null, codes: Object.freeze([]) as readonly number[] });

export function parseTagExpression(expression: string | undefined, expressionType: string | undefined): TagFilter {
  // Apache's answer when property filtering is off (its default): clients and tools key on it.
  if (expressionType === 'SQL92') throw mqError('ERR_SYSTEM_ERROR', 'The broker does not support consumer to filter message by SQL92');
  if (expressionType !== undefined && expressionType !== '' && expressionType.toUpperCase() !== 'TAG') {
    throw mqError('ERR_SUBSCRIPTION_PARSE_FAILED', `expression type ${expressionType} is not supported by this broker (TAG only)`);
  }
  if (expression === undefined) return MATCH_ALL;
  const trimmed = expression.trim();
  if (trimmed === '' || trimmed === SUB_ALL) return MATCH_ALL;
  const tags = new Set<string>();
  for (const part of trimmed.split('||')) {
    const tag = part.trim();
    if (tag !== '') tags.add(tag);
  }
  if (tags.size === 0) throw mqError('ERR_SUBSCRIPTION_PARSE_FAILED', `subscription "${expression}" names no tag`);
  if (tags.has(SUB_ALL)) return MATCH_ALL;
  return { tags, codes: [...new Set([...tags].map(javaStringHash))] };
}

/** Whether a record with these TAGS passes the filter. */
export function tagMatches(filter: TagFilter, tags: string | undefined): boolean {
  return filter.tags === null || (tags !== undefined && filter.tags.has(tags));
}
