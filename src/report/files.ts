import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Outcome } from '../outcome.js';
import { redact } from '../secrets.js';
import { toJson } from './json.js';
import { toJunit } from './junit.js';
import { toSarif } from './sarif.js';

export interface ReportPaths {
  sarif?: string;
  junit?: string;
  json?: string;
}

/** Writes each requested report whole or not at all (a reader never sees half a file). */
export function writeReports(outcome: Outcome, paths: ReportPaths, extra: Record<string, unknown> = {}): string[] {
  const written: string[] = [];
  const write = (file: string | undefined, content: () => string) => {
    if (!file) return;
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const partial = `${file}.partial`;
    writeFileSync(partial, redact(content()));
    renameSync(partial, file);
    written.push(file);
  };
  write(paths.sarif, () => `${JSON.stringify(toSarif(outcome.runs, outcome.fingerprints), null, 2)}\n`);
  write(paths.junit, () => toJunit(outcome.runs, outcome.failOn));
  write(paths.json, () => toJson(outcome, extra));
  return written;
}
