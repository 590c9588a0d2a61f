// binding.gyp (node-gyp) must describe the same addon as CMakeLists.txt (cmake-js, the primary
// build): scripts/check-native-build.js compares the source lists, builds with node-gyp and
// compares the exports of both builds.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { runRepoScript, tail } from '../helpers/run-script';

test('node-gyp builds the same sources as cmake-js and loads with the same exports', { timeout: 600_000 }, async (t) => {
  const outcome = await runRepoScript('scripts/check-native-build.js');
  t.diagnostic(tail(outcome.output, 1000));
  assert.equal(outcome.signal, null, `check-native-build.js killed by ${outcome.signal}`);
  assert.equal(outcome.code, 0, `check-native-build.js failed:\n${tail(outcome.output)}`);
  assert.match(outcome.output, /sources listed identically/);
  assert.match(outcome.output, /loads with the same \d+ exports/);
});
