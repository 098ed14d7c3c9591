import type { Finding } from '../findings.js';
import { ruffSeverity } from './lint-rules.js';
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

/** The rule id of a file `ruff format` would change (ruff itself calls it `unformatted`). */
export const RUFF_FORMAT_RULE = 'ruff-format';

/**
 * Parses `ruff format --check --output-format json`: one finding per file it would reformat, at the first
 * line it would change. Files it cannot parse are left out: `ruff check` reports them as invalid-syntax.
 */
export function parseRuffFormatJson(output: string, root: string): Finding[] {
  const entries = JSON.parse(output) as RuffEntry[];
  return entries
    .filter((e) => e.code === 'unformatted')
    .map((e) => {
      const file = relativeTo(root, e.filename);
      return {
        tool: 'ruff',
        rule: RUFF_FORMAT_RULE,
        severity: 'error' as const,
        file,
        line: e.location.row,
        column: e.location.column,
        message: 'File would be reformatted by ruff format',
        help: `ruff format ${file}`,
      };
    });
}

/**
 * Parses ruff's JSON output; `root` is where the repository was mounted when ruff ran, `airflowMajor` the
 * target image's Airflow major version (undefined: unknown), which sets the Airflow rules' levels.
 */
export function parseRuffJson(output: string, root: string, airflowMajor?: number): Finding[] {
  const entries = JSON.parse(output) as RuffEntry[];
  return entries.map((e) => ({
    tool: 'ruff',
    // ruff reports a file it cannot parse with no code.
    rule: e.code ?? 'invalid-syntax',
    severity: ruffSeverity(e.code, airflowMajor),
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
