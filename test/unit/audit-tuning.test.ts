import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHART_DEFAULTS, mergeValues, parseValuesText, runAudit, type AuditOptions } from '../../src/audit/index.js';
import type { Finding } from '../../src/findings.js';

/** As in audit-rules.test.ts: the clean production values, plus overlays v2.yaml, v3.yaml… that break one thing. */
const PRODUCTION = readFileSync('test/fixtures/helm/production.yaml', 'utf8');
const REPOSITORY = 'registry.example.com/data/airflow-dags';
const DIGEST = 'sha256:9b2d4f6a8c0e1f3a5b7d9e1f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2f4a6b8d0c';

function audit(overlay: string | string[], options: AuditOptions = {}, base = PRODUCTION): Finding[] {
  const files = [base, ...[overlay].flat()].map((t, i) => parseValuesText(t, `v${i + 1}.yaml`));
  return runAudit(mergeValues(CHART_DEFAULTS, files), { repository: REPOSITORY, ...options });
}

const rules = (findings: Finding[]) => findings.map((f) => f.rule).sort();

describe('KubernetesExecutor tuning', () => {
  it('flags a pod creation batch of 1, suggesting a quarter of parallelism', () => {
    const found = audit('config:\n  kubernetes_executor:\n    worker_pods_creation_batch_size: 1\n');
    expect(found).toMatchObject([{ rule: 'helm-k8s-pod-batch-size', severity: 'warning', file: 'v2.yaml', line: 3 }]);
    expect(found[0]!.help).toContain('worker_pods_creation_batch_size: 16');
  });

  it("flags Airflow's default batch size when the key is unset, and only for KubernetesExecutor", () => {
    const unset = audit('config:\n  kubernetes_executor:\n    worker_pods_creation_batch_size: null\n');
    expect(unset[0]!.message).toContain("is 1 (Airflow's default)");
    expect(rules(audit(['config:\n  kubernetes_executor:\n    worker_pods_creation_batch_size: null\n', 'executor: CeleryExecutor\n']))).not.toContain('helm-k8s-pod-batch-size');
  });

  it('compares parallelism with the configured floor only when there is one', () => {
    expect(audit([], { minParallelism: 128 })).toMatchObject([{ rule: 'helm-parallelism-below-floor', line: 63 }]);
    expect(audit([], { minParallelism: 64 })).toEqual([]);
    expect(audit('config:\n  core:\n    parallelism: null\n', { minParallelism: 48 })[0]!.message).toContain("is 32 (Airflow's default)");
  });

  it('flags a heartbeat left at the default when the team expects another', () => {
    const found = audit([], { expectedHeartbeat: 10 });
    expect(found).toMatchObject([{ rule: 'helm-scheduler-heartbeat', file: 'v1.yaml', line: 1 }]);
    expect(found[0]!.message).toContain("left at Airflow's default");
    expect(audit([], { expectedHeartbeat: 5 })).toEqual([]);
    expect(audit('config:\n  scheduler:\n    scheduler_heartbeat_sec: 10\n', { expectedHeartbeat: 10 })).toEqual([]);
  });

  it('notes Redis switched on for a pure KubernetesExecutor, but not the untouched default', () => {
    expect(audit('redis:\n  enabled: true\n')).toMatchObject([{ rule: 'helm-redis-unused', severity: 'note', line: 2 }]);
    expect(audit('redis:\n  enabled: true\nexecutor: CeleryExecutor,KubernetesExecutor\n').map((f) => f.rule)).not.toContain('helm-redis-unused');
    const base = readFileSync('test/fixtures/helm/base.yaml', 'utf8');
    expect(rules(audit([], {}, base))).not.toContain('helm-redis-unused');
  });
});

describe('deprecated and misplaced Airflow options', () => {
  it('names the current key, and says when Airflow 3 ignores the old one', () => {
    const found = audit('config:\n  core:\n    dag_concurrency: 16\n  kubernetes:\n    delete_worker_pods: false\n    worker_container_tag: other\n');
    expect(found.map((f) => [f.rule, f.line])).toEqual([
      ['helm-config-deprecated-key', 3],
      ['helm-config-deprecated-key', 5],
      ['helm-config-deprecated-key', 6],
    ]);
    expect(found[0]!.message).toBe('config.core.dag_concurrency was renamed [core] max_active_tasks_per_dag in Airflow 2.2: Airflow 3.2.2 ignores the old name, so this setting has no effect');
    expect(found[1]!.help).toBe('move the value to config.kubernetes_executor.delete_worker_pods');
    expect(found[2]!.message).toContain('[kubernetes_executor], which wins');
  });

  it('flags the Airflow 3 moves only from the Airflow version that made them', () => {
    const overlay = 'config:\n  webserver:\n    base_url: https://airflow.example.com\n    secret_key: "{{ .Values.k }}"\n';
    expect(audit(overlay).map((f) => f.help)).toEqual(['move the value to config.api.base_url', 'move the value to config.api.secret_key']);
    expect(audit([overlay, 'airflowVersion: "3.0.1"\n']).map((f) => f.help)).toEqual(['move the value to config.api.base_url']);
    const airflow2 = audit([overlay, 'airflowVersion: "2.11.0"\nwebserverSecretKeySecretName: ws\nwebserver:\n  resources: { requests: { cpu: 1 }, limits: { memory: 1Gi } }\n']);
    expect(airflow2).toEqual([]);
  });

  it("leaves the chart's own defaults (it writes [kubernetes] and [webserver] itself) alone", () => {
    expect(rules(audit([]))).toEqual([]);
  });
});

