/**
 * IP literals <-> the raw bytes of BORNHOST / STOREHOST (4 bytes IPv4, 16 bytes IPv6, then an
 * int32 port). IPv6 is written out in RFC 5952 form when decoding.
 */
import { MqError } from '../common/mq-error';
import type { SocketAddress } from './message-types';

/** Parses an IPv4 or IPv6 literal into 4 or 16 bytes; throws ERR_INVALID_ADDRESS otherwise. */
export function parseIpAddress(address: string): Uint8Array {
  const v4 = parseIpv4(address);
  if (v4 !== undefined) return v4;
  const v6 = parseIpv6(address);
  if (v6 !== undefined) return v6;
  throw new MqError('ERR_INVALID_ADDRESS', `"${address}" is not an IPv4 or IPv6 literal`);
}

export function isIpv6Literal(address: string): boolean {
  return address.includes(':');
}

function parseIpv4(address: string): Uint8Array | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

function parseIpv6(address: string): Uint8Array | undefined {
  let text = address;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = splitGroups(halves[0] as string);
  const tail = halves.length === 2 ? splitGroups(halves[1] as string) : [];
  if (head === undefined || tail === undefined) return undefined;
  const groups = halves.length === 2 ? head.length + tail.length : head.length;
  if (halves.length === 2 ? groups > 7 : groups !== 8) return undefined;
  const words = [...head, ...new Array<number>(8 - groups).fill(0), ...tail];
  if (halves.length === 1) words.length = 8;
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** "a:b:1.2.3.4" -> 16-bit words; an embedded IPv4 tail counts as two words. */
function splitGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const words: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      words.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
      words.push(parseInt(part, 16));
    }
  }
  return words;
}

/** 4 or 16 bytes -> literal (dotted quad, or RFC 5952 compressed lower-case IPv6). */
export function formatIpAddress(bytes: Uint8Array, start = 0, length = bytes.length - start): string {
  if (length === 4) return `${bytes[start]}.${bytes[start + 1]}.${bytes[start + 2]}.${bytes[start + 3]}`;
  if (length !== 16) throw new MqError('ERR_INVALID_ADDRESS', `an IP address has 4 or 16 bytes, not ${length}`);
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((bytes[start + 2 * i] as number) << 8) | (bytes[start + 2 * i + 1] as number));
  // RFC 5952: compress the longest run (>= 2) of zero words, the first one on ties.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Validates a SocketAddress and returns its encoded host field (ip bytes + int32 port). */
export function encodeSocketAddress(address: SocketAddress): Buffer {
  const ip = parseIpAddress(address.address);
  if (!Number.isInteger(address.port) || address.port < 0 || address.port > 0x7fffffff) {
    throw new MqError('ERR_INVALID_ADDRESS', `port ${address.port} is not an integer in [0, 2^31)`);
  }
  const out = Buffer.allocUnsafe(ip.length + 4);
  out.set(ip, 0);
  out.writeInt32BE(address.port, ip.length);
  return out;
}
