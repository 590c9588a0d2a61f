/** A child's output as lines: every non-empty line of each stream, in order, a partial one held until its newline. */
import type { Readable } from 'node:stream';

export function onOutputLines(streams: ReadonlyArray<Readable | null>, onLine: (line: string) => void): void {
  for (const stream of streams) {
    if (stream === null) continue;
    stream.setEncoding('utf8');
    let partial = '';
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) if (l.length > 0) onLine(l);
    });
  }
}
