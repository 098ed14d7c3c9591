import type * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseAirflowCfg } from '../../src/audit/airflow-cfg.js';
import { auditLive } from '../../src/audit/live.js';
import { liveRelease } from '../../src/audit/live-objects.js';
import type { AuditOptions } from '../../src/audit/index.js';
import type { ReleaseObjects, Workload, WorkloadObject } from '../../src/kube/cluster.js';
import { fixture, OLD } from '../fixtures/kube/harness.js';

const OTHER = `127.0.0.1:5111/team/dags@sha256:${'9'.repeat(64)}`;

/** The recorded chart manifests as the API would list them, for the mapping to work on. */
function objectsOf(file: string): ReleaseObjects {
  const docs = parseAllDocuments(readFileSync(fixture(file), 'utf8'))
    .map((d) => d.toJS() as k8s.KubernetesObject | null)
    .filter((d): d is k8s.KubernetesObject => Boolean(d));
  const workloads = docs
    .filter((d) => d.kind === 'Deployment' || d.kind === 'StatefulSet')
    .map((d): Workload => ({ kind: d.kind as Workload['kind'], name: d.metadata!.name!, namespace: 'ns', object: d as WorkloadObject }));
  return { workloads, configMaps: docs.filter((d) => d.kind === 'ConfigMap') as k8s.V1ConfigMap[], ingresses: [], networkPolicies: [], claims: [], pods: [] };
}

const workload = (objects: ReleaseObjects, name: string) => objects.workloads.find((w) => w.name === name)!;
const podSpec = (objects: ReleaseObjects, name: string) => workload(objects, name).object.spec!.template.spec!;
const container = (objects: ReleaseObjects, name: string, c: string) => podSpec(objects, name).containers.find((x) => x.name === c)!;
const configMap = (objects: ReleaseObjects) => objects.configMaps[0]!.data!;

function audit(objects: ReleaseObjects, options: AuditOptions = {}) {
  return auditLive(liveRelease('ns', 'airflow', objects), options).findings;
}
const located = (findings: ReturnType<typeof audit>) => findings.map((f) => `${f.rule} ${f.file}${f.line ? `:${f.line}` : ''}`).sort();

