// The napi-free native core and its C++ tests, built and run under AddressSanitizer and UBSan by
// scripts/run-native-tests.js (ctest). Slow: it compiles the core from scratch.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { runRepoScript, tail } from '../helpers/run-script';

test('native core tests pass under AddressSanitizer and UBSan', { timeout: 900_000 }, async (t) => {
  const outcome = await runRepoScript('scripts/run-native-tests.js');
  t.diagnostic(tail(outcome.output, 1500));
  assert.equal(outcome.signal, null, `run-native-tests.js killed by ${outcome.signal}`);
  assert.equal(outcome.code, 0, `run-native-tests.js failed:\n${tail(outcome.output)}`);
});
