#!/usr/bin/env node
// Proves binding.gyp (node-gyp) and CMakeLists.txt (cmake-js, the primary build) describe the same
// addon: the source lists must match, and the gyp build must compile and load with the same exports.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');

function cmakeSources() {
  const text = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
  const sources = [];
  for (const block of text.matchAll(/set\((COMETMQ_\w+_SOURCES)([^)]*)\)/g)) {
    for (const token of block[2].split(/\s+/)) if (token.startsWith('native/')) sources.push(token);
  }
  return sources.sort();
}

function gypSources() {
  const gyp = JSON.parse(fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8'));
  return gyp.targets[0].sources.slice().sort();
}

function fail(message) {
  console.error(`check-native-build: ${message}`);
  process.exit(1);
}

const fromCmake = cmakeSources();
const fromGyp = gypSources();
const onlyCmake = fromCmake.filter((s) => !fromGyp.includes(s));
const onlyGyp = fromGyp.filter((s) => !fromCmake.includes(s));
if (onlyCmake.length || onlyGyp.length) {
  fail(`source lists differ; only in CMakeLists.txt: [${onlyCmake}], only in binding.gyp: [${onlyGyp}]`);
}
console.log(`check-native-build: ${fromCmake.length} sources listed identically`);

// Build with node-gyp in a scratch copy so the cmake-js build/ directory is left alone.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cometmq-gyp-'));
try {
  fs.cpSync(path.join(root, 'native'), path.join(scratch, 'native'), { recursive: true });
  fs.copyFileSync(path.join(root, 'binding.gyp'), path.join(scratch, 'binding.gyp'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'));
  const npmGyp = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const gypScript = process.env.npm_config_node_gyp || npmGyp;
  const args = [gypScript, 'rebuild', '--jobs=2', '--loglevel=error'];
  if (fs.existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
  execFileSync(process.execPath, args, { cwd: scratch, stdio: ['ignore', 'ignore', 'inherit'] });
  const gypAddon = require(path.join(scratch, 'build', 'Release', 'cometmq_native.node'));
  const cmakeAddon = require(path.join(root, 'build', 'Release', 'cometmq_native.node'));
  const a = Object.keys(gypAddon).sort().join(',');
  const b = Object.keys(cmakeAddon).sort().join(',');
  if (a !== b) fail(`exports differ: node-gyp [${a}] vs cmake-js [${b}]`);
  console.log(`check-native-build: node-gyp build loads with the same ${Object.keys(gypAddon).length} exports`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
