#!/usr/bin/env node
// Builds the napi-free native core and its tests (native/test) with plain CMake under
// AddressSanitizer + UndefinedBehaviorSanitizer (-O1 -g, asserts on) in build-asan/, then runs
// them through CTest. Exits non-zero when configuring, building or any test fails.
'use strict';
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build-asan');

function run(cmd, args) {
  console.log(`run-native-tests: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0', UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' } });
  if (r.error) {
    console.error(`run-native-tests: cannot run ${cmd}: ${r.error.message}`);
    process.exit(1);
  }
  if (r.status !== 0) {
    console.error(`run-native-tests: ${cmd} failed with status ${r.status}`);
    process.exit(r.status || 1);
  }
}

run('cmake', ['-S', root, '-B', buildDir, '-DCOMETMQ_BUILD_TESTS=ON', '-DCOMETMQ_SANITIZE=ON', '-DCMAKE_BUILD_TYPE=Debug']);
run('cmake', ['--build', buildDir, '-j2']);
run('ctest', ['--test-dir', buildDir, '--output-on-failure', '--timeout', '300']);
