/**
 * Renders a report page in headless Chromium (Debian's `chromium`) and returns the DOM after its
 * scripts ran. A missing Chromium fails the test with a clear message: CI installs it, and a report
 * whose charts were never drawn must not pass.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome'];

export function chromiumBinary(): string {
  for (const name of CANDIDATES) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  throw new Error('headless Chromium is needed to check report.html but none of chromium, chromium-browser, google-chrome is installed (Debian: apt-get install chromium)');
}

/** The page's DOM, serialized after load (its inline scripts have run). */
export function renderedDom(htmlFile: string): string {
  const binary = chromiumBinary();
  // A profile of our own: several runs at once must not share (and lock) one.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cometmq-chromium-'));
  try {
    return execFileSync(binary, [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, '--dump-dom', pathToFileURL(htmlFile).href,
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** data-cell numbers of the drawn elements `<tag class="cls" ...>`, in document order. */
export function drawnCells(dom: string, tag: string, cls: string): number[] {
  const elements = dom.match(new RegExp(`<${tag}\\b[^>]*\\bclass="${cls}"[^>]*>`, 'g')) ?? [];
  return elements.map((element) => Number(/\bdata-cell="(\d+)"/.exec(element)?.[1] ?? NaN));
}

/** The value of an attribute on <body>, or undefined. */
export function bodyAttribute(dom: string, name: string): string | undefined {
  const body = /<body\b[^>]*>/.exec(dom)?.[0] ?? '';
  return new RegExp(`\\b${name}="([^"]*)"`).exec(body)?.[1];
}