describe('live audit of the recorded Airflow 3 KubernetesExecutor release', () => {
  it('maps the live objects to the values rules, each finding pointing at the object that shows it', () => {
    const objects = objectsOf('airflow3-kubernetes-executor.yaml');
    const cfgLine = configMap(objects)['airflow.cfg']!.split('\n').indexOf('remote_logging = False') + 1;
    expect(located(audit(objects))).toEqual([
      'helm-dags-git-sync deployment/airflow-dag-processor',
      'helm-k8s-pod-batch-size configmap/airflow-config/airflow.cfg',
      `helm-logs-ephemeral configmap/airflow-config/airflow.cfg:${cfgLine}`,
      'helm-metrics-disabled configmap/airflow-config/airflow.cfg',
      'helm-network-policies-disabled release/airflow',
      'helm-resources-missing configmap/airflow-config/pod_template_file.yaml',
      'helm-resources-missing deployment/airflow-api-server',
      'helm-resources-missing deployment/airflow-dag-processor',
      'helm-resources-missing deployment/airflow-scheduler',
      'helm-resources-missing deployment/airflow-triggerer',
      'helm-secrets-backend-missing configmap/airflow-config/airflow.cfg',
    ]);
  });

  it('reports one helm-image-drift error naming each component and image, at the odd one out', () => {
    const objects = objectsOf('airflow3-kubernetes-executor.yaml');
    container(objects, 'airflow-api-server', 'api-server').image = OTHER;
    const drift = audit(objects).filter((f) => f.rule === 'helm-image-drift');
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ severity: 'error', file: 'deployment/airflow-api-server' });
    expect(drift[0]!.message).toContain(
      `scheduler (deployment/airflow-scheduler container scheduler), dag-processor (deployment/airflow-dag-processor container dag-processor), triggerer (deployment/airflow-triggerer container triggerer), task pods (`,
    );
    expect(drift[0]!.message).toContain(`run ${OLD}; api-server (deployment/airflow-api-server container api-server) runs ${OTHER}`);
  });

  it('compares task pods by the worker settings the scheduler reads: env over airflow.cfg, then the pod template', () => {
    const objects = objectsOf('airflow3-kubernetes-executor.yaml');
    container(objects, 'airflow-scheduler', 'scheduler').env = container(objects, 'airflow-scheduler', 'scheduler').env!.filter((e) => !e.name.includes('WORKER_CONTAINER'));
    const data = configMap(objects);
    data['airflow.cfg'] = data['airflow.cfg']!.replace(/worker_container_tag = .*/, `worker_container_tag = 2.0.0@sha256:${'9'.repeat(64)}`);
    const line = data['airflow.cfg']!.split('\n').findIndex((l) => l.startsWith('worker_container_tag')) + 1;
    const cfgDrift = audit(objects).find((f) => f.rule === 'helm-image-drift')!;
    expect(`${cfgDrift.file}:${cfgDrift.line}`).toBe(`configmap/airflow-config/airflow.cfg:${line}`);
    expect(cfgDrift.message).toContain(
      `task pods (configmap/airflow-config/airflow.cfg [kubernetes_executor] worker_container_repository/_tag) runs 127.0.0.1:5111/team/dags:2.0.0@sha256:${'9'.repeat(64)}`,
    );
    // With a template image behind the worker settings that differs, a warning says it is stale.
    expect(audit(objects).filter((f) => f.rule === 'helm-pod-template-image-stale')).toHaveLength(1);

    data['airflow.cfg'] = data['airflow.cfg']!.replace(/worker_container_(repository|tag) = .*\n/g, '');
    data['pod_template_file.yaml'] = data['pod_template_file.yaml']!.replace(OLD, OTHER);
    const templateDrift = audit(objects).find((f) => f.rule === 'helm-image-drift')!;
    expect(templateDrift.file).toBe('configmap/airflow-config/pod_template_file.yaml');
    expect(templateDrift.line).toBe(data['pod_template_file.yaml']!.split('\n').findIndex((l) => l.includes(OTHER)) + 1);
    data['pod_template_file.yaml'] = data['pod_template_file.yaml']!.replace(OTHER, OLD);
    expect(audit(objects).map((f) => f.rule)).not.toContain('helm-image-drift');
  });

  it('finds the airflow.cfg ConfigMap under another name (useStandardNaming, fullnameOverride)', () => {
    const objects = objectsOf('airflow3-kubernetes-executor.yaml');
    objects.configMaps[0]!.metadata!.name = 'airflow-airflow-config';
    objects.configMaps.unshift({ metadata: { name: 'airflow-statsd' }, data: { mappings: '' } });
    expect(located(audit(objects)).filter((f) => f.startsWith('helm-logs'))).toEqual([expect.stringMatching(/^helm-logs-ephemeral configmap\/airflow-airflow-config\/airflow\.cfg:\d+$/)]);
  });

  it('calls a tag-only task image beside pinned components the chart digest gap, not drift', () => {
    const objects = objectsOf('airflow3-kubernetes-executor.yaml');
    container(objects, 'airflow-scheduler', 'scheduler').env!.find((e) => e.name.endsWith('WORKER_CONTAINER_TAG'))!.value = '1.0.0';
    const rules = audit(objects).map((f) => `${f.rule} ${f.severity}`);
    expect(rules).toContain('helm-task-image-digest-ignored warning');
    expect(rules).not.toContain('helm-image-drift error');
  });

  it('reads Airflow options from the scheduler env before airflow.cfg, and tag-only images as helm-image-no-digest', () => {
    const objects = objectsOf('airflow3-kubernetes-executor.yaml');
    container(objects, 'airflow-scheduler', 'scheduler').env!.push({ name: 'AIRFLOW__CORE__PARALLELISM', value: '16' });
    for (const w of objects.workloads)
      for (const c of [...podSpec(objects, w.name).containers, ...(podSpec(objects, w.name).initContainers ?? [])]) if (c.image === OLD) c.image = '127.0.0.1:5111/team/dags:1.0.0';
    const found = audit(objects, { minParallelism: 32, strict: true });
    expect(found.find((f) => f.rule === 'helm-parallelism-below-floor')).toMatchObject({ file: 'deployment/airflow-scheduler', message: expect.stringContaining('[core] parallelism is 16') });
    expect(found.find((f) => f.rule === 'helm-image-no-digest')).toMatchObject({ severity: 'error', file: 'deployment/airflow-scheduler' });
  });
});

