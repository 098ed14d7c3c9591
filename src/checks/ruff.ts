import type { Finding, Severity } from '../findings.js';
import { relativeTo } from './paths.js';

/** The part of one entry of `ruff check --output-format json` that dagship uses. */
interface RuffEntry {
  code: string | null;
  message: string;
  filename: string;
  url?: string | null;
  location: { row: number; column: number };
  end_location?: { row: number; column: number };
  fix?: { message?: string | null; applicability?: string } | null;
}

/** Airflow 3 upgrade suggestions are advice; everything else ruff reports fails ruff's own run. */
export function ruffSeverity(code: string | null): Severity {
  return code === 'AIR311' || code === 'AIR312' ? 'warning' : 'error';
}

/** Parses ruff's JSON output; `root` is where the repository was mounted when ruff ran. */
export function parseRuffJson(output: string, root: string): Finding[] {
  const entries = JSON.parse(output) as RuffEntry[];
  return entries.map((e) => ({
    tool: 'ruff',
    // ruff reports a file it cannot parse with no code.
    rule: e.code ?? 'invalid-syntax',
    severity: ruffSeverity(e.code),
    file: relativeTo(root, e.filename),
    line: e.location.row,
    column: e.location.column,
    endLine: e.end_location?.row,
    endColumn: e.end_location?.column,
    message: e.message,
    help: e.fix?.message ? `${e.fix.message} (ruff check --fix${e.fix.applicability === 'unsafe' ? ' --unsafe-fixes' : ''})` : undefined,
    helpUri: e.url ?? undefined,
  }));
}
