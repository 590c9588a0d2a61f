/**
 * The buffers the header writers encode into (binary-header.ts, json-header-writer.ts). Each writer
 * keeps its own scratch buffer and write position as module state, for speed, and can also write
 * straight into a caller's buffer (a connection's outgoing arena, sparing a copy per frame); there
 * it cannot grow, and running out of room throws TARGET_FULL, which the writer turns into -1.
 */

/** A buffer of at least `needed` bytes (doubling `old`), holding old[0, used). */
export function grownScratch(old: Buffer, used: number, needed: number): Buffer {
  let size = old.length * 2;
  while (size < needed) size *= 2;
  const grown = Buffer.allocUnsafeSlow(size);
  old.copy(grown, 0, 0, used);
  return grown;
}

/** Thrown (always this one instance, no stack walk per throw) when a caller's buffer is too short. */
export const TARGET_FULL: Error = new Error('the header does not fit the rest of the target buffer');

/** `write(command, target, start, end)`, or -1 when the header ran out of target[start, end). */
export function writeUnlessFull<C>(
  write: (command: C, target: Buffer, start: number, end: number) => number,
  command: C,
  target: Buffer,
  start: number,
  end: number,
): number {
  try {
    return write(command, target, start, end);
  } catch (err) {
    if (err === TARGET_FULL) return -1;
    throw err;
  }
}
