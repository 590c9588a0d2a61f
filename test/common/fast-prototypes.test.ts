/**
 * Loading our entry points must leave V8's built-in prototypes in fast mode. A module that merely
 * declares `class extends String` (ioredis does) turns String.prototype into a dictionary-mode
 * object, after which optimized code looks up every string method (charCodeAt, startsWith, ...)
 * through a generic inline-cache call: a fifth of a broker's CPU under produce. V8 only reports the
 * mode through a natives-syntax intrinsic, so each check runs in a child process with that flag.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const DIST = path.join(__dirname, '..', '..');

const PROBE = `
const prototypes = { String, Object, Array, Function, Number, Boolean, Promise, Map, Set, Uint8Array, Buffer, RegExp, Error };
require(process.argv[1]);
const slow = Object.keys(prototypes).filter((name) => !%HasFastProperties(prototypes[name].prototype));
process.stdout.write(JSON.stringify(slow));
`;

/** Names of the built-in prototypes in dictionary mode after `modulePath` is loaded. */
function slowPrototypesAfterLoading(modulePath: string): string[] {
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '-e', PROBE, modulePath], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out) as string[];
}

test('the probe sees String.prototype turn slow when a module extends String', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fast-prototypes-'));
  try {
    const module = path.join(dir, 'extends-string.js');
    fs.writeFileSync(module, 'class Verbatim extends String {}\nmodule.exports = Verbatim;\n');
    assert.deepEqual(slowPrototypesAfterLoading(module), ['String']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

for (const entry of ['src/cli/main.js', 'src/cli/bench.js', 'src/index.js', 'bench/e2e/e2e-cases.js']) {
  test(`loading ${entry} leaves every built-in prototype fast`, () => {
    assert.deepEqual(slowPrototypesAfterLoading(path.join(DIST, entry)), []);
  });
}
