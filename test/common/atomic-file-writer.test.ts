import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { AtomicFileWriter } from '../../src/common';
import { withTempDir } from '../helpers/temp-dir';

test('AtomicFileWriter: saves run off the caller\'s turn, one at a time, newest content wins, .bak keeps the previous file', async () => {
  await withTempDir('atomic-writer', async (dir) => {
    const file = path.join(dir, 'config', 'state.json');
    const errors: Error[] = [];
    const writer = new AtomicFileWriter(file, (err) => errors.push(err));
    writer.save('{"n":1}');
    assert.equal(fs.existsSync(file), false, 'nothing is written on the caller\'s turn');
    writer.save('{"n":2}');
    writer.save('{"n":3}');
    await writer.idle();
    assert.equal(fs.readFileSync(file, 'utf8'), '{"n":3}', 'the newest content is what stays');
    // The first save was running when the others came; {"n":2} was replaced before it was written.
    assert.equal(fs.readFileSync(`${file}.bak`, 'utf8'), '{"n":1}', 'two saves ran: 1, then 3');
    assert.equal(fs.existsSync(`${file}.tmp`), false, 'no temp file left');
    writer.save('{"n":4}');
    await writer.idle();
    assert.equal(fs.readFileSync(file, 'utf8'), '{"n":4}');
    assert.equal(fs.readFileSync(`${file}.bak`, 'utf8'), '{"n":3}');
    assert.deepEqual(errors, []);
  });
});

test('AtomicFileWriter: a failed save is reported once and the next save succeeds', async () => {
  await withTempDir('atomic-writer-fail', async (dir) => {
    const blocked = path.join(dir, 'blocked');
    fs.writeFileSync(blocked, 'a file where a directory should be');
    const errors: Error[] = [];
    const failing = new AtomicFileWriter(path.join(blocked, 'state.json'), (err) => errors.push(err));
    failing.save('{}');
    await failing.idle();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /EEXIST|ENOTDIR/);

    fs.rmSync(blocked);
    failing.save('{"ok":true}');
    await failing.idle();
    assert.equal(fs.readFileSync(path.join(blocked, 'state.json'), 'utf8'), '{"ok":true}');
    assert.equal(errors.length, 1, 'no further error');
  });
});
