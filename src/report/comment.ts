import type { CheckedFile } from '../checks/checker.js';
import { countBySeverity, type Finding, type Severity } from '../findings.js';
import { redact } from '../secrets.js';

export interface CommentInput {
  title: string;
  /** A hidden line that names the workflow, job and matrix entry: how the comment is found again. */
  marker: string;
  passed: boolean;
  files: CheckedFile[];
  findings: Finding[];
  /** Values that must never reach a comment (variables, connections, tokens); replaced by ***. */
  secrets: string[];
  limit?: number;
}

const ICON: Record<Severity | 'ok', string> = { error: '❌', warning: '⚠️', note: 'ℹ️', ok: '✅' };
const RANK: Record<Severity | 'ok', number> = { error: 0, warning: 1, note: 2, ok: 3 };

/** A pull-request comment: per DAG file its status, DAGs and import time, errors first; redacted. */
export function renderComment(input: CommentInput): string {
  const redact = redactor(input.secrets);
  const byFile = new Map<string, Finding[]>();
  for (const f of input.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const worst = (path: string): Severity | 'ok' => (byFile.get(path) ?? []).reduce<Severity | 'ok'>((w, f) => (RANK[f.severity] < RANK[w] ? f.severity : w), 'ok');
  const paths = [...new Set([...input.files.map((f) => f.path), ...byFile.keys()])];
  const rows = paths.map((path) => ({ path, status: worst(path), file: input.files.find((f) => f.path === path) })).sort((a, b) => RANK[a.status] - RANK[b.status] || a.path.localeCompare(b.path));
  const limit = input.limit ?? 50;
  const counts = countBySeverity(input.findings);
  const lines = [
    input.marker,
    `### ${input.passed ? '✅' : '❌'} ${input.title}`,
    `${counts.error} error(s), ${counts.warning} warning(s), ${counts.note} note(s) in ${paths.length} file(s)`,
    '',
    '| | file | DAGs | import | first finding |',
    '| --- | --- | --- | --- | --- |',
    ...rows.slice(0, limit).map(({ path, status, file }) => {
      const first = (byFile.get(path) ?? []).sort((a, b) => RANK[a.severity] - RANK[b.severity])[0];
      const dags = file ? file.dags.map((d) => `\`${d.dag_id}\``).join(' ') || '-' : '-';
      const seconds = file ? `${file.import_seconds.toFixed(2)}s` : '-';
      const finding = first ? `${first.rule}${first.line ? ` (line ${first.line})` : ''}: ${first.message.split('\n')[0]!.slice(0, 160)}` : '';
      return `| ${ICON[status]} | \`${path}\` | ${dags} | ${seconds} | ${cell(redact(finding))} |`;
    }),
  ];
  if (rows.length > limit) lines.push('', `${rows.length - limit} more file(s): see the job summary or the SARIF report`);
  return lines.join('\n');
}

/**
 * Replaces known secret values, credentials inside URIs and `password=…`-style pairs. A comment is
 * public to everyone who can read the pull request; a traceback may quote a connection.
 */
export function redactor(secrets: string[]): (text: string) => string {
  const known = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = redact(text);
    for (const s of known) out = out.split(s).join('***');
    return out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@').replace(/\b(password|passwd|pwd|token|secret|api_key|apikey)(["']?\s*[:=]\s*["']?)[^\s,'"]+/gi, '$1$2***');
  };
}

/** Fields of a connection export that name a kind, not a detail: redacting them would mangle text. */
const NOT_SECRET = new Set(['conn_type', 'port', 'description']);

/** Every string in a JSON value (a variables or connections export), for the redactor. */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => (NOT_SECRET.has(k) ? [] : stringsOf(v)));
  return [];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/`/g, "'").replace(/\r?\n/g, ' ');