describe('live audit of the recorded Airflow 2 Celery release', () => {
  it('finds the in-cluster database, literal and well-known credentials in pod specs, plain-HTTP ingresses, default accounts, a single-node DAG claim', () => {
    const objects = objectsOf('airflow2-celery.yaml');
    const labels = { 'app.kubernetes.io/name': 'postgresql', 'app.kubernetes.io/instance': 'airflow' };
    objects.workloads.push({
      kind: 'StatefulSet',
      name: 'airflow-postgresql',
      namespace: 'ns',
      object: { metadata: { name: 'airflow-postgresql', labels }, spec: { serviceName: 'x', selector: {}, template: { spec: { containers: [{ name: 'postgresql', image: 'postgres:16' }] } } } },
    });
    container(objects, 'airflow-webserver', 'webserver').env = [
      { name: 'AIRFLOW__WEBSERVER__SECRET_KEY', value: 'temporary_key' },
      { name: 'AIRFLOW__CORE__FERNET_KEY', valueFrom: { secretKeyRef: { name: 'airflow-fernet-key', key: 'fernet-key' } } },
    ];
    for (const c of podSpec(objects, 'airflow-scheduler').containers) c.env = [...(c.env ?? []), { name: 'AIRFLOW_CONN_WAREHOUSE', value: 'postgresql://etl:hunter2@warehouse:5432/dw' }];
    podSpec(objects, 'airflow-worker').serviceAccountName = undefined;
    podSpec(objects, 'airflow-scheduler').volumes = [
      { name: 'dags', persistentVolumeClaim: { claimName: 'dags' } },
      { name: 'logs', persistentVolumeClaim: { claimName: 'airflow-logs' } },
    ];
    objects.claims.push({ metadata: { name: 'dags' }, spec: { accessModes: ['ReadWriteOnce'] } });
    objects.ingresses.push(
      {
        metadata: { name: 'airflow-ingress', labels: { release: 'airflow', component: 'webserver' } },
        spec: { rules: [{ host: 'airflow.example.com' }, { host: 'admin.example.com' }], tls: [{ hosts: ['airflow.example.com'], secretName: 'tls' }] },
      },
      { metadata: { name: 'airflow-flower-ingress' }, spec: { rules: [{ host: 'flower.example.com' }], tls: [{ secretName: 'default-cert' }] } },
    );
    const found = audit(objects);
    expect(located(found.filter((f) => f.severity === 'error'))).toEqual([
      'helm-ingress-without-tls ingress/airflow-ingress',
      'helm-metadata-db-in-cluster statefulset/airflow-postgresql',
      'helm-secret-key-well-known deployment/airflow-webserver',
      'helm-secret-literal deployment/airflow-scheduler',
    ]);
    expect(found.find((f) => f.rule === 'helm-ingress-without-tls')!.message).toContain('serves admin.example.com over plain HTTP');
    expect(found.find((f) => f.rule === 'helm-secret-literal')!.message).toContain('AIRFLOW_CONN_WAREHOUSE (containers scheduler, scheduler-log-groomer)');
    expect(JSON.stringify(found)).not.toContain('hunter2');
    expect(located(found.filter((f) => ['helm-worker-default-service-account', 'helm-dags-pvc-access-mode'].includes(f.rule)))).toEqual([
      'helm-dags-pvc-access-mode persistentvolumeclaim/dags',
      'helm-worker-default-service-account statefulset/airflow-worker',
    ]);
    expect(found.map((f) => f.rule)).not.toContain('helm-logs-ephemeral');
  });
});

describe('live audit of running pods', () => {
  const pod = (name: string, component: string, image: string, extra: Partial<k8s.V1ObjectMeta> = {}): k8s.V1Pod => ({
    metadata: { name, labels: { release: 'airflow', tier: 'airflow', component }, ...extra },
    spec: { containers: [{ name: component, image }] },
    status: { phase: 'Running' },
  });

  it('reports pods still on another image than their template (an unfinished rollout) as drift; terminating pods do not count', () => {
    const objects = objectsOf('airflow2-celery.yaml');
    for (const w of objects.workloads) for (const c of podSpec(objects, w.name).containers) c.image = OTHER;
    objects.pods.push(pod('airflow-scheduler-abc', 'scheduler', OTHER), pod('airflow-worker-0', 'worker', OLD), pod('airflow-webserver-old', 'webserver', OLD, { deletionTimestamp: new Date() }));
    const drift = audit(objects).filter((f) => f.rule === 'helm-image-drift');
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ file: 'pod/airflow-worker-0' });
    expect(drift[0]!.message).toContain(`; worker pod airflow-worker-0 (pod/airflow-worker-0 container worker) runs ${OLD}`);
    expect(drift[0]!.message).not.toContain('airflow-webserver-old');
    objects.pods.pop();
    objects.pods[1] = pod('airflow-worker-0', 'worker', OTHER);
    expect(audit(objects).map((f) => f.rule)).not.toContain('helm-image-drift');
  });
});

describe('parseAirflowCfg', () => {
  it('reads sections, both separators, comments and continuation lines with their line numbers', () => {
    const cfg = '# top\n[Core]\nexecutor = KubernetesExecutor\n; note\n[secrets]\nbackend_kwargs: {"a": 1,\n  "b": 2}\nempty =\n';
    expect(parseAirflowCfg(cfg)).toEqual([
      { section: 'core', option: 'executor', value: 'KubernetesExecutor', line: 3 },
      { section: 'secrets', option: 'backend_kwargs', value: '{"a": 1,\n"b": 2}', line: 6 },
      { section: 'secrets', option: 'empty', value: '', line: 8 },
    ]);
  });
});
