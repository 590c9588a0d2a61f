import { MQVersion } from './language-code';
import type { RemotingCommand } from './remoting-command';

/**
 * JSON bodies as Java's fastjson 1.2.x writes them, which Java clients (and ali-ons' JSON2 parser)
 * expect:
 * - beans (plain objects): keys in alphabetical order, null/undefined fields omitted;
 * - Java maps are JS `Map`s: integer keys unquoted (`{0:"127.0.0.1:10911"}`), object keys written
 *   as the object itself (`{{"brokerName":"b","queueId":0,"topic":"t"}:{...}}`), insertion order;
 * - Long beyond 2^53 as bigint; Java double/float fields wrapped with `javaDouble` (0 -> `0.0`);
 * - enums as their names (plain strings), Sets and arrays as arrays, non-ASCII raw.
 * Standard mode (what the name server answers to clients of version >= V4_9_4 or sending
 * acceptStandardJsonOnly=true; fastjson BrowserCompatible + MapSortField): map keys quoted and sorted,
 * non-ASCII escaped as \uXXXX.
 */
export interface FastjsonOptions {
  readonly isStandardJson?: boolean;
}

/** A Java double/float value: written with a fraction (`1.0`), as fastjson does. */
export class JavaDouble {
  constructor(readonly value: number) {}
}

export function javaDouble(value: number): JavaDouble {
  return new JavaDouble(value);
}

/** Whether a body for `request` must be standard JSON (Apache's gate in the name server). */
export function wantsStandardJson(request: RemotingCommand): boolean {
  const flag = request.extFields['acceptStandardJsonOnly'];
  return request.version >= MQVersion.V4_9_4 || (flag !== undefined && flag.toLowerCase() === 'true');
}

export function toFastjson(value: unknown, options: FastjsonOptions = {}): string {
  const text = write(value, options.isStandardJson === true);
  return text ?? 'null';
}

/** The UTF-8 body bytes of `toFastjson`. */
export function encodeFastjsonBody(value: unknown, options: FastjsonOptions = {}): Buffer {
  return Buffer.from(toFastjson(value, options), 'utf8');
}

/** Returns undefined for values fastjson omits (null, undefined, functions). */
function write(value: unknown, isStandard: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
      return writeString(value, isStandard);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return undefined;
  if (value instanceof JavaDouble) return writeDouble(value.value);
  if (Array.isArray(value) || value instanceof Set) {
    const items: string[] = [];
    for (const item of value as Iterable<unknown>) items.push(write(item, isStandard) ?? 'null');
    return `[${items.join(',')}]`;
  }
  if (value instanceof Map) return writeMap(value, isStandard);
  if (Buffer.isBuffer(value)) return `"${value.toString('base64')}"`;
  const bean = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(bean).sort()) {
    const text = write(bean[key], isStandard);
    if (text !== undefined) parts.push(`${writeString(key, isStandard)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

function writeMap(map: Map<unknown, unknown>, isStandard: boolean): string {
  const parts: Array<[string, string]> = [];
  for (const [key, entry] of map) {
    const text = write(entry, isStandard);
    if (text === undefined) continue;
    parts.push([writeKey(key, isStandard), text]);
  }
  if (isStandard) parts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `{${parts.map(([k, v]) => `${k}:${v}`).join(',')}}`;
}

function writeKey(key: unknown, isStandard: boolean): string {
  if (typeof key === 'string') return writeString(key, isStandard);
  if (typeof key === 'number' || typeof key === 'bigint') {
    return isStandard ? `"${String(key)}"` : String(key);
  }
  const text = write(key, isStandard) ?? 'null';
  return isStandard ? writeString(text, isStandard) : text;
}

function writeDouble(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value);
}

function writeString(value: string, isStandard: boolean): string {
  const text = JSON.stringify(value);
  // BrowserCompatible: every non-ASCII UTF-16 unit as \uXXXX.
  return isStandard ? text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}
