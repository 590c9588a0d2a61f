/** CRC-32/IEEE 802.3 (java.util.zip.CRC32), table driven: for verification and tests. */
function makeTable(): Int32Array {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
}

// Immutable after construction: a lookup table, not state.
const TABLE = makeTable();

/** Unsigned CRC32 of bytes[start, end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = -1;
  for (let i = start; i < end; i++) crc = (TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** What RocketMQ stores in BODYCRC: crc32 & 0x7FFFFFFF. */
export function bodyCrc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32(bytes, start, end) & 0x7fffffff;
}
