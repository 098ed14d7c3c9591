import { countBySeverity, sortFindings, type Finding, type Severity } from '../src/findings.js';
import type { Outcome } from '../src/outcome.js';
import { writeReports, type ReportPaths } from '../src/report/files.js';
import { toAnnotations, toJobSummary } from '../src/report/github.js';
import { redact, redactDeep } from '../src/secrets.js';
import { appendSummary, inGitHubActions, setOutput } from './github.js';
import { painter, useColor, type Paint } from './terminal.js';

export interface Presentation {
  title: string;
  reports: ReportPaths;
  /** Lines printed after the findings (summary figures of the command). */
  summary?: string[];
  /** Extra top-level keys for the JSON report. */
  json?: Record<string, unknown>;
}

/** Shows an outcome where the user looks: terminal, report files, and GitHub when running there. */
export async function present(outcome: Outcome, how: Presentation): Promise<number> {
  const paint = painter(useColor());
  const all = outcome.runs.flatMap((r) => r.findings);
  // Every line goes out masked: findings quote DAG output, and DAG output can quote a secret.
  const print = (text: string) => process.stdout.write(redact(text));
  print(renderFindings(all, paint));
  for (const line of how.summary ?? []) print(`${line}\n`);
  print(`${renderCounts(outcome)}\n`);
  for (const file of writeReports(outcome, how.reports, how.json)) process.stderr.write(`wrote ${file}\n`);
  if (inGitHubActions()) {
    const counts = countBySeverity(all);
    setOutput('passed', outcome.passed);
    setOutput('errors', counts.error);
    setOutput('warnings', counts.warning);
    for (const [kind, file] of Object.entries(how.reports)) if (file) setOutput(kind, file);
    // Masked before the workflow-command escaping, which turns a % of a secret into %25.
    print(`${toAnnotations(redactDeep(all)).join('\n')}\n`);
    await appendSummary(
      redact(
        toJobSummary(
          how.title,
          outcome.runs,
          outcome.passed,
          how.summary?.map((l) => `${l}\n`),
        ),
      ),
    );
  }
  const verdict = outcome.passed ? paint('green', `✔ ${how.title} passed`) : paint('red', `✖ ${how.title} failed: ${outcome.failing.length} finding(s) at or above '${outcome.failOn}'`);
  print(`${verdict}\n`);
  return outcome.passed ? 0 : 1;
}

const colour: Record<Severity, 'red' | 'yellow' | 'dim'> = { error: 'red', warning: 'yellow', note: 'dim' };

/** Findings grouped by file, errors first; each with its hint and the end of its detail. */
export function renderFindings(findings: Finding[], paint: Paint): string {
  const byFile = new Map<string, Finding[]>();
  for (const f of sortFindings(findings)) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const out: string[] = [];
  for (const [file, list] of [...byFile.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(paint('bold', file));
    for (const f of list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))) {
      const where = f.line ? `${f.line}:${f.column ?? 1}` : '-';
      out.push(`  ${where.padEnd(8)} ${paint(colour[f.severity], f.severity.padEnd(7))} ${`${f.tool} ${f.rule}`.padEnd(24)} ${f.message}`);
      const pad = ' '.repeat(43);
      if (f.help) out.push(`${pad}${paint('dim', `hint: ${f.help}`)}`);
      if (f.detail)
        out.push(
          ...f.detail
            .split('\n')
            .slice(-8)
            .map((l) => `${pad}${paint('dim', `│ ${l}`)}`),
        );
    }
  }
  return out.length ? `${out.join('\n')}\n\n` : '';
}

function renderCounts(outcome: Outcome): string {
  const parts = outcome.runs.map((r) => {
    const c = countBySeverity(r.findings);
    return `${r.tool}${r.version ? ` ${r.version}` : ''}: ${r.files.length} file(s), ${c.error} error(s), ${c.warning} warning(s)${c.note ? `, ${c.note} note(s)` : ''}`;
  });
  if (outcome.suppressed) parts.push(`${outcome.suppressed} known finding(s) hidden by the baseline`);
  return parts.join(' · ');
}
