/** One problem found in the repository, in the same shape whichever tool found it. */
export type Severity = 'error' | 'warning' | 'note';
export type Tool = 'ruff' | 'bandit' | 'dagship' | 'pytest';

export interface Finding {
  tool: Tool;
  /** ruff code (F401), bandit test id (B602) or dagship rule (dag-import-error). */
  rule: string;
  severity: Severity;
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  message: string;
  /** The useful end of a traceback or tool output. */
  detail?: string;
  /** What to do about it, when the tool says. */
  help?: string;
  helpUri?: string;
  dagId?: string;
}

/** What one tool looked at and found: reports need the files that passed, too. */
export interface ToolRun {
  tool: Tool;
  version: string;
  /** Files checked, relative to the repository root. */
  files: string[];
  findings: Finding[];
  /** Test cases (a test, a DAG run's task): JUnit shows these instead of a case per file. */
  cases?: TestCase[];
}

/** One test or one task of a DAG run, as JUnit reports it; its failure is also a finding. */
export interface TestCase {
  /** The suite's class: a test file's module path, or `dag <dag_id>`. */
  classname: string;
  name: string;
  file?: string;
  line?: number;
  seconds?: number;
  status: 'passed' | 'failed' | 'skipped';
  /** One line: why it failed or was skipped. */
  message?: string;
  detail?: string;
}

const rank: Record<Severity, number> = { note: 0, warning: 1, error: 2 };

export type FailOn = 'error' | 'warning' | 'never';

/** True when a finding is at or above the --fail-on threshold. */
export function failsGate(finding: Finding, failOn: FailOn): boolean {
  return failOn !== 'never' && rank[finding.severity] >= rank[failOn];
}

/** Errors first, then by file, line, column, rule. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => rank[b.severity] - rank[a.severity] || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.rule.localeCompare(b.rule),
  );
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
