/**
 * Where a connection's outgoing frames are built until they are handed to the socket. Frames are
 * written straight into a shared arena (one large buffer carved up like Buffer's own pool), so the
 * frames one connection writes in a row lie next to each other and leave as one slice: no buffer
 * per frame and no copy into a combined buffer at flush. Bodies over INLINE_BODY_BYTES are not
 * copied; they go as chunks of their own. An arena is never written twice: a slice handed to the
 * socket stays valid however long the kernel takes.
 */
import { bufferCopy, bufferSubarray, typedArraySet } from '../common/raw-buffer';
import type { RemotingCommand } from '../protocol/remoting-command';
import { encodeHeader, encodeHeaderInto, headerScratchFor, writeFrameStart } from './command-codec';

/** Bodies up to this size are copied next to their header rather than written as a chunk of their own. */
export const INLINE_BODY_BYTES = 8 * 1024;
/** A connection flushes at 64 KiB (EARLY_FLUSH_BYTES), so a region rarely needs more. */
const ARENA_BYTES = 64 * 1024;

let arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
let arenaPos = 0;

/** Room for `bytes` at the arena's current position (a new arena when the current one is short). */
function reserve(bytes: number): void {
  if (arena.length - arenaPos >= bytes) return;
  arena = Buffer.allocUnsafeSlow(Math.max(ARENA_BYTES, bytes));
  arenaPos = 0;
}

export class FrameWriter {
  /** Closed chunks, in order. */
  #chunks: Buffer[] = [];
  /** The open region: this writer's latest frames, contiguous in `#regionArena`. */
  #regionArena: Buffer | undefined;
  #regionStart = 0;
  #regionEnd = 0;
  #bytes = 0;

  /** Bytes written and not yet taken. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Encodes `command` (header and body) after the frames already written. Throws when it cannot be encoded. */
  write(command: RemotingCommand): void {
    const body = command.body;
    const bodyLength = body === undefined ? 0 : body.length;
    const isInline = bodyLength <= INLINE_BODY_BYTES;
    const inlineBytes = isInline ? bodyLength : 0;
    // The header is written in place, after the frame's length words; only one longer than the
    // arena's rest goes through the scratch buffer and is copied into a new arena.
    let headerLength = encodeHeaderInto(command, bodyLength, arena, arenaPos + 8, arena.length - inlineBytes);
    if (headerLength < 0) {
      headerLength = encodeHeader(command, bodyLength);
      reserve(8 + headerLength + inlineBytes);
      bufferCopy.call(headerScratchFor(command), arena, arenaPos + 8, 0, headerLength);
    }
    const frameBytes = 8 + headerLength + inlineBytes;
    if (this.#regionArena !== arena || this.#regionEnd !== arenaPos) {
      this.#closeRegion();
      this.#regionArena = arena;
      this.#regionStart = arenaPos;
    }
    const at = arenaPos;
    writeFrameStart(arena, at, headerLength, bodyLength, command.serializeTypeCurrentRPC);
    if (isInline && bodyLength > 0) typedArraySet.call(arena, body!, at + 8 + headerLength);
    arenaPos = at + frameBytes;
    this.#regionEnd = arenaPos;
    this.#bytes += frameBytes;
    if (!isInline) {
      this.#closeRegion();
      this.#chunks.push(body!);
      this.#bytes += bodyLength;
    }
  }

  /** Everything written so far, in order, as chunks for the socket; the writer is empty after. */
  take(): Buffer[] {
    this.#closeRegion();
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#bytes = 0;
    return chunks;
  }

  #closeRegion(): void {
    if (this.#regionArena !== undefined && this.#regionEnd > this.#regionStart) {
      this.#chunks.push(bufferSubarray.call(this.#regionArena, this.#regionStart, this.#regionEnd));
    }
    this.#regionArena = undefined;
    this.#regionStart = 0;
    this.#regionEnd = 0;
  }
}
