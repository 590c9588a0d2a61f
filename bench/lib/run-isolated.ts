import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** Runs one case of a benchmark module in its own Node process and returns its JSON result. */
export function runIsolated(modulePath: string, params: object, nodeArgs: string[] = []): Promise<Record<string, unknown>> {
  const entry = path.join(__dirname, 'child-entry.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, entry, modulePath, JSON.stringify(params)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) {
        reject(new Error(`benchmark case ${JSON.stringify(params)} exited with ${signal ?? code}`));
        return;
      }
      try {
        resolve(JSON.parse(last) as Record<string, unknown>);
      } catch {
        reject(new Error(`benchmark case ${JSON.stringify(params)} printed no result`));
      }
    });
  });
}
