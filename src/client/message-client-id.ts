/**
 * UNIQ_KEY, the message id a producer assigns (RocketMQ MessageClientIDSetter): 16 bytes as 32
 * upper-case hex characters:
 *
 *   bytes 0-3   client IPv4 address
 *   bytes 4-5   process id (low 16 bits)
 *   bytes 6-9   a per-generator random value (Java: the class loader's hash code)
 *   bytes 10-13 milliseconds since the start of the current month (local time), int32
 *   bytes 14-15 counter, int16, wrapping
 *
 * The first 10 bytes never change for a generator, so their hex is computed once; an id costs one
 * string concatenation of three short pieces.
 */
import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';

export interface DecodedClientMessageId {
  readonly ip: string;
  readonly pid: number;
  /** Start of the month + the delta: the id's creation time, when decoded in the month it was made. */
  readonly approximateTime: number;
  readonly counter: number;
}

export class MessageClientIdGenerator {
  readonly #prefix: string;
  readonly #now: () => number;
  #counter: number;
  #monthStart = 0;
  #nextMonthStart = 0;

  constructor(clientIP: string, pid = process.pid, now: () => number = Date.now) {
    const fixed = Buffer.alloc(10);
    const ip = isIPv4(clientIP) ? clientIP : '127.0.0.1';
    ip.split('.').forEach((part, i) => fixed.writeUInt8(Number(part), i));
    fixed.writeUInt16BE(pid & 0xffff, 4);
    randomBytes(4).copy(fixed, 6);
    this.#prefix = fixed.toString('hex').toUpperCase();
    this.#counter = randomBytes(2).readUInt16BE(0);
    this.#now = now;
  }

  /** A new id. */
  next(): string {
    const now = this.#now();
    if (now >= this.#nextMonthStart || now < this.#monthStart) this.#setMonth(now);
    const delta = (now - this.#monthStart) >>> 0;
    this.#counter = (this.#counter + 1) & 0xffff;
    return this.#prefix + hex(delta, 8) + hex(this.#counter, 4);
  }

  #setMonth(now: number): void {
    const date = new Date(now);
    this.#monthStart = new Date(date.getFullYear(), date.getMonth(), 1).getTime();
    this.#nextMonthStart = new Date(date.getFullYear(), date.getMonth() + 1, 1).getTime();
  }
}

/** Two upper-case hex digits per byte value: an id is 6 lookups and one concatenation. */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));

function hex(value: number, width: number): string {
  if (width === 8) return HEX_BYTE[value >>> 24]! + HEX_BYTE[(value >>> 16) & 0xff]! + HEX_BYTE[(value >>> 8) & 0xff]! + HEX_BYTE[value & 0xff]!;
  let out = '';
  for (let shift = (width / 2 - 1) * 8; shift >= 0; shift -= 8) out += HEX_BYTE[(value >>> shift) & 0xff]!;
  return out;
}

/** Reads the parts back (MessageClientIDSetter.getIPStrFromID / getNearlyTimeFromID). */
export function decodeClientMessageId(id: string, now = Date.now()): DecodedClientMessageId {
  if (!/^[0-9A-Fa-f]{32}$/.test(id)) throw new TypeError(`a client message id is 32 hex characters, got ${JSON.stringify(id)}`);
  const bytes = Buffer.from(id, 'hex');
  const date = new Date(now);
  const monthStart = new Date(date.getFullYear(), date.getMonth(), 1).getTime();
  return {
    ip: `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`,
    pid: bytes.readUInt16BE(4),
    approximateTime: monthStart + bytes.readUInt32BE(10),
    counter: bytes.readUInt16BE(14),
  };
}
