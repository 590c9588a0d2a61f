/**
 * writeReport: the three files of a benchmark report in `dir` (created if missing): report.json with
 * every figure, report.md with one table row per cell, report.html with the charts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderHtml } from './html-report';
import { renderMarkdown } from './markdown-report';
import type { ReportInput, ReportJson } from './report-model';

export interface ReportFiles {
  json: string;
  markdown: string;
  html: string;
}

export function writeReport(dir: string, input: ReportInput): ReportFiles {
  fs.mkdirSync(dir, { recursive: true });
  const report: ReportJson = { ...input, generatedAt: new Date().toISOString() };
  const files: ReportFiles = {
    json: path.join(dir, 'report.json'),
    markdown: path.join(dir, 'report.md'),
    html: path.join(dir, 'report.html'),
  };
  fs.writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(files.markdown, renderMarkdown(report));
  fs.writeFileSync(files.html, renderHtml(report));
  return files;
}
