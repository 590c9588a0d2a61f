/**
 * Compiled SQL92 subscriptions, one per (group, topic, expression): a heartbeat or the first pull
 * compiles the expression, every later pull reuses it. Least recently used entries leave past
 * `capacity` (a group that changes its expression leaves its old one behind until then).
 */
import { compileSql92, type CompiledSqlFilter } from '../../filter/sql-filter';

export const DEFAULT_FILTER_CACHE_CAPACITY = 10_000;

export class ConsumerFilterCache {
  readonly #entries = new Map<string, CompiledSqlFilter>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_FILTER_CACHE_CAPACITY) {
    this.#capacity = capacity;
  }

  /** The compiled expression; ERR_SUBSCRIPTION_PARSE_FAILED (never cached) when it does not parse. */
  get(group: string, topic: string, expression: string): CompiledSqlFilter {
    const key = `${group}\u0001${topic}\u0001${expression}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      // Re-inserted so the Map's order is least recently used first.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const compiled = compileSql92(expression);
    this.#entries.set(key, compiled);
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value as string);
    return compiled;
  }

  get size(): number {
    return this.#entries.size;
  }
}
