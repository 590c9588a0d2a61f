/**
 * Barrels (index.ts) are the package's public face; code inside src/ and bench/ imports from the
 * module that defines a name. A barrel compiles to `export *` getters, which leave its CommonJS
 * exports object in dictionary mode, so every `protocol_1.mqError` a hot module reads through one
 * is a generic lookup plus a getter call in optimized code. Both rules are checked here: no import
 * of a barrel outside barrels, and every other module's exports object stays fast.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const REPO = path.join(__dirname, '..', '..', '..');
const DIST = path.join(__dirname, '..', '..');

function filesUnder(dir: string, suffix: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(full, suffix));
    else if (entry.name.endsWith(suffix) && !entry.name.endsWith('.d.ts')) found.push(full);
  }
  return found;
}

const IMPORT_FROM = /^(?:import|export)\s[^;]*?from\s+'(\.[^']*)'/gm;
/** A value re-export (`export * from`, `export { x } from`); `export type` leaves no getter. */
const VALUE_REEXPORT = /^export\s+(?:\*|\{)[^;]*from\s/m;

/** An index module that re-exports values (an index that only declares things is a module like any other). */
function isBarrel(file: string): boolean {
  return path.basename(file, path.extname(file)) === 'index' && VALUE_REEXPORT.test(fs.readFileSync(file, 'utf8').replace(/^export\s+type\s.*$/gm, ''));
}

/** The index.ts a relative specifier resolves to, if it is a barrel. */
function barrelOf(importer: string, specifier: string): string | undefined {
  const target = path.resolve(path.dirname(importer), specifier);
  if (fs.existsSync(`${target}.ts`)) return undefined;
  const index = path.join(target, 'index.ts');
  return fs.existsSync(index) && isBarrel(index) ? index : undefined;
}

test('modules in src/ and bench/ import from defining modules, not barrels', () => {
  const offenders: string[] = [];
  for (const root of ['src', 'bench']) {
    for (const file of filesUnder(path.join(REPO, root), '.ts')) {
      if (isBarrel(file)) continue;
      for (const match of fs.readFileSync(file, 'utf8').matchAll(IMPORT_FROM)) {
        const barrel = barrelOf(file, match[1] as string);
        if (barrel !== undefined) offenders.push(`${path.relative(REPO, file)} imports ${path.relative(REPO, barrel)}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

const PROBE = `
const slow = [];
for (const file of JSON.parse(process.argv[1])) {
  if (!%HasFastProperties(require(file))) slow.push(file);
}
process.stdout.write(JSON.stringify(slow));
`;

test('every non-barrel module of src/ has a fast exports object', () => {
  // Process entry points (*-main.js) start servers when loaded; they export nothing.
  const isCompiledBarrel = (f: string): boolean => isBarrel(path.join(REPO, path.relative(DIST, f)).replace(/\.js$/, '.ts'));
  const modules = filesUnder(path.join(DIST, 'src'), '.js').filter((f) => !isCompiledBarrel(f) && !f.endsWith('-main.js'));
  assert.ok(modules.length > 100, `found only ${modules.length} modules under ${DIST}/src`);
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '-e', PROBE, JSON.stringify(modules)], { encoding: 'utf8', timeout: 60_000 });
  assert.deepEqual((JSON.parse(out) as string[]).map((f) => path.relative(DIST, f)), []);
});
