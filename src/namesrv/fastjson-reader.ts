/**
 * Parses JSON that a Java peer wrote with fastjson. Standard JSON passes straight to JSON.parse;
 * the one fastjson quirk a broker body can carry is a map with unquoted integer keys
 * (`{0:1}`, e.g. static-topic mappings), which is quoted here before parsing. Anything else that
 * is not JSON throws a SyntaxError.
 */
export function parseFastjson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const quoted = quoteIntegerKeys(text);
    if (quoted === text) throw err;
    return JSON.parse(quoted);
  }
}

/** Quotes a bare (optionally negative) integer that follows `{` or `,` and precedes `:`, outside strings. */
function quoteIntegerKeys(text: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  let expectKey = false;
  while (i < text.length) {
    const ch = text[i] as string;
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (ch === '"') inString = false;
      i++;
      continue;
    }
    if (ch === '"') {
      inString = true;
      expectKey = false;
      out += ch;
      i++;
      continue;
    }
    if (ch === '{' || ch === ',') {
      expectKey = true;
      out += ch;
      i++;
      continue;
    }
    if (expectKey && /[-0-9]/.test(ch)) {
      const m = /^-?\d+(?=\s*:)/.exec(text.slice(i, i + 32));
      if (m !== null) {
        out += `"${m[0]}"`;
        i += m[0].length;
        expectKey = false;
        continue;
      }
    }
    if (!/\s/.test(ch)) expectKey = false;
    out += ch;
    i++;
  }
  return out;
}