describe('images', () => {
  it('warns about a tag without a digest, an error with --strict', () => {
    const overlay = 'images:\n  airflow:\n    digest: null\n';
    const found = audit(overlay).filter((f) => f.rule.startsWith('helm-image'));
    expect(found).toMatchObject([{ rule: 'helm-image-no-digest', severity: 'warning', file: 'v1.yaml', line: 8 }]);
    expect(audit(overlay, { strict: true }).find((f) => f.rule === 'helm-image-no-digest')?.severity).toBe('error');
  });

  it('calls out latest', () => {
    const found = audit('images:\n  airflow:\n    tag: latest\n    digest: null\nconfig:\n  kubernetes_executor:\n    worker_container_tag: null\n');
    expect(rules(found)).toEqual(['helm-image-latest']);
    expect(found[0]).toMatchObject({ file: 'v2.yaml', line: 3 });
  });

  it('flags task pods that run another image than the Airflow components', () => {
    const found = audit('config:\n  kubernetes_executor:\n    worker_container_repository: registry.example.com/data/other\n');
    expect(found).toMatchObject([{ rule: 'helm-pod-template-image-mismatch', severity: 'error', file: 'v2.yaml', line: 3 }]);
    expect(found[0]!.message).toContain(`task pods run registry.example.com/data/other:4f2c1e9a7b3d@${DIGEST}`);
  });

  it('falls back to the pod template image when worker_container_* are emptied', () => {
    const found = audit('config:\n  kubernetes_executor:\n    worker_container_tag: ""\n');
    expect(found).toMatchObject([{ rule: 'helm-pod-template-image-mismatch', line: 3 }]);
    expect(found[0]!.message).toContain('run apache/airflow:3.2.2 (the pod template image');
  });

  it('warns about a pod template image that is overridden today', () => {
    const found = audit('images:\n  pod_template:\n    repository: registry.example.com/data/old-dags\n');
    expect(found).toMatchObject([{ rule: 'helm-pod-template-image-stale', severity: 'warning', line: 3 }]);
    expect(audit(`images:\n  pod_template:\n    repository: ${REPOSITORY}\n    tag: 4f2c1e9a7b3d\n`)).toEqual([]);
  });

  it('warns that task pods ignore the digest unless worker_container_tag carries it', () => {
    const found = audit('config:\n  kubernetes_executor:\n    worker_container_tag: null\n');
    expect(found).toMatchObject([{ rule: 'helm-task-image-digest-ignored', severity: 'warning', file: 'v1.yaml', line: 9 }]);
    expect(found[0]!.help).toContain(`worker_container_tag: "4f2c1e9a7b3d@${DIGEST}"`);
  });
});

describe('resources', () => {
  it('flags components without requests or limits, and says which are missing', () => {
    const found = audit('scheduler:\n  resources: null\ntriggerer:\n  resources:\n    limits: null\n');
    expect(found.map((f) => [f.rule, f.line, f.message.split(':')[0]])).toEqual([
      ['helm-resources-missing', 2, 'the scheduler (scheduler.resources) has no resource requests or limits'],
      ['helm-resources-missing', 4, 'the triggerer (triggerer.resources) has no resource limits'],
    ]);
  });

  it('checks the webserver on Airflow 2, the API server and DAG processor on Airflow 3', () => {
    const airflow2 = audit('airflowVersion: "2.11.0"\nwebserverSecretKeySecretName: ws\n').map((f) => f.message.split(' (')[0]);
    expect(airflow2).toEqual(['the webserver']);
    const none = 'apiServer:\n  resources: null\ndagProcessor:\n  resources: null\n';
    expect(audit(none).map((f) => f.message.split(' (')[0])).toEqual(['the API server', 'the DAG processor']);
  });

  it('accepts the per-executor worker sections', () => {
    const moved = 'workers:\n  resources: null\n  kubernetes:\n    resources:\n      requests: { cpu: 1 }\n      limits: { memory: 1Gi }\n';
    expect(audit(moved)).toEqual([]);
    expect(audit('workers:\n  resources: null\n')[0]!.message).toContain('KubernetesExecutor task pods (workers.resources) have no resource');
  });
});
