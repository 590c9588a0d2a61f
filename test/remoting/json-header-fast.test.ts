/**
 * The fast JSON header paths must be indistinguishable from the plain ones: the byte writer writes
 * exactly jsonHeaderText(), and the reader (which reuses JSON.parse's extFields object when it can)
 * gives exactly what a straightforward JSON.parse-and-copy reader gives, over generated headers
 * that mix every JSON feature.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequest, createResponse, type RemotingCommand } from '../../src/protocol';
import { decodeCommand, encodeCommandPrefix, jsonHeaderText } from '../../src/remoting';
import { languageFromName, SerializeType } from '../../src/protocol';
import { SeededRandom, testSeed } from '../helpers/seeded-random';

const PIECES = ['a', 'Z', '0', '9', ' ', '"', '\\', '/', '\u0001', '\u0002', '\n', '\t', '\u001f', '\u007f', 'é', '中', '\ud83d\ude00', '\ud800', '\udfff', '{', '}', ':', ','];

function randomText(r: SeededRandom, maxPieces: number): string {
  let s = '';
  const n = r.int(0, maxPieces);
  for (let i = 0; i < n; i++) s += PIECES[r.int(0, PIECES.length - 1)];
  return s;
}

function randomCommand(r: SeededRandom): RemotingCommand {
  const ext: Record<string, string> = {};
  const fields = r.int(0, 8);
  for (let i = 0; i < fields; i++) ext[r.int(0, 3) === 0 ? String(r.int(0, 99)) : `k${randomText(r, 3)}`] = randomText(r, 12);
  const command = r.int(0, 1) === 0 ? createRequest(r.int(0, 400), ext) : createResponse(r.int(0, 300), r.int(0, 1) === 0 ? undefined : randomText(r, 10), ext);
  command.opaque = r.int(-0x80000000, 0x7fffffff);
  command.version = r.int(0, 500);
  return command;
}

function headerBytes(command: RemotingCommand): Buffer {
  const prefix = encodeCommandPrefix(command);
  return prefix.subarray(8, 8 + (prefix.readUInt32BE(4) & 0xffffff));
}

test('the byte writer writes exactly the text of jsonHeaderText', () => {
  const r = new SeededRandom(testSeed());
  for (let i = 0; i < 3000; i++) {
    const command = randomCommand(r);
    assert.deepEqual(headerBytes(command).toString('hex'), Buffer.from(jsonHeaderText(command), 'utf8').toString('hex'), JSON.stringify(command));
  }
});

/** A JSON value in a random spelling: the kinds of scalar and nesting peers might send. */
function randomJsonValue(r: SeededRandom): string {
  switch (r.int(0, 11)) {
    case 0: return String(r.int(-1000, 1000));
    case 1: return `${r.int(0, 99)}.${r.int(0, 9)}`;
    case 2: return `${r.int(1, 9)}e${r.int(0, 3)}`;
    case 3: return ['true', 'false', 'null', '-0', '0', '01', '12345678901234567', '-', '1.'][r.int(0, 8)] as string;
    case 4: return '{"x":1}';
    case 5: return '[1,"a"]';
    case 6: return `"${randomText(r, 6).replace(/["\\]/g, '')}"`;
    default: return JSON.stringify(randomText(r, 10));
  }
}

