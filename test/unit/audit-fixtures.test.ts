import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { audit as auditCommand, type AuditFlags } from '../../cli/commands/audit.js';
import { AUDIT_RULES, CHART_DEFAULTS, mergeValues, readValuesFiles, runAudit, type AuditOptions } from '../../src/audit/index.js';
import { DagshipError } from '../../src/errors.js';
import type { Finding } from '../../src/findings.js';
import { folderWith } from './helpers.js';

const DIR = 'test/fixtures/helm';
const REPOSITORY = 'registry.example.com/data/airflow-dags';

function auditFiles(names: string[], options: AuditOptions = { repository: REPOSITORY }): Finding[] {
  const files = readValuesFiles(names.map((n) => `${DIR}/${n}`));
  return runAudit(mergeValues(CHART_DEFAULTS, files), options);
}

/** The 1-based line of the first line of a fixture containing `text` (after the line containing `after`). */
function lineOf(name: string, text: string, after?: string): number {
  const lines = readFileSync(`${DIR}/${name}`, 'utf8').split('\n');
  const start = after ? lines.findIndex((l) => l.includes(after)) : 0;
  const index = lines.findIndex((l, i) => i >= start && l.includes(text));
  if (index < 0 || start < 0) throw new Error(`${text} not in ${name}`);
  return index + 1;
}

const located = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.file.replace(`${DIR}/`, '')}:${f.line}`).sort();

describe('values fixtures', () => {
  it('production.yaml passes', () => {
    expect(auditFiles(['production.yaml'])).toEqual([]);
  });

  it('quickstart.yaml (Airflow 3, Celery, most defaults) fails on what a production checklist catches', () => {
    const q = 'quickstart.yaml';
    expect(located(auditFiles([q]))).toEqual(
      [
        'helm-config-deprecated-key quickstart.yaml:' + lineOf(q, 'dag_concurrency'),
        'helm-config-deprecated-key quickstart.yaml:' + lineOf(q, 'worker_pods_creation_batch_size'),
        'helm-dags-git-sync quickstart.yaml:' + lineOf(q, 'enabled: true'),
        'helm-default-admin-user quickstart.yaml:1',
        'helm-image-latest quickstart.yaml:' + lineOf(q, 'tag: latest'),
        'helm-ingress-without-tls quickstart.yaml:' + lineOf(q, '- airflow.example.com'),
        'helm-logs-ephemeral quickstart.yaml:1',
        'helm-metadata-db-in-cluster quickstart.yaml:1',
        'helm-metrics-disabled quickstart.yaml:' + (lineOf(q, 'statsd:') + 1),
        'helm-network-policies-disabled quickstart.yaml:1',
        'helm-rbac-cluster-wide quickstart.yaml:' + lineOf(q, 'multiNamespaceMode'),
        'helm-rbac-disabled quickstart.yaml:' + lineOf(q, 'create: false'),
        'helm-resources-missing quickstart.yaml:1',
        'helm-resources-missing quickstart.yaml:1',
        'helm-resources-missing quickstart.yaml:1',
        'helm-resources-missing quickstart.yaml:1',
        'helm-resources-missing quickstart.yaml:1',
        'helm-secret-key-generated quickstart.yaml:1',
        'helm-secret-key-well-known quickstart.yaml:' + lineOf(q, 'apiSecretKey'),
        'helm-secret-literal quickstart.yaml:' + lineOf(q, 'brokerUrl'),
        'helm-secret-literal quickstart.yaml:' + lineOf(q, 'fernetKey'),
        'helm-secret-literal quickstart.yaml:' + lineOf(q, 'postgresql://etl:hunter2'),
        'helm-secrets-backend-missing quickstart.yaml:1',
        'helm-worker-default-service-account quickstart.yaml:' + lineOf(q, 'create: false', 'workers:'),
      ].sort(),
    );
  });

  it('airflow2.yaml is judged with Airflow 2 keys', () => {
    const a = 'airflow2.yaml';
    const found = auditFiles([a]);
    const pick = (rule: string) => found.filter((f) => f.rule === rule).map((f) => f.line);
    expect(pick('helm-secret-key-well-known')).toEqual([lineOf(a, 'webserverSecretKey')]);
    expect(pick('helm-ingress-without-tls')).toEqual([lineOf(a, 'enabled: false')]);
    expect(pick('helm-secret-literal')).toEqual([lineOf(a, 'sql_alchemy_conn')]);
    expect(pick('helm-config-deprecated-key')).toEqual([lineOf(a, 'sql_alchemy_conn'), lineOf(a, 'dag_concurrency')]);
    expect(found.find((f) => f.rule === 'helm-config-deprecated-key')!.message).toContain('deprecated fallback');
    const resources = found.filter((f) => f.rule === 'helm-resources-missing').map((f) => f.message.split(':')[0]);
    expect(resources).toContain('the webserver (webserver.resources) has no resource limits');
    expect(resources.join()).not.toContain('API server');
  });
});

describe('several values files, merged like helm -f', () => {
  it('base.yaml alone: plain credentials, pointing into base.yaml', () => {
    const found = auditFiles(['base.yaml']).filter((f) => f.rule.startsWith('helm-metadata'));
    expect(located(found)).toEqual([`helm-metadata-db-plain-credentials base.yaml:${lineOf('base.yaml', 'pass:')}`]);
  });

  it('a later file fixes the credentials, and breaks the task image', () => {
    const found = auditFiles(['base.yaml', 'prod-fix.yaml']);
    expect(found.map((f) => f.rule)).not.toContain('helm-metadata-db-plain-credentials');
    const mismatch = found.filter((f) => f.rule === 'helm-pod-template-image-mismatch');
    expect(located(mismatch)).toEqual([`helm-pod-template-image-mismatch prod-fix.yaml:${lineOf('prod-fix.yaml', 'worker_container_repository')}`]);
  });

  it('a later file undoes the logs volume and the batch size of the base, and findings point at it', () => {
    const before = auditFiles(['base.yaml']).map((f) => f.rule);
    expect(before).not.toContain('helm-logs-ephemeral');
    expect(before).not.toContain('helm-k8s-pod-batch-size');
    const after = auditFiles(['base.yaml', 'prod-break.yaml']).filter((f) => ['helm-logs-ephemeral', 'helm-k8s-pod-batch-size'].includes(f.rule));
    expect(located(after)).toEqual([
      `helm-k8s-pod-batch-size prod-break.yaml:${lineOf('prod-break.yaml', 'worker_pods_creation_batch_size')}`,
      `helm-logs-ephemeral prod-break.yaml:${lineOf('prod-break.yaml', 'enabled: false')}`,
    ]);
  });
});

describe('docs/audit-rules.md', () => {
  it('lists every rule with its severity', () => {
    const doc = readFileSync('docs/audit-rules.md', 'utf8');
    for (const [rule, severity] of Object.entries(AUDIT_RULES)) {
      expect(doc, rule).toMatch(new RegExp(`\\| \`${rule}\` \\| ${severity}`));
    }
  });
});

