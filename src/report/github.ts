import { countBySeverity, sortFindings, type Finding, type ToolRun } from '../findings.js';

/** GitHub keeps at most 50 annotations per job: show the worst, say how many were left out. */
export const ANNOTATION_LIMIT = 50;

/** Workflow commands that put findings on the files in a pull request. */
export function toAnnotations(findings: Finding[], limit = ANNOTATION_LIMIT): string[] {
  const sorted = sortFindings(findings);
  const lines = sorted.slice(0, limit).map((f) => {
    const command = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
    const props = [`file=${prop(f.file)}`, f.line ? `line=${f.line}` : '', f.column ? `col=${f.column}` : '', f.endLine ? `endLine=${f.endLine}` : '', `title=${prop(`${f.tool} ${f.rule}`)}`].filter(
      Boolean,
    );
    return `::${command} ${props.join(',')}::${data([f.message, f.help, f.detail].filter(Boolean).join('\n'))}`;
  });
  if (sorted.length > limit) lines.push(`::notice::${sorted.length - limit} more finding(s) not annotated; see the job summary or the SARIF/JSON report`);
  return lines;
}

/** A Markdown job summary: counts per tool, then the findings (errors first, capped). */
export function toJobSummary(title: string, runs: ToolRun[], passed: boolean, extra: string[] = [], limit = 100): string {
  const all = runs.flatMap((r) => r.findings);
  const rows = runs.map((r) => {
    const c = countBySeverity(r.findings);
    return `| ${r.tool} ${r.version} | ${r.files.length} | ${c.error} | ${c.warning} | ${c.note} |`;
  });
  const findings = sortFindings(all)
    .slice(0, limit)
    .map((f) => `| ${f.severity} | \`${cell(f.file)}${f.line ? `:${f.line}` : ''}\` | ${f.rule} | ${cell(f.message.split('\n')[0]!)} |`);
  return [
    `### ${passed ? '✅' : '❌'} ${title}`,
    '',
    ...extra,
    '| tool | files | errors | warnings | notes |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...(findings.length ? ['| severity | where | rule | message |', '| --- | --- | --- | --- |', ...findings, ''] : []),
    ...(all.length > limit ? [`_${all.length - limit} more finding(s) in the SARIF/JSON report._`, ''] : []),
  ].join('\n');
}

/** Escapes the message of a workflow command (`::warning::…`). */
export const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/`/g, "'");
