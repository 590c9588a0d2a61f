import { FrameDecoder } from '../../src/remoting';

/** The ways a byte stream can arrive: whole, byte by byte, and split in two at every boundary. */
export type Feeding = { name: string; chunks: (bytes: Buffer) => Buffer[][] };

export const FEEDINGS: readonly Feeding[] = [
  { name: 'one chunk', chunks: (bytes) => [[bytes]] },
  {
    name: 'byte by byte',
    chunks: (bytes) => [Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))],
  },
  {
    name: 'split at every boundary',
    chunks: (bytes) => Array.from({ length: bytes.length + 1 }, (_, i) => [bytes.subarray(0, i), bytes.subarray(i)]),
  },
];

/** Feeds one arrangement of chunks to a fresh decoder; returns the frames (copied) it produced. */
export function decodeAll(chunks: readonly Buffer[], maxFrameBytes?: number): Buffer[] {
  const frames: Buffer[] = [];
  const decoder = new FrameDecoder({ onFrame: (frame) => frames.push(Buffer.from(frame)) }, maxFrameBytes);
  for (const chunk of chunks) decoder.push(chunk);
  if (decoder.bufferedBytes !== 0) throw new Error(`decoder holds ${decoder.bufferedBytes} bytes after the stream`);
  return frames;
}

/** A frame on the wire: int32 length, then `content`. */
export function wireFrame(content: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(content.length, 0);
  return Buffer.concat([length, content]);
}
