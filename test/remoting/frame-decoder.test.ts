import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MqError } from '../../src/common';
import { FrameDecoder, MAX_FRAME_BYTES } from '../../src/remoting';
import { SeededRandom, testSeed } from '../helpers/seeded-random';
import { FEEDINGS, decodeAll, wireFrame } from './frame-feeding';

function content(headerText: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.from(headerText, 'utf8');
  const word = Buffer.alloc(4);
  word.writeUInt32BE(header.length, 0);
  return Buffer.concat([word, header, body]);
}

const CASES: Array<{ name: string; frames: Buffer[] }> = [
  { name: 'header only', frames: [content('{"code":0}')] },
  { name: 'header and body', frames: [content('{"code":10}', Buffer.from('hello body'))] },
  { name: 'empty header (length 4)', frames: [content('')] },
  {
    name: 'three frames back to back',
    frames: [content('{"code":1}'), content('{"code":2}', Buffer.alloc(300, 7)), content('{}')],
  },
];

for (const { name, frames } of CASES) {
  for (const feeding of FEEDINGS) {
    test(`frame decoder: ${name}, ${feeding.name}`, () => {
      const stream = Buffer.concat(frames.map(wireFrame));
      for (const chunks of feeding.chunks(stream)) {
        assert.deepEqual(decodeAll(chunks), frames);
      }
    });
  }
}

test('frame decoder: a frame over the limit fails with ERR_FRAME_TOO_LARGE before allocating it', () => {
  const header = Buffer.alloc(4);
  header.writeInt32BE(MAX_FRAME_BYTES - 3, 0); // 4 + (limit - 3) > limit
  const decoder = new FrameDecoder({ onFrame: () => assert.fail('no frame expected') });
  assert.throws(() => decoder.push(header), (err: unknown) => err instanceof MqError && err.code === 'ERR_FRAME_TOO_LARGE');
  assert.equal(decoder.bufferedBytes, 0);
  assert.ok(decoder.isFailed);
  // Failed for good: the connection is closed, nothing more is read.
  assert.throws(() => decoder.push(Buffer.alloc(1)), (err: unknown) => err instanceof MqError && err.code === 'ERR_FRAME_TOO_LARGE');
});

test('frame decoder: exactly the limit is accepted', () => {
  const limit = 64;
  const frame = Buffer.alloc(limit - 4, 1);
  frame.writeUInt32BE(0, 0);
  assert.deepEqual(decodeAll([wireFrame(frame)], limit), [frame]);
  assert.throws(() => decodeAll([wireFrame(Buffer.alloc(limit - 3))], limit), { code: 'ERR_FRAME_TOO_LARGE' });
});

for (const length of [-1, -0x80000000, 0, 3]) {
  test(`frame decoder: length ${length} fails with ERR_FRAME_MALFORMED`, () => {
    const bytes = Buffer.alloc(8);
    bytes.writeInt32BE(length, 0);
    for (const feeding of FEEDINGS) {
      for (const chunks of feeding.chunks(bytes)) {
        assert.throws(() => decodeAll(chunks), { code: 'ERR_FRAME_MALFORMED' });
      }
    }
  });
}

test('frame decoder: a spanning frame is held in one buffer of its own size', () => {
  const frame = content('{"code":3}', Buffer.alloc(1000, 9));
  const stream = wireFrame(frame);
  const frames: Buffer[] = [];
  const decoder = new FrameDecoder({ onFrame: (f) => frames.push(f) });
  decoder.push(stream.subarray(0, 10));
  assert.equal(decoder.bufferedBytes, frame.length);
  decoder.push(stream.subarray(10));
  assert.equal(decoder.bufferedBytes, 0);
  assert.deepEqual(frames, [frame]);
});

test('frame decoder fuzz: random streams only ever fail with the decoder\'s own errors, within the limit', () => {
  const seed = testSeed();
  const random = new SeededRandom(seed);
  const limit = 4096;
  for (let round = 0; round < 2000; round++) {
    const parts: Buffer[] = [];
    const kind = random.int(0, 3);
    if (kind === 0) {
      parts.push(random.fill(Buffer.alloc(random.int(1, 64))));
    } else {
      // Plausible frames, some truncated, some with lengths over the limit or negative.
      for (let i = random.int(1, 4); i > 0; i--) {
        const body = random.fill(Buffer.alloc(random.int(0, 200)));
        const frame = wireFrame(content('{"code":1}', body));
        if (kind === 2) frame.writeInt32BE(random.int(0, 1) === 0 ? random.int(limit, 0x7fffffff) : -random.int(1, 0x7fffffff), 0);
        parts.push(kind === 3 ? frame.subarray(0, random.int(1, frame.length)) : frame);
      }
    }
    const stream = Buffer.concat(parts);
    let maxHeld = 0;
    const decoder = new FrameDecoder({ onFrame: (f) => assert.ok(f.length + 4 <= limit) }, limit);
    try {
      let pos = 0;
      while (pos < stream.length) {
        const next = Math.min(stream.length, pos + random.int(1, 50));
        decoder.push(stream.subarray(pos, next));
        maxHeld = Math.max(maxHeld, decoder.bufferedBytes);
        pos = next;
      }
    } catch (err) {
      assert.ok(err instanceof MqError, `seed ${seed}: unexpected ${String(err)}`);
      assert.ok(['ERR_FRAME_TOO_LARGE', 'ERR_FRAME_MALFORMED'].includes(err.code), `seed ${seed}: ${err.code}`);
    }
    assert.ok(maxHeld <= limit, `seed ${seed}: held ${maxHeld} bytes`);
  }
});