function randomHeaderText(r: SeededRandom): string {
  const ws = () => [' ', '', '', '\n', '\t'][r.int(0, 4)] as string;
  const parts: string[] = [];
  const keys = ['code', 'language', 'version', 'opaque', 'flag', 'remark', 'serializeTypeCurrentRPC', 'other', 'extFields', 'code'];
  for (const key of keys) {
    if (r.int(0, 4) === 0) continue;
    let value: string;
    if (key === 'extFields') {
      const inner: string[] = [];
      const n = r.int(0, 6);
      for (let i = 0; i < n; i++) inner.push(`${ws()}${JSON.stringify(r.int(0, 5) === 0 ? '__proto__' : `f${r.int(0, 9)}`)}${ws()}:${ws()}${randomJsonValue(r)}`);
      value = r.int(0, 9) === 0 ? randomJsonValue(r) : `{${inner.join(',')}}`;
    } else if (key === 'language') {
      value = ['"JAVA"', '"NODE_JS"', '"NOPE"', '3'][r.int(0, 3)] as string;
    } else {
      value = r.int(0, 2) === 0 ? randomJsonValue(r) : String(r.int(0, 500));
    }
    parts.push(`${ws()}${JSON.stringify(key)}${ws()}:${ws()}${value}${ws()}`);
  }
  let text = `${ws()}{${parts.join(',')}}${ws()}`;
  if (r.int(0, 20) === 0) text = text.slice(0, r.int(0, text.length)); // truncated
  if (r.int(0, 30) === 0) text += 'x';
  return text;
}

/** The reader as the protocol describes it, written plainly: every extFields value copied as a string. */
function referenceDecode(frame: Buffer): RemotingCommand {
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(frame.toString('utf8', 4)) as Record<string, unknown>;
  } catch {
    throw Object.assign(new Error('invalid'), { code: 'ERR_HEADER_MALFORMED' });
  }
  if (typeof h !== 'object' || h === null || Array.isArray(h)) throw Object.assign(new Error('not object'), { code: 'ERR_HEADER_MALFORMED' });
  const int = (v: unknown, mandatory: boolean): number => {
    if (v === undefined || v === null) {
      if (mandatory) throw Object.assign(new Error('missing'), { code: 'ERR_HEADER_MALFORMED' });
      return 0;
    }
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw Object.assign(new Error('int'), { code: 'ERR_HEADER_MALFORMED' });
    return n;
  };
  const extFields: Record<string, string> = {};
  const ext = h['extFields'];
  if (ext !== undefined && ext !== null) {
    if (typeof ext !== 'object' || Array.isArray(ext)) throw Object.assign(new Error('ext'), { code: 'ERR_HEADER_MALFORMED' });
    for (const key of Object.keys(ext)) {
      const v = (ext as Record<string, unknown>)[key];
      if (v === null || v === undefined) continue;
      extFields[key] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
  }
  const remark = h['remark'];
  return {
    code: int(h['code'], true), language: languageFromName(h['language']), version: int(h['version'], false),
    opaque: int(h['opaque'], false), flag: int(h['flag'], false), remark: remark === undefined || remark === null ? undefined : String(remark),
    extFields, body: undefined, serializeTypeCurrentRPC: SerializeType.JSON,
  };
}

function outcome(fn: () => RemotingCommand): unknown {
  try {
    const c = fn();
    return { ...c, extFields: Object.entries(c.extFields), ownKeys: Reflect.ownKeys(c.extFields) };
  } catch (err) {
    return { error: (err as { code?: string }).code };
  }
}

test('the reader gives what a plain JSON.parse-and-copy reader gives, or the same error', () => {
  const r = new SeededRandom(testSeed());
  let valid = 0;
  for (let i = 0; i < 5000; i++) {
    const text = randomHeaderText(r);
    const bytes = Buffer.from(text, 'utf8');
    const frame = Buffer.concat([Buffer.alloc(4), bytes]);
    frame.writeUInt32BE(bytes.length, 0);
    const expected = outcome(() => referenceDecode(frame));
    if (!('error' in (expected as object))) valid++;
    assert.deepEqual(outcome(() => decodeCommand(frame)), expected, text);
  }
  // The generator must produce mostly readable headers, not only errors.
  assert.ok(valid > 1000, `only ${valid} generated headers were valid`);
});

test('every header this codec writes reads back as the same command', () => {
  const r = new SeededRandom(testSeed());
  for (let i = 0; i < 2000; i++) {
    const command = randomCommand(r);
    const decoded = decodeCommand(encodeCommandPrefix(command).subarray(4));
    assert.deepEqual({ ...decoded, body: command.body }, command, jsonHeaderText(command));
  }
});
