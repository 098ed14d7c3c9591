import type * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DagshipError } from '../../src/errors.js';
import type { Workload } from '../../src/kube/cluster.js';
import { planConfigMap, retargetCfg } from '../../src/kube/config-plan.js';
import { requirePinned, workerSettings } from '../../src/kube/images.js';
import { airflowRepositories, planWorkload, restoreWorkload } from '../../src/kube/plan.js';
import { rolloutState } from '../../src/kube/rollout.js';
import { fixture, NEW, OLD } from '../fixtures/kube/harness.js';

const meta = { revision: 'r1', now: '2026-01-01T00:00:00Z' };

function loadFixture(file: string): { workloads: Workload[]; configMap: k8s.V1ConfigMap } {
  const docs = parseAllDocuments(readFileSync(fixture(file), 'utf8'))
    .map((d) => d.toJS() as k8s.KubernetesObject & Record<string, unknown>)
    .filter(Boolean);
  const workloads = docs
    .filter((d) => d.kind === 'Deployment' || d.kind === 'StatefulSet')
    .map((d) => ({ kind: d.kind as Workload['kind'], name: d.metadata!.name!, namespace: 'ns', object: { ...d, metadata: { ...d.metadata, resourceVersion: '1' } } as Workload['object'] }));
  const configMap = docs.find((d) => d.kind === 'ConfigMap') as k8s.V1ConfigMap;
  return { workloads, configMap };
}

const imagesOf = (patch: object) => {
  const spec = (patch as { spec: { template: { spec: k8s.V1PodSpec } } }).spec.template.spec;
  return [...(spec.initContainers ?? []), ...spec.containers].map((c) => `${c.name}=${c.image}`);
};

describe('images', () => {
  it('refuses a reference without a digest, pointing at dagship push', () => {
    expect(() => requirePinned('reg.example.com/team/dags:latest')).toThrow(DagshipError);
    expect(() => requirePinned('reg.example.com/team/dags:latest')).toThrow(/not pinned by digest/);
  });

  it('puts the digest in the worker tag so Airflow composes repo:tag@sha256:…', () => {
    const digest = `sha256:${'2'.repeat(64)}`;
    expect(workerSettings(`reg:5000/team/dags@${digest}`)).toEqual({ repository: 'reg:5000/team/dags', tag: `pinned@${digest}` });
    expect(workerSettings(`reg:5000/team/dags:abc@${digest}`)).toEqual({ repository: 'reg:5000/team/dags', tag: `abc@${digest}` });
    expect(workerSettings('apache/airflow:3.3.2')).toEqual({ repository: 'apache/airflow', tag: '3.3.2' });
  });
});

