/**
 * `npm run bench:micro` prints ops/s per hot-path case; `npm run bench:check` compares each case's
 * normalised figure (ops/s divided by the calibration loop's ops/s in the same process) with
 * bench/micro/baseline.json and exits 1 when any fell by more than 20%; `npm run bench:baseline`
 * rewrites that file. Every case runs in a fresh process. Not part of the test suite.
 *
 *   node dist/bench/micro/run-micro.js [--check | --baseline] [--only name,name]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { envInfo } from '../lib/env-info';
import { runIsolated } from '../lib/run-isolated';
import { fmt, markdownTable } from '../lib/table';
import { CALIBRATION, MICRO_CASES } from './micro-cases';
import type { MicroResult } from './micro-case-child';

/** A case whose normalised figure fell below this fraction of the baseline is a regression. */
const REGRESSION_RATIO = 0.8;
/** The source tree's copy (dist/bench/micro -> bench/micro), so a rewrite is what git sees. */
const BASELINE_FILE = path.resolve(__dirname, '../../../bench/micro/baseline.json');

interface Baseline {
  note: string;
  recordedAt: string;
  machine: ReturnType<typeof envInfo>;
  calibration: string;
  cases: Record<string, { normalised: number; opsPerSec: number }>;
}

function readBaseline(): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(BASELINE_FILE, 'utf8');
  } catch {
    throw new Error(`no baseline at ${BASELINE_FILE}: run npm run bench:baseline first`);
  }
  return JSON.parse(text) as Baseline;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, baseline: { type: 'boolean' }, only: { type: 'string' } }, strict: true });
  if (values.check === true && values.baseline === true) throw new Error('give --check or --baseline, not both');
  const only = values.only?.split(',').map((s) => s.trim());
  const cases = MICRO_CASES.filter((c) => only === undefined || only.includes(c.name));
  if (cases.length === 0) throw new Error(`--only matches no case (cases: ${MICRO_CASES.map((c) => c.name).join(', ')})`);
  const baseline = values.check === true ? readBaseline() : undefined;

  const childModule = path.join(__dirname, 'micro-case-child.js');
  const results: MicroResult[] = [];
  for (const c of cases) {
    process.stdout.write(`${c.name}: ${c.what} ... `);
    const result = (await runIsolated(childModule, { name: c.name })) as MicroResult;
    results.push(result);
    process.stdout.write(`${fmt(result.opsPerSec)} ops/s (rounds spread ${fmt(result.spreadPercent, 0)}%)\n`);
  }

  const headers = ['case', 'ops/s', 'spread %', `÷ ${CALIBRATION.name}`];
  let regressions = 0;
  const rows = results.map((r) => {
    const row: (string | number)[] = [r.name, fmt(r.opsPerSec), fmt(r.spreadPercent, 0), r.normalised.toPrecision(4)];
    if (baseline !== undefined) {
      const base = baseline.cases[r.name];
      if (base === undefined) {
        row.push('-', 'new');
      } else {
        const ratio = r.normalised / base.normalised;
        const isRegression = ratio < REGRESSION_RATIO;
        if (isRegression) regressions++;
        row.push(base.normalised.toPrecision(4), `${ratio.toFixed(2)}${isRegression ? '  REGRESSION' : ''}`);
      }
    }
    return row;
  });
  if (baseline !== undefined) headers.push('baseline', 'ratio');
  process.stdout.write(`\n${markdownTable(headers, rows)}\n`);

  if (values.baseline === true) {
    const cases: Baseline['cases'] = {};
    for (const r of results) cases[r.name] = { normalised: r.normalised, opsPerSec: Math.round(r.opsPerSec) };
    const previous = fs.existsSync(BASELINE_FILE) && only !== undefined ? readBaseline().cases : {};
    const content: Baseline = {
      note: 'normalised = ops/s divided by the calibration loop ops/s measured in the same process; bench:check compares these',
      recordedAt: new Date().toISOString(),
      machine: envInfo(os.tmpdir()),
      calibration: CALIBRATION.what,
      cases: { ...previous, ...cases },
    };
    fs.writeFileSync(BASELINE_FILE, `${JSON.stringify(content, null, 2)}\n`);
    process.stdout.write(`baseline written to ${BASELINE_FILE}\n`);
  }
  if (baseline !== undefined) {
    const verdict = regressions === 0 ? 'no case regressed more than 20%' : `${regressions} case(s) regressed more than 20% against the baseline`;
    process.stdout.write(`${verdict} (baseline of ${baseline.recordedAt} on ${baseline.machine.cpu})\n`);
    return regressions === 0 ? 0 : 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:micro: ${(err as Error).message.split('\n')[0]}\n`);
    process.exitCode = 2;
  },
);
