/**
 * Writes JSON the way fastjson 1.2.x writes RocketMQ's bodies (remoting-protocol.md §3):
 * - plain objects are beans: keys in alphabetical order, null/undefined fields omitted;
 * - a Map with number keys is a Java Map<Long, ...>: its keys are written unquoted (`{0:"a"}`)
 *   unless `standard` is set, which mirrors the QuoteFieldNames + BrowserCompatible + MapSortField
 *   features the name server uses for clients that accept standard JSON only;
 * - Sets and arrays are JSON arrays;
 * - `standard` also escapes every non-ASCII character as \uXXXX (BrowserCompatible).
 * Map keys are always sorted (numerically or by string), so output is deterministic.
 */
export interface FastjsonOptions {
  readonly standard: boolean;
}

export function toFastjson(value: unknown, options: FastjsonOptions): string {
  const parts: string[] = [];
  writeValue(value, options, parts);
  return parts.join('');
}

function writeValue(value: unknown, options: FastjsonOptions, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'string') {
    out.push(quote(value, options));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot write non-finite number ${value}`);
    out.push(String(value));
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (Array.isArray(value) || value instanceof Set) {
    writeArray([...(value as Iterable<unknown>)], options, out);
  } else if (value instanceof Map) {
    writeMap(value, options, out);
  } else if (typeof value === 'object') {
    writeBean(value as Record<string, unknown>, options, out);
  } else {
    throw new TypeError(`cannot write a ${typeof value} as JSON`);
  }
}

function writeArray(items: readonly unknown[], options: FastjsonOptions, out: string[]): void {
  out.push('[');
  items.forEach((item, i) => {
    if (i > 0) out.push(',');
    writeValue(item, options, out);
  });
  out.push(']');
}

function writeMap(map: ReadonlyMap<unknown, unknown>, options: FastjsonOptions, out: string[]): void {
  const keys = [...map.keys()].sort(compareKeys);
  out.push('{');
  let first = true;
  for (const key of keys) {
    const v = map.get(key);
    if (v === undefined || v === null) continue;
    if (!first) out.push(',');
    first = false;
    if (typeof key === 'number') {
      out.push(options.standard ? `"${key}"` : String(key));
    } else if (typeof key === 'string') {
      out.push(quote(key, options));
    } else {
      throw new TypeError('map keys must be numbers or strings');
    }
    out.push(':');
    writeValue(v, options, out);
  }
  out.push('}');
}

function writeBean(bean: Record<string, unknown>, options: FastjsonOptions, out: string[]): void {
  const keys = Object.keys(bean).sort();
  out.push('{');
  let first = true;
  for (const key of keys) {
    const v = bean[key];
    if (v === undefined || v === null) continue;
    if (!first) out.push(',');
    first = false;
    out.push(quote(key, options), ':');
    writeValue(v, options, out);
  }
  out.push('}');
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

const NON_ASCII = /[\u0080-\uffff]/g;

function quote(s: string, options: FastjsonOptions): string {
  const json = JSON.stringify(s);
  if (!options.standard) return json;
  return json.replace(NON_ASCII, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
