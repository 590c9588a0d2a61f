/**
 * Child-process entry for one benchmark case: `node child-entry.js <module> <case-json>`.
 * Every case runs in a fresh process so JIT, GC and page-cache state of one case never leak into
 * the next (better-sqlite3's benchmark/index.js does the same). The result is printed as the last
 * stdout line, as JSON.
 */
import * as path from 'node:path';

export interface BenchModule {
  runCase(params: Record<string, unknown>): Promise<Record<string, unknown>>;
}

async function main(): Promise<void> {
  const [modulePath, caseJson] = process.argv.slice(2);
  if (!modulePath || !caseJson) throw new Error('usage: child-entry <module> <case-json>');
  const mod = require(path.resolve(modulePath)) as BenchModule;
  const result = await mod.runCase(JSON.parse(caseJson) as Record<string, unknown>);
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