describe('dagship audit (the command)', () => {
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  const flags = (values: string[], extra: Partial<AuditFlags> = {}): AuditFlags => ({ values, overrides: {}, reports: {}, ...extra });

  it('passes the production values and fails the quickstart ones, with a JSON report like lint', async () => {
    expect(await auditCommand(flags([`${DIR}/production.yaml`], { imageRepository: REPOSITORY }))).toBe(0);
    expect(out.join('')).toContain('✔ dagship audit passed');
    const json = path.join(mkdtempSync(path.join(tmpdir(), 'dagship-audit-')), 'audit.json');
    expect(await auditCommand(flags([`${DIR}/quickstart.yaml`], { reports: { json } }))).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report).toMatchObject({ passed: false, tools: [{ tool: 'dagship', files: 1 }], chart_defaults: '1.22.0', values_files: [`${DIR}/quickstart.yaml`] });
    expect(report.findings[0]).toMatchObject({ tool: 'dagship', severity: 'error', file: `${DIR}/quickstart.yaml` });
    expect(report.findings.every((f: { fingerprint?: string }) => f.fingerprint)).toBe(true);
  });

  it('audits the values dagship.yaml lists (audit.values, relative to the repository) with its settings', async () => {
    const repo = folderWith({
      'dagship.yaml': `repository: ${REPOSITORY}\naudit:\n  values: [helm/production.yaml]\n  min_parallelism: 128\n`,
      'helm/production.yaml': readFileSync(`${DIR}/production.yaml`, 'utf8'),
    });
    const json = path.join(repo, 'audit.json');
    expect(await auditCommand({ ...flags([], { reports: { json } }), path: repo })).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.values_files).toEqual(['helm/production.yaml']);
    expect(report.findings.map((f: Finding) => `${f.rule} ${f.file}`)).toEqual(['helm-parallelism-below-floor helm/production.yaml']);
    // A flag wins over the file.
    expect(await auditCommand({ ...flags([], { reports: { json } }), path: repo, overrides: { 'audit.min_parallelism': '64' } })).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8')).findings).toEqual([]);
  });

  it('refuses a half-given live audit and --values with --release, as usage errors', async () => {
    await expect(auditCommand(flags([], { release: 'airflow' }))).rejects.toMatchObject({ kind: 'usage', message: 'a live audit needs both --release and --namespace' });
    await expect(auditCommand(flags([`${DIR}/production.yaml`], { release: 'airflow', namespace: 'airflow' }))).rejects.toMatchObject({
      kind: 'usage',
      message: '--values and --release cannot be combined',
    });
  });

  it('refuses to run without values, or with bad numbers, as usage errors', async () => {
    await expect(auditCommand(flags([]))).rejects.toMatchObject({ kind: 'usage', message: 'dagship audit needs at least one values file' });
    await expect(auditCommand(flags([`${DIR}/production.yaml`], { overrides: { 'audit.min_parallelism': 'many' } }))).rejects.toBeInstanceOf(DagshipError);
    await expect(auditCommand(flags([`${DIR}/missing.yaml`]))).rejects.toMatchObject({ kind: 'usage' });
  });
});
