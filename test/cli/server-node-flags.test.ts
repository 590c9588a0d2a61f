import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { SERVER_NODE_FLAGS } from '../../src/cli/server-node-flags';

const REPO = path.join(__dirname, '..', '..', '..');

test('the cometmq bin and npm start launch node with exactly the server flags', () => {
  const flags = SERVER_NODE_FLAGS.join(' ');
  assert.ok(flags.length > 0);
  const shebang = fs.readFileSync(path.join(REPO, 'bin', 'cometmq.js'), 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${flags}`);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts['start'], `node ${flags} bin/cometmq.js start`);
});

test('node accepts the server flags', () => {
  const out = execFileSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
  assert.equal(out, 'ok');
});
