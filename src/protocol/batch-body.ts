/**
 * The SEND_BATCH_MESSAGE body (Java MessageDecoder.encodeMessages): per message
 * int32 totalSize, int32 magic (0), int32 bodyCRC (0), int32 flag, int32 bodyLength, body,
 * int16 propertiesLength, properties (UTF-8, name\u0001value\u0002...). Any inconsistency is
 * MESSAGE_ILLEGAL for the whole batch (the batch is atomic: nothing is stored).
 */
import { mqError } from './errors';

export interface BatchEntry {
  readonly flag: number;
  readonly body: Buffer;
  /** The entry's properties as sent (`name\u0001value\u0002...`); decodeProperties() reads them. */
  readonly propertiesText: string;
}

const ENTRY_FIXED_BYTES = 4 + 4 + 4 + 4 + 4 + 2;

export function decodeBatchBody(buf: Buffer): BatchEntry[] {
  const entries: BatchEntry[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < ENTRY_FIXED_BYTES) throw illegal(pos, 'fewer bytes left than a message header');
    const totalSize = buf.readInt32BE(pos);
    if (totalSize < ENTRY_FIXED_BYTES || totalSize > buf.length - pos) throw illegal(pos, `totalSize ${totalSize} does not fit`);
    const flag = buf.readInt32BE(pos + 12);
    const bodyLength = buf.readInt32BE(pos + 16);
    if (bodyLength < 0 || 20 + bodyLength + 2 > totalSize) throw illegal(pos, `bodyLength ${bodyLength} does not fit`);
    const body = buf.subarray(pos + 20, pos + 20 + bodyLength);
    const propertiesLength = buf.readInt16BE(pos + 20 + bodyLength);
    if (propertiesLength < 0 || 20 + bodyLength + 2 + propertiesLength !== totalSize) {
      throw illegal(pos, `propertiesLength ${propertiesLength} does not match totalSize ${totalSize}`);
    }
    const propsStart = pos + 22 + bodyLength;
    entries.push({ flag, body, propertiesText: buf.toString('utf8', propsStart, propsStart + propertiesLength) });
    pos += totalSize;
  }
  if (entries.length === 0) throw illegal(0, 'the batch is empty');
  return entries;
}

/** Encodes entries the way Java's MessageDecoder.encodeMessages does, into one buffer. */
export function encodeBatchBody(entries: readonly { flag?: number; body: Buffer; properties?: string }[]): Buffer {
  let total = 0;
  const propLengths = new Array<number>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const propLength = Buffer.byteLength(entry.properties ?? '', 'utf8');
    propLengths[i] = propLength;
    total += ENTRY_FIXED_BYTES + entry.body.length + propLength;
  }
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const propLength = propLengths[i]!;
    out.writeInt32BE(ENTRY_FIXED_BYTES + entry.body.length + propLength, pos);
    out.writeInt32BE(0, pos + 4); // magic
    out.writeInt32BE(0, pos + 8); // body CRC (the broker computes it)
    out.writeInt32BE(entry.flag ?? 0, pos + 12);
    out.writeInt32BE(entry.body.length, pos + 16);
    pos += 20;
    pos += entry.body.copy(out, pos);
    out.writeInt16BE(propLength, pos);
    pos += 2;
    if (propLength > 0) pos += out.write(entry.properties!, pos, 'utf8');
  }
  return out;
}

function illegal(pos: number, why: string): Error {
  return mqError('ERR_MESSAGE_ILLEGAL', `the batch body is malformed at byte ${pos}: ${why}`);
}
