import type { Finding, Severity } from '../findings.js';
import { relativeTo } from './paths.js';

interface BanditResult {
  filename: string;
  line_number: number;
  col_offset?: number;
  end_col_offset?: number;
  line_range?: number[];
  test_id: string;
  test_name: string;
  issue_severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'UNDEFINED';
  issue_confidence: string;
  issue_text: string;
  more_info?: string;
  issue_cwe?: { id: number; link: string };
}

interface BanditReport {
  results: BanditResult[];
  errors: { filename: string; reason: string }[];
}

const SEVERITY: Record<BanditResult['issue_severity'], Severity> = { HIGH: 'error', MEDIUM: 'warning', LOW: 'note', UNDEFINED: 'note' };

/** Parses `bandit -f json`; a file bandit could not scan becomes a finding, never silence. */
export function parseBanditJson(output: string, root: string): Finding[] {
  const report = JSON.parse(output) as BanditReport;
  const results: Finding[] = report.results.map((r) => ({
    tool: 'bandit',
    rule: r.test_id,
    severity: SEVERITY[r.issue_severity] ?? 'note',
    file: relativeTo(root, r.filename),
    line: r.line_number,
    column: r.col_offset === undefined ? undefined : r.col_offset + 1,
    endLine: r.line_range?.at(-1),
    message: `${r.issue_text} [${r.test_name}, severity ${r.issue_severity.toLowerCase()}, confidence ${r.issue_confidence.toLowerCase()}${r.issue_cwe ? `, CWE-${r.issue_cwe.id}` : ''}]`,
    helpUri: r.more_info,
  }));
  const errors: Finding[] = report.errors.map((e) => ({
    tool: 'bandit',
    rule: 'bandit-scan-error',
    severity: 'error',
    file: relativeTo(root, e.filename),
    message: `bandit could not scan this file: ${e.reason}`,
  }));
  return [...results, ...errors];
}
