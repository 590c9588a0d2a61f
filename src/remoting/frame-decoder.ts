import { bufferCopy, bufferSubarray, int32BE } from '../common/raw-buffer';
import { mqError } from '../protocol/errors';

/** Java's NettyDecoder limit (com.rocketmq.remoting.frameMaxLength), counting the length field. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** The length field, and the smallest frame content: the header-length word. */
const LENGTH_FIELD_BYTES = 4;

/** Receives each complete frame: the bytes after the length field (header-length word, header, body). */
export interface FrameSink {
  onFrame(frame: Buffer): void;
}

/**
 * Incremental splitter of the remoting byte stream into frames:
 *
 *   int32 length (= bytes that follow) | int32 serializeType<<24 | headerLength | header | body
 *
 * Frames wholly inside one chunk are handed on as views of that chunk (no copy); a frame that spans
 * chunks is gathered into one buffer of exactly its size, allocated only after its length passed the
 * limit check, so a peer can never make this allocate more than `maxFrameBytes`. A bad length
 * (negative, shorter than the header-length word, or over the limit) throws ERR_FRAME_MALFORMED or
 * ERR_FRAME_TOO_LARGE; the decoder then stays failed and the caller closes the connection.
 */
export class FrameDecoder {
  readonly #sink: FrameSink;
  readonly #maxFrameBytes: number;
  /** A length field split across chunks. */
  readonly #lengthBytes = Buffer.alloc(LENGTH_FIELD_BYTES);
  #lengthFilled = 0;
  /** The frame being gathered across chunks, and how much of it has arrived. */
  #partial: Buffer | null = null;
  #partialFilled = 0;
  #failed: Error | null = null;

  constructor(sink: FrameSink, maxFrameBytes: number = MAX_FRAME_BYTES) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes <= LENGTH_FIELD_BYTES * 2) {
      throw new RangeError(`maxFrameBytes must be an integer > 8, got ${maxFrameBytes}`);
    }
    this.#sink = sink;
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held for an unfinished frame (never more than maxFrameBytes). */
  get bufferedBytes(): number {
    return this.#lengthFilled + (this.#partial === null ? 0 : this.#partial.length);
  }

  get isFailed(): boolean {
    return this.#failed !== null;
  }

  push(chunk: Buffer): void {
    if (this.#failed !== null) throw this.#failed;
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      const partial = this.#partial;
      if (partial !== null) {
        const n = Math.min(partial.length - this.#partialFilled, end - pos);
        bufferCopy.call(chunk, partial, this.#partialFilled, pos, pos + n);
        this.#partialFilled += n;
        pos += n;
        if (this.#partialFilled === partial.length) {
          this.#partial = null;
          this.#partialFilled = 0;
          this.#sink.onFrame(partial);
        }
        continue;
      }
      let length: number;
      if (this.#lengthFilled === 0 && end - pos >= LENGTH_FIELD_BYTES) {
        length = int32BE(chunk, pos);
        pos += LENGTH_FIELD_BYTES;
      } else {
        const n = Math.min(LENGTH_FIELD_BYTES - this.#lengthFilled, end - pos);
        bufferCopy.call(chunk, this.#lengthBytes, this.#lengthFilled, pos, pos + n);
        this.#lengthFilled += n;
        pos += n;
        if (this.#lengthFilled < LENGTH_FIELD_BYTES) break;
        this.#lengthFilled = 0;
        length = int32BE(this.#lengthBytes, 0);
      }
      this.#checkLength(length);
      if (end - pos >= length) {
        const frame = bufferSubarray.call(chunk, pos, pos + length);
        pos += length;
        this.#sink.onFrame(frame);
      } else {
        const gathered = Buffer.allocUnsafe(length);
        bufferCopy.call(chunk, gathered, 0, pos, end);
        this.#partial = gathered;
        this.#partialFilled = end - pos;
        pos = end;
      }
    }
  }

  #checkLength(length: number): void {
    if (length < LENGTH_FIELD_BYTES) {
      this.#failed = mqError('ERR_FRAME_MALFORMED', `frame length ${length} is below the 4-byte minimum`);
      throw this.#failed;
    }
    if (length + LENGTH_FIELD_BYTES > this.#maxFrameBytes) {
      this.#failed = mqError(
        'ERR_FRAME_TOO_LARGE',
        `frame of ${length + LENGTH_FIELD_BYTES} bytes exceeds the ${this.#maxFrameBytes}-byte limit`,
      );
      throw this.#failed;
    }
  }
}
