import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { envInfo } from './env-info';

/**
 * Writes a benchmark's results with the machine they were measured on, to `outFile` or to
 * .bench-results/<name>-<date>.json, and says where. Returns the file written.
 */
export function writeResults(name: string, results: unknown, outFile?: string): string {
  const file = outFile ?? path.join(process.cwd(), '.bench-results', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ env: envInfo(os.tmpdir()), date: new Date().toISOString(), results }, null, 2));
  console.log(`\nresults: ${file}`);
  return file;
}

/** Runs a benchmark's main; a failure ends as one line and exit code 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
