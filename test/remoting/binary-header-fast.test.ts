/**
 * The hot-path binary header codec (src/remoting/binary-header.ts) against a plain reference
 * encoder written from the format (RocketMQSerializable): byte for byte on ASCII and non-ASCII
 * text, lengths whose bytes are >= 0x80, and the decoder's string cache under collisions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LanguageCode, SerializeType, type RemotingCommand } from '../../src/protocol';
import { decodeCommand, encodeCommand } from '../../src/remoting/command-codec';
import { FrameWriter } from '../../src/remoting/frame-writer';
import { SeededRandom } from '../helpers/seeded-random';

/** The binary frame of `c`, the obvious way: a Buffer per string. */
function referenceFrame(c: RemotingCommand): Buffer {
  const parts: Buffer[] = [];
  for (const key in c.extFields) {
    const value = c.extFields[key];
    if (value === undefined) continue;
    const k = Buffer.from(key, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const lengths = Buffer.alloc(6);
    lengths.writeUInt16BE(k.length, 0);
    lengths.writeInt32BE(v.length, 2);
    parts.push(lengths.subarray(0, 2), k, lengths.subarray(2), v);
  }
  const ext = Buffer.concat(parts);
  const remark = c.remark === undefined ? Buffer.alloc(0) : Buffer.from(c.remark, 'utf8');
  const fixed = Buffer.alloc(17);
  fixed.writeInt16BE(c.code, 0);
  fixed.writeUInt8(LanguageCode[c.language], 2);
  fixed.writeInt16BE(c.version, 3);
  fixed.writeInt32BE(c.opaque, 5);
  fixed.writeInt32BE(c.flag, 9);
  fixed.writeInt32BE(remark.length, 13);
  const extLength = Buffer.alloc(4);
  extLength.writeInt32BE(ext.length, 0);
  const header = Buffer.concat([fixed, remark, extLength, ext]);
  const start = Buffer.alloc(8);
  const body = c.body ?? Buffer.alloc(0);
  start.writeInt32BE(4 + header.length + body.length, 0);
  start.writeUInt32BE(((SerializeType.ROCKETMQ << 24) | header.length) >>> 0, 4);
  return Buffer.concat([start, header, body]);
}

function command(extFields: Record<string, string>, remark?: string, body?: Buffer): RemotingCommand {
  return { code: 310, language: 'JAVA', version: 479, opaque: 12345, flag: 0, remark, extFields, body, serializeTypeCurrentRPC: SerializeType.ROCKETMQ };
}

test('binary headers: byte for byte as the reference, and back, for ASCII, non-ASCII and long values', () => {
  const cases: RemotingCommand[] = [
    command({}),
    command({ a: 'PG', b: 'Topic', e: '3', i: 'WAIT\u0001true\u0002UNIQ_KEY\u0001ABC\u0002' }),
    command({ k: 'x'.repeat(127), l: 'y'.repeat(128), m: 'z'.repeat(255), n: 'w'.repeat(4095), o: 'v'.repeat(4096), p: 'u'.repeat(70_000) }),
    command({ ['k'.repeat(200)]: 'long key' }),
    command({ topic: 'caf\u00e9', 'cl\u00e9': 'v', emoji: '\u{1F600}', lone: 'a\ud800b' }, 'r\u00e9mark'),
    command({ a: 'ascii' }, 'plain remark', Buffer.from([1, 2, 3])),
    command({ __proto__: 'kept' } as unknown as Record<string, string>),
  ];
  const own = command({});
  Object.defineProperty(own.extFields, '__proto__', { value: 'own', enumerable: true, writable: true, configurable: true });
  cases.push(own);
  for (const c of cases) {
    const frame = encodeCommand(c);
    assert.deepEqual(frame, referenceFrame(c), JSON.stringify(Object.keys(c.extFields)));
    const decoded = decodeCommand(frame.subarray(4));
    // A lone surrogate cannot survive UTF-8 (both sides write U+FFFD), as with Buffer.from.
    const expected = Object.fromEntries(Object.entries(c.extFields).map(([k, v]) => [Buffer.from(k).toString(), Buffer.from(v).toString()]));
    assert.deepEqual({ ...decoded.extFields }, expected);
    assert.equal(decoded.remark, c.remark);
    assert.equal(Object.getPrototypeOf(decoded.extFields), Object.prototype);
  }
});

test('binary headers: the decoder string cache never returns a wrong string (seeded, colliding lengths)', () => {
  const rng = new SeededRandom(20261121);
  const random = (): number => rng.next();
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_%';
  for (let round = 0; round < 3000; round++) {
    const ext: Record<string, string> = {};
    const fields = 1 + Math.floor(random() * 6);
    for (let f = 0; f < fields; f++) {
      // Short keys and values of a few lengths: the cache sees many different strings per slot.
      const key = Array.from({ length: 1 + Math.floor(random() * 3) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      ext[key] = Array.from({ length: Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    }
    const c = command(ext);
    assert.deepEqual({ ...decodeCommand(encodeCommand(c).subarray(4)).extFields }, ext);
  }
});

test('FrameWriter: frames written in a row leave as one chunk; big bodies go uncopied as their own', () => {
  const a = new FrameWriter();
  const b = new FrameWriter();
  const small = command({ x: '1' }, undefined, Buffer.alloc(100, 1));
  const big = command({ y: '2' }, undefined, Buffer.alloc(64 * 1024, 2));
  a.write(small);
  a.write(small);
  let chunks = a.take();
  assert.equal(chunks.length, 1);
  assert.deepEqual(chunks[0], Buffer.concat([referenceFrame(small), referenceFrame(small)]));
  // Interleaved writers keep their own order; a big body is not copied.
  a.write(small);
  b.write(small);
  a.write(big);
  a.write(small);
  chunks = a.take();
  assert.equal(a.bytes, 0);
  assert.deepEqual(Buffer.concat(chunks), Buffer.concat([referenceFrame(small), referenceFrame(big), referenceFrame(small)]));
  assert.ok(chunks.includes(big.body!), 'the big body is its own chunk');
  assert.deepEqual(Buffer.concat(b.take()), referenceFrame(small));
  // A frame over the limit throws and leaves the writer as it was.
  a.write(small);
  assert.throws(() => a.write(command({ z: '3' }, undefined, Buffer.alloc(17 * 1024 * 1024))), { code: 'ERR_FRAME_TOO_LARGE' });
  assert.deepEqual(Buffer.concat(a.take()), referenceFrame(small));
});

test('FrameWriter: headers written in place or, near an arena\'s end, through the scratch buffer give the same frames', () => {
  const rng = new SeededRandom(2026112201);
  const writer = new FrameWriter();
  const expected: Buffer[] = [];
  let written = 0;
  for (let i = 0; i < 400; i++) {
    // Mostly small headers with 1 KiB bodies (an arena's end comes every ~60 frames), some of a few
    // KiB and a few longer than a whole arena; both header forms.
    const roll = rng.next();
    const valueLength = roll < 0.9 ? Math.floor(rng.next() * 200) : roll < 0.98 ? Math.floor(rng.next() * 8000) : 70_000 + Math.floor(rng.next() * 1000);
    const c = command({ a: 'PG', b: 'x'.repeat(valueLength), t: i % 3 === 0 ? 'caf\u00e9' : 'plain' }, i % 5 === 0 ? 'remark' : undefined, Buffer.alloc(1024, i & 0xff));
    c.serializeTypeCurrentRPC = i % 4 === 0 ? SerializeType.JSON : SerializeType.ROCKETMQ;
    writer.write(c);
    expected.push(encodeCommand(c));
    written += expected[expected.length - 1]!.length;
    assert.equal(writer.bytes, written);
  }
  assert.deepEqual(Buffer.concat(writer.take()), Buffer.concat(expected));
});
