/** Big-endian int64 fields as plain numbers (every offset and timestamp stays below 2^53). */
const TWO_32 = 0x1_0000_0000;

export function writeInt64BE(target: Buffer, value: number, position: number): void {
  const high = Math.floor(value / TWO_32);
  target.writeInt32BE(high, position);
  target.writeUInt32BE(value - high * TWO_32, position + 4);
}

export function readInt64BE(source: Buffer, position: number): number {
  return source.readInt32BE(position) * TWO_32 + source.readUInt32BE(position + 4);
}
