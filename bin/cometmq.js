#!/usr/bin/env -S node --initial-old-space-size=64
'use strict';
// The shebang's flags are the servers' (src/cli/server-node-flags.ts explains them).
require('../dist/src/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`cometmq: ${err && err.message ? err.message : err}`); process.exitCode = 1; },
);
