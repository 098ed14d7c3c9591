import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dagship, REPO_ROOT } from './cli.js';

export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/dags');

export interface ReportedFinding {
  rule: string;
  severity: string;
  file: string;
  line?: number;
  message: string;
  detail?: string;
}

/** Runs `dagship check` with a JSON report; returns exit code, output and the report. */
export async function check(repo: string, args: string[], env: Record<string, string> = {}) {
  const out = mkdtempSync(path.join(tmpdir(), 'dagship-check-out-'));
  const json = path.join(out, 'report.json');
  const result = await dagship(['check', repo, '--json', json, '--no-cache', ...args], { env });
  let report: { findings: ReportedFinding[]; files: { path: string; status: string; dags: { dag_id: string }[] }[]; airflow_version: string } | undefined;
  try {
    report = JSON.parse(readFileSync(json, 'utf8'));
  } catch {
    report = undefined;
  }
  return { ...result, report, out };
}

/** "rule file:line" for each finding, sorted: what the fixtures' README promises. */
export const summary = (findings: ReportedFinding[]) => findings.map((f) => `${f.rule} ${f.file}${f.line ? `:${f.line}` : ''}`).sort();

/** A writable copy of one fixture scenario as its own repository, with a dagship.yaml. */
export function scenarioRepo(scenario: string, config = ''): string {
  const repo = mkdtempSync(path.join(tmpdir(), `dagship-${scenario}-`));
  cpSync(path.join(FIXTURES, scenario), path.join(repo, 'dags'), { recursive: true });
  writeFileSync(path.join(repo, 'dagship.yaml'), config);
  return repo;
}
