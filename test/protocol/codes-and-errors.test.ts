import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { MqError } from '../../src/common';
import {
  ErrorCatalogue,
  LanguageCode,
  RequestCode,
  ResponseCode,
  errorCodeForResponse,
  languageFromByte,
  languageFromName,
  mqError,
  responseError,
} from '../../src/protocol';
import { ROCKETMQ_REQUEST_CODES, ROCKETMQ_RESPONSE_CODES } from './fixtures/rocketmq-codes';

/** dist/test/protocol -> repository root. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

test('ResponseCode equals RocketMQ\'s table exactly', () => {
  assert.deepEqual(Object.entries(ResponseCode), ROCKETMQ_RESPONSE_CODES.map(([n, c]) => [n, c]));
});

test('RequestCode equals RocketMQ\'s table exactly, and numbers are unique', () => {
  assert.deepEqual(Object.entries(RequestCode), ROCKETMQ_REQUEST_CODES.map(([n, c]) => [n, c]));
  assert.equal(new Set(Object.values(RequestCode)).size, Object.keys(RequestCode).length);
});

test('LanguageCode bytes and name lookups', () => {
  assert.equal(LanguageCode.JAVA, 0);
  assert.equal(LanguageCode.NODE_JS, 13);
  assert.equal(languageFromByte(9), 'GO');
  assert.equal(languageFromByte(200), 'OTHER');
  assert.equal(languageFromName('RUST'), 'RUST');
  assert.equal(languageFromName('toString'), 'OTHER');
  assert.equal(languageFromName(3), 'OTHER');
});

test('catalogue: codes are ERR_ names, unique, with valid wire codes and a description', () => {
  const codes = Object.keys(ErrorCatalogue);
  assert.equal(new Set(codes).size, codes.length);
  const pairs = new Set(Object.entries(ErrorCatalogue).map(([code, spec]) => `${code}:${spec.responseCode}`));
  assert.equal(pairs.size, codes.length);
  const wireCodes = new Set<number>(Object.values(ResponseCode));
  for (const [code, spec] of Object.entries(ErrorCatalogue)) {
    assert.match(code, /^ERR_[A-Z0-9_]+$/);
    assert.ok(wireCodes.has(spec.responseCode), `${code}: ${spec.responseCode} is not a RocketMQ response code`);
    assert.notEqual(spec.responseCode, ResponseCode.SUCCESS, `${code} maps to SUCCESS`);
    assert.ok(spec.description.length > 10, `${code} lacks a description`);
  }
});

test('catalogue: every ERR_<name> named after a response code maps to that code', () => {
  for (const [name, value] of Object.entries(ResponseCode)) {
    const code = `ERR_${name}`;
    if (!Object.hasOwn(ErrorCatalogue, code)) continue;
    assert.equal(ErrorCatalogue[code as keyof typeof ErrorCatalogue].responseCode, value, code);
    assert.equal(errorCodeForResponse(value), code);
  }
});

test('catalogue: docs/errors.md documents exactly the catalogue, with the same mapping', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \| (-?\d+) [A-Z_]+ \| (yes|no) \|/gm)];
  const documented = new Map(rows.map((m) => [m[1]!, { responseCode: Number(m[2]), retriable: m[3] === 'yes' }]));
  assert.equal(documented.size, rows.length, 'a code is documented twice');
  for (const [code, spec] of Object.entries(ErrorCatalogue)) {
    assert.deepEqual(documented.get(code), { responseCode: spec.responseCode, retriable: spec.retriable },
      `${code} is missing from docs/errors.md or documented differently`);
  }
  for (const code of documented.keys()) {
    assert.ok(Object.hasOwn(ErrorCatalogue, code), `docs/errors.md documents ${code}, which the catalogue lacks`);
  }
});

test('catalogue: every ERR_ code raised in src/ and native/src is in the catalogue', () => {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|cc|h)$/.test(entry.name)) {
        for (const m of fs.readFileSync(full, 'utf8').matchAll(/['"`](ERR_[A-Z0-9_]+)['"`]/g)) found.add(m[1]!);
      }
    }
  };
  walk(path.join(REPO_ROOT, 'src'));
  walk(path.join(REPO_ROOT, 'native', 'src'));
  assert.ok(found.size > 10, 'the scan found almost nothing: wrong root?');
  const missing = [...found].filter((code) => !Object.hasOwn(ErrorCatalogue, code)).sort();
  assert.deepEqual(missing, [], 'codes raised in the sources but missing from src/protocol/errors.ts');
});

test('mqError builds an MqError from the catalogue; responseError maps wire codes', () => {
  const cause = new Error('inner');
  const err = mqError('ERR_REMOTING_TIMEOUT', 'no answer', cause);
  assert.ok(err instanceof MqError);
  assert.equal(err.code, 'ERR_REMOTING_TIMEOUT');
  assert.equal(err.responseCode, ResponseCode.RPC_TIME_OUT);
  assert.equal(err.retriable, true);
  assert.equal(err.cause, cause);
  const busy = responseError(ResponseCode.SYSTEM_BUSY, '[REJECTREQUEST]system busy');
  assert.equal(busy.code, 'ERR_SYSTEM_BUSY');
  assert.equal(busy.retriable, true);
  assert.equal(busy.message, '[REJECTREQUEST]system busy');
  const odd = responseError(210, undefined);
  assert.equal(odd.code, 'ERR_SYSTEM_ERROR');
  assert.equal(odd.responseCode, 210);
});