describe('planWorkload on the Airflow 3 fixture', () => {
  const { workloads, configMap } = loadFixture('airflow3-kubernetes-executor.yaml');
  const repos = airflowRepositories(workloads);
  const byName = (name: string) => workloads.find((w) => w.name === name)!;

  it('moves the init container, the main container and the log groomer, and the worker env', () => {
    const p = planWorkload(byName('airflow-scheduler'), repos, NEW, meta)!;
    expect(imagesOf(p.patch)).toEqual([`wait-for-airflow-migrations=${NEW}`, `scheduler=${NEW}`, `scheduler-log-groomer=${NEW}`]);
    expect(p.lines).toContain(`container scheduler env AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG: 1.0.0@sha256:${'1'.repeat(64)} → pinned@sha256:${'2'.repeat(64)}`);
    expect(p.patch).toMatchObject({ metadata: { resourceVersion: '1', annotations: { 'dagship.io/previous-image': OLD, 'dagship.io/revision': 'r1' } } });
  });

  it('leaves images of other repositories alone (git-sync)', () => {
    expect(imagesOf(planWorkload(byName('airflow-dag-processor'), repos, NEW, meta)!.patch)).toContain('git-sync=registry.k8s.io/git-sync/git-sync:v4.4.2');
  });

  it('is a no-op for the image already running', () => {
    expect(planWorkload(byName('airflow-api-server'), repos, OLD, meta)).toBeUndefined();
  });

  it('moves the worker image in airflow.cfg and the pod template', () => {
    const p = planConfigMap(configMap, repos, NEW, meta)!;
    const data = (p.patch as { data: Record<string, string> }).data;
    expect(data['airflow.cfg']).toContain(`worker_container_repository = 127.0.0.1:5111/team/dags\nworker_container_tag = pinned@sha256:${'2'.repeat(64)}`);
    expect(data['airflow.cfg']).toContain('[logging]\ncolored_console_log = False');
    expect(data['pod_template_file.yaml']).toContain(`image: ${NEW}`);
    expect(p.previousImage).toBe(`127.0.0.1:5111/team/dags:1.0.0@sha256:${'1'.repeat(64)}`);
  });

  it('leaves empty worker settings empty: Airflow then uses the pod template', () => {
    expect(retargetCfg('[kubernetes_executor]\nworker_container_repository =\nworker_container_tag =\n', repos, NEW)).toBeUndefined();
  });

  it('restores images, env and annotations onto a fresh read', () => {
    const original = byName('airflow-scheduler');
    const moved = planWorkload(original, repos, NEW, meta)!;
    const fresh = {
      ...original,
      object: {
        ...original.object,
        metadata: { ...original.object.metadata, resourceVersion: '7' },
        spec: { ...original.object.spec!, template: (moved.patch as { spec: { template: k8s.V1PodTemplateSpec } }).spec.template },
      },
    } as Workload;
    const restored = restoreWorkload(fresh, original);
    expect(imagesOf(restored).every((i) => i.endsWith(OLD))).toBe(true);
    expect(restored).toMatchObject({ metadata: { resourceVersion: '7', annotations: { 'dagship.io/previous-image': null } } });
  });
});

describe('planWorkload on a first deploy from the chart default image', () => {
  it('moves every container on the Airflow repository to the new repository', () => {
    const { workloads } = loadFixture('airflow2-celery.yaml');
    const w = structuredClone(workloads.find((x) => x.name === 'airflow-worker')!);
    for (const c of [...w.object.spec!.template.spec!.containers, ...w.object.spec!.template.spec!.initContainers!]) c.image = 'apache/airflow:2.11.2';
    const p = planWorkload(w, airflowRepositories([w]), NEW, meta)!;
    expect(imagesOf(p.patch)).toEqual([`wait-for-airflow-migrations=${NEW}`, `worker=${NEW}`, `worker-log-groomer=${NEW}`]);
    expect(p.previousImage).toBe('apache/airflow:2.11.2');
  });
});

describe('rolloutState, as kubectl rollout status judges', () => {
  const deployment = (status: k8s.V1DeploymentStatus, generation = 2): Workload => ({
    kind: 'Deployment',
    name: 'd',
    namespace: 'ns',
    object: { metadata: { generation }, spec: { replicas: 2, selector: {}, template: {} }, status },
  });
  it.each([
    [{ observedGeneration: 1 }, 'progressing', 'waiting for the controller'],
    [{ observedGeneration: 2, updatedReplicas: 1, replicas: 3 }, 'progressing', '1 of 2 updated replicas'],
    [{ observedGeneration: 2, updatedReplicas: 2, replicas: 3 }, 'progressing', 'old replicas pending termination'],
    [{ observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }, 'progressing', '1 of 2 updated replicas available'],
    [{ observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }, 'done', '2 of 2'],
    [
      { observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "d-1" has timed out progressing.' }] },
      'failed',
      'progress deadline exceeded',
    ],
  ])('deployment %j → %s', (status, phase, message) => {
    const state = rolloutState(deployment(status as k8s.V1DeploymentStatus));
    expect(state.phase).toBe(phase);
    expect(state.message).toContain(message);
  });

  it('waits for a StatefulSet until updateRevision == currentRevision', () => {
    const sts = (status: k8s.V1StatefulSetStatus): Workload => ({
      kind: 'StatefulSet',
      name: 's',
      namespace: 'ns',
      object: { metadata: { generation: 2 }, spec: { replicas: 1, selector: {}, serviceName: 's', template: {} }, status },
    });
    expect(rolloutState(sts({ observedGeneration: 2, replicas: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' })).phase).toBe('progressing');
    expect(rolloutState(sts({ observedGeneration: 2, replicas: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'b', updateRevision: 'b' })).phase).toBe('done');
  });
});
