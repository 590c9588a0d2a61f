/**
 * Message properties on disk and on the wire: `name \x01 value \x02` per pair, a trailing \x02
 * after the last pair. Decoding splits on \x02, then on the first \x01; items without a
 * separator, or shorter than 3 characters ("a\x01" has no value), are skipped like Java does.
 */
const NAME_VALUE_SEPARATOR = '\u0001';
const PROPERTY_SEPARATOR = '\u0002';

export function encodeProperties(properties: Readonly<Record<string, string>> | undefined): string {
  if (properties === undefined) return '';
  let out = '';
  for (const name in properties) {
    const value = properties[name];
    if (value === undefined || value === null) continue;
    out += name + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
  }
  return out;
}

/**
 * Property names already seen, by a cheap hash of length and end characters: the same dozen names
 * (UNIQ_KEY, TAGS, KEYS, WAIT, ...) come with every message, and a reused name is neither sliced
 * out nor looked up again in V8's string table when it becomes a key.
 */
const NAME_SLOTS = 256;
const nameCache: Array<string | undefined> = new Array<string | undefined>(NAME_SLOTS).fill(undefined);

export function decodeProperties(encoded: string): Record<string, string> {
  const properties: Record<string, string> = {};
  let start = 0;
  while (start < encoded.length) {
    let end = encoded.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = encoded.length;
    if (end - start >= 3) {
      const sep = encoded.indexOf(NAME_VALUE_SEPARATOR, start);
      if (sep >= 0 && sep < end) {
        const length = sep - start;
        const slot = (length * 31 + encoded.charCodeAt(start) * 7 + encoded.charCodeAt(sep - 1)) & (NAME_SLOTS - 1);
        let name = nameCache[slot];
        if (name === undefined || name.length !== length || !encoded.startsWith(name, start)) {
          name = encoded.slice(start, sep);
          nameCache[slot] = name;
        }
        properties[name] = encoded.slice(sep + 1, end);
      }
    }
    start = end + 1;
  }
  return properties;
}

/** Finds one property in an encoded string without decoding the rest. */
export function findProperty(encoded: string, name: string): string | undefined {
  const needle = name + NAME_VALUE_SEPARATOR;
  let start = 0;
  while (start < encoded.length) {
    let end = encoded.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = encoded.length;
    if (encoded.startsWith(needle, start)) return encoded.slice(start + needle.length, end);
    start = end + 1;
  }
  return undefined;
}

/**
 * Several properties in one pass: out[i] becomes the value of names[i] as findProperty would give it
 * (the first occurrence; undefined when absent). For hot paths that look at a few names per message.
 */
export function findProperties(encoded: string, names: readonly string[], out: Array<string | undefined>): void {
  for (let i = 0; i < names.length; i++) out[i] = undefined;
  let start = 0;
  while (start < encoded.length) {
    let end = encoded.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = encoded.length;
    const sep = encoded.indexOf(NAME_VALUE_SEPARATOR, start);
    if (sep >= 0 && sep < end) {
      const nameLength = sep - start;
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        if (name.length === nameLength && out[i] === undefined && encoded.startsWith(name, start)) {
          out[i] = encoded.slice(sep + 1, end);
          break;
        }
      }
    }
    start = end + 1;
  }
}

/**
 * Like encodeProperties, but returns null when a name or value is not a string, a name is empty,
 * or either contains a separator character (the record could not be decoded back).
 * propertiesProblem() says which, for the error remark.
 */
export function encodePropertiesChecked(properties: Readonly<Record<string, string>> | undefined): string | null {
  if (properties === undefined) return '';
  if (typeof properties !== 'object' || properties === null) return null;
  let out = '';
  for (const name in properties) {
    const value: unknown = properties[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || name.length === 0 || hasSeparator(name) || hasSeparator(value)) return null;
    out += name + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
  }
  return out;
}

export function propertiesProblem(properties: unknown): string | undefined {
  if (properties === undefined) return undefined;
  if (typeof properties !== 'object' || properties === null) return 'properties must be an object of strings';
  for (const [name, value] of Object.entries(properties as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (typeof value !== 'string') return `property ${name} is not a string`;
    if (name.length === 0) return 'a property name is empty';
    if (hasSeparator(name) || hasSeparator(value)) return `property ${JSON.stringify(name)} contains a \\u0001 or \\u0002 separator`;
  }
  return undefined;
}

function hasSeparator(text: string): boolean {
  return text.includes(NAME_VALUE_SEPARATOR) || text.includes(PROPERTY_SEPARATOR);
}
