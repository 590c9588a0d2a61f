/**
 * Growth of the reused scratch buffers the header writers encode into (binary-header.ts,
 * json-header-writer.ts): each keeps its own buffer and write position as module state, for speed.
 */

/** A buffer of at least `needed` bytes (doubling `old`), holding old[0, used). */
export function grownScratch(old: Buffer, used: number, needed: number): Buffer {
  let size = old.length * 2;
  while (size < needed) size *= 2;
  const grown = Buffer.allocUnsafeSlow(size);
  old.copy(grown, 0, 0, used);
  return grown;
}
