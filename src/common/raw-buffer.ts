/**
 * Buffer primitives without the argument checks of their public wrappers (toString, write,
 * readInt32BE), for the codecs that call them per field of every frame and record; callers check
 * bounds themselves. The slicers and writers are Buffer's own prototype methods: call them with
 * `.call(buffer, ...)`.
 */
type Slicer = (this: Buffer, start: number, end: number) => string;
type Writer = (this: Buffer, text: string, offset: number) => number;
const prototype = Buffer.prototype as unknown as { utf8Slice: Slicer; latin1Slice: Slicer; utf8Write: Writer; latin1Write: Writer };

export const utf8Slice: Slicer = prototype.utf8Slice;
export const latin1Slice: Slicer = prototype.latin1Slice;
export const utf8Write: Writer = prototype.utf8Write;
export const latin1Write: Writer = prototype.latin1Write;

/** The big-endian int32 at b[p, p + 4). */
export function int32BE(b: Buffer, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}
