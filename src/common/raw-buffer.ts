/**
 * Buffer primitives without the argument checks of their public wrappers (toString, write,
 * readInt32BE), for the codecs that call them per field of every frame and record; callers check
 * bounds themselves. The slicers and writers are Buffer's own prototype methods: call them with
 * `.call(buffer, ...)`.
 */
type Slicer = (this: Buffer, start: number, end: number) => string;
type Writer = (this: Buffer, text: string, offset: number, maxBytes?: number) => number;
const prototype = Buffer.prototype as unknown as { utf8Slice: Slicer; latin1Slice: Slicer; utf8Write: Writer; latin1Write: Writer };

export const utf8Slice: Slicer = prototype.utf8Slice;
export const latin1Slice: Slicer = prototype.latin1Slice;
export const utf8Write: Writer = prototype.utf8Write;
export const latin1Write: Writer = prototype.latin1Write;

/** The big-endian int32 at b[p, p + 4). */
export function int32BE(b: Buffer, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}

/** The big-endian int16 at b[p, p + 2), sign-extended. */
export function int16BE(b: Buffer, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16)) >> 16;
}

/** Stores the low 32 bits of `value` big-endian at b[p, p + 4) (signed or unsigned alike). */
export function putInt32BE(b: Buffer, p: number, value: number): void {
  b[p] = value >>> 24;
  b[p + 1] = (value >>> 16) & 0xff;
  b[p + 2] = (value >>> 8) & 0xff;
  b[p + 3] = value & 0xff;
}

/** Stores the low 16 bits of `value` big-endian at b[p, p + 2). */
export function putInt16BE(b: Buffer, p: number, value: number): void {
  b[p] = (value >>> 8) & 0xff;
  b[p + 1] = value & 0xff;
}

/**
 * Buffer.prototype.subarray, called as `bufferSubarray.call(buffer, start, end)`. Node 20's V8
 * looks a method up on a typed array (`buffer.subarray`, `buffer.readInt32BE`) through a generic
 * inline-cache call even in optimized code; through a constant function it does not. Hence this
 * and the integer helpers above on the per-frame paths.
 */
export const bufferSubarray = Buffer.prototype.subarray as (this: Buffer, start: number, end?: number) => Buffer;
/** Uint8Array.prototype.set, called as `typedArraySet.call(target, source, offset)`. */
export const typedArraySet = Uint8Array.prototype.set as (this: Uint8Array, source: ArrayLike<number>, offset?: number) => void;
/** Buffer.prototype.copy, called as `bufferCopy.call(source, target, targetStart, sourceStart, sourceEnd)`. */
export const bufferCopy = Buffer.prototype.copy as (this: Buffer, target: Uint8Array, targetStart: number, sourceStart: number, sourceEnd: number) => number;
