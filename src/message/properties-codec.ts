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

export function decodeProperties(encoded: string): Record<string, string> {
  const properties: Record<string, string> = {};
  let start = 0;
  while (start < encoded.length) {
    let end = encoded.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = encoded.length;
    if (end - start >= 3) {
      const sep = encoded.indexOf(NAME_VALUE_SEPARATOR, start);
      if (sep >= 0 && sep < end) properties[encoded.slice(start, sep)] = encoded.slice(sep + 1, end);
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
