/** How admin results are shown: aligned columns for people, one JSON document for scripts. */

export type Cell = string | number | boolean | undefined;

/** Columns padded to their widest cell; numbers right-aligned so digits line up. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = rows.map((row) => headers.map((_, i) => (row[i] === undefined ? '' : String(row[i]))));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]!.length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === undefined || typeof r[i] === 'number'));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...text.map(line)].join('\n');
}

export interface Output {
  readonly json: boolean;
  /** A value for --json, or text for people. */
  emit(value: unknown, text: () => string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    emit(value, text) {
      console.log(json ? JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v), 2) : text());
    },
  };
}

export function isoTime(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString() : '-';
}
