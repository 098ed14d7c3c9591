import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DagshipError } from '../../src/errors.js';
import { fakeReleaseStore } from './fake-release-store.js';
import type { KubeCluster, Workload } from '../../src/kube/cluster.js';
import type { Helm, HelmUpgrade } from '../../src/kube/helm.js';
import { helmDeployRelease, imageValues, valueChanges } from '../../src/kube/helm-deploy.js';
import { manifestChanges } from '../../src/kube/helm-manifest.js';
import { escapeSetValue } from '../../src/kube/helm.js';
import { silentLogger } from '../../src/logger.js';
import { FAILING, fixture, NEW, OLD } from '../fixtures/kube/harness.js';

const D2 = `sha256:${'2'.repeat(64)}`;

describe('the chart values a helm deploy sets', () => {
  it('pins every Airflow container by digest and the worker image by tag@digest', () => {
    expect(imageValues(NEW)).toEqual({
      'images.airflow.repository': '127.0.0.1:5111/team/dags',
      'images.airflow.digest': D2,
      'images.airflow.tag': `pinned@${D2}`,
      'images.pod_template.repository': '127.0.0.1:5111/team/dags',
      'images.pod_template.tag': `pinned@${D2}`,
    });
    expect(imageValues(`127.0.0.1:5111/team/dags:v7@${D2}`)['images.airflow.tag']).toBe(`v7@${D2}`);
    expect(() => imageValues('127.0.0.1:5111/team/dags:v7')).toThrow(/not pinned by digest/);
  });

  it('lists only the values that change, unset ones shown as such', () => {
    const current = { images: { airflow: { repository: '127.0.0.1:5111/team/dags', digest: null, tag: '1.0.0' } } };
    expect(valueChanges(current, imageValues(NEW))).toEqual([
      `images.airflow.digest: (unset) → ${D2}`,
      `images.airflow.tag: 1.0.0 → pinned@${D2}`,
      'images.pod_template.repository: (unset) → 127.0.0.1:5111/team/dags',
      `images.pod_template.tag: (unset) → pinned@${D2}`,
    ]);
  });

  it('escapes what helm --set syntax would split on', () => {
    expect(escapeSetValue('a,b\\c')).toBe('a\\,b\\\\c');
  });
});

describe('manifestChanges (the official chart rendering recorded in the fixture)', () => {
  const before = readFileSync(fixture('airflow3-kubernetes-executor.yaml'), 'utf8');
  const after = before.replaceAll(OLD, NEW).replaceAll(`1.0.0@sha256:${'1'.repeat(64)}`, `pinned@${D2}`);

  it('names each container, worker setting and config line that would change, and nothing else', () => {
    const lines = manifestChanges(before, after);
    expect(lines).toContain(`deployment/airflow-scheduler init container wait-for-airflow-migrations: ${OLD} → ${NEW}`);
    expect(lines).toContain(`deployment/airflow-scheduler container scheduler env AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG: 1.0.0@sha256:${'1'.repeat(64)} → pinned@${D2}`);
    expect(lines).toContain(`configmap/airflow-config airflow.cfg: worker_container_tag = pinned@${D2}`);
    expect(lines).toContain(`configmap/airflow-config pod_template_file.yaml: image: ${NEW}`);
    expect(lines.filter((l) => l.includes('git-sync') || l.includes('serviceaccount'))).toEqual([]);
    // 11 containers and env settings across the 4 Deployments, 2 lines of the ConfigMap.
    expect(lines).toHaveLength(13);
    expect(manifestChanges(before, before)).toEqual([]);
  });
});

/** `a.b.c=v` as helm stores it: { a: { b: { c: v } } }. */
function nested(values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const path = key.split('.');
    let at = out;
    for (const k of path.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[path.at(-1)!] = value;
  }
  return out;
}

/** A release of two Deployments whose image follows the fake helm's values; fail- images never become available. */
function fakes(options: { upgradeFails?: 'before-write' | 'after-write' } = {}) {
  let image = OLD;
  const calls: string[] = [];
  const history: { image: string; values: Record<string, unknown> }[] = [{ image: OLD, values: { images: { airflow: { digest: `sha256:${'1'.repeat(64)}` } } } }];
  const workload = (name: string): Workload => {
    const labels = { release: 'airflow', tier: 'airflow', component: name };
    const ok = !image.includes('fail-');
    return {
      kind: 'Deployment',
      name: `airflow-${name}`,
      namespace: 'ns',
      object: {
        metadata: { name: `airflow-${name}`, labels, generation: history.length },
        spec: { replicas: 1, selector: { matchLabels: labels }, template: { spec: { containers: [{ name, image }] } } },
        status: { observedGeneration: history.length, replicas: 1, updatedReplicas: 1, availableReplicas: ok ? 1 : 0 },
      },
    };
  };
  const names = ['scheduler', 'api-server'];
  const cluster = {
    listWorkloads: async () => names.map(workload),
    readWorkload: async (ref) => workload(ref.name.replace('airflow-', '')),
    readConfigMap: async () => undefined,
    namespaceExists: async () => true,
    podProblems: async () => [`pod/x container scheduler (${image}): ErrImagePull (pull access denied)`],
    deleteUnreadyPods: async () => [],
    ...fakeReleaseStore().methods,
  } as Partial<KubeCluster> as KubeCluster;
  const helm: Helm = {
    status: async () => ({ revision: history.length, status: 'deployed', manifest: '' }),
    values: async () => history.at(-1)!.values,
    async upgrade(r: HelmUpgrade) {
      calls.push(`upgrade${r.dryRun ? ' --dry-run' : ''} ${r.chart}`);
      if (r.dryRun) return { revision: history.length + 1, status: 'pending-upgrade', manifest: '' };
      if (options.upgradeFails === 'before-write') throw new DagshipError('helm upgrade failed: chart not found', 'check --chart', 'config');
      image = `${r.values['images.airflow.repository']}@${r.values['images.airflow.digest']}`;
      history.push({ image, values: nested(r.values) });
      if (options.upgradeFails === 'after-write') throw new DagshipError('helm upgrade failed: timed out waiting for hooks', 'see helm', 'infra');
      return { revision: history.length, status: 'deployed', manifest: '' };
    },
    async rollback(_release, _ns, revision) {
      calls.push(`rollback ${revision}`);
      const to = history[revision - 1]!;
      image = to.image;
      history.push(to);
    },
  };
  return { cluster, helm, calls, image: () => image, revision: () => history.length };
}

const request = { namespace: 'ns', release: 'airflow', timeoutMs: 2000, intervalMs: 5, chart: './chart' };

describe('helmDeployRelease with a fake helm and cluster', () => {
  it('upgrades, watches every workload, and returns the value changes', async () => {
    const f = fakes();
    const outcome = await helmDeployRelease(f.cluster, f.helm, NEW, request, silentLogger);
    expect(f.calls).toEqual(['upgrade ./chart']);
    expect(f.image()).toBe(NEW);
    expect(outcome.rollouts.map((r) => [r.ref.name, r.ok])).toEqual([
      ['airflow-scheduler', true],
      ['airflow-api-server', true],
    ]);
    expect(outcome.changes[0]!.lines).toContain(`images.airflow.digest: sha256:${'1'.repeat(64)} → ${D2}`);
  });

  it('rolls back to the revision before when a rollout fails, and fails the gate with the pod reason', async () => {
    const f = fakes();
    const err = (await helmDeployRelease(f.cluster, f.helm, FAILING, request, silentLogger).catch((e: unknown) => e)) as DagshipError;
    expect(err.kind).toBe('gate');
    expect(err.message).toMatch(/^rollout failed, rolled back release airflow to Helm revision 1 \(all back on their previous images\)/);
    expect(err.message).toContain('ErrImagePull');
    expect(f.calls).toEqual(['upgrade ./chart', 'rollback 1']);
    expect(f.image()).toBe(OLD);
  });

  it('a dry run renders with helm and changes nothing; the image already deployed is a no-op', async () => {
    const f = fakes();
    const dry = await helmDeployRelease(f.cluster, f.helm, NEW, { ...request, dryRun: true }, silentLogger);
    expect(dry.dryRun).toBe(true);
    expect(f.calls).toEqual(['upgrade --dry-run ./chart']);
    expect(f.image()).toBe(OLD);
    await helmDeployRelease(f.cluster, f.helm, NEW, request, silentLogger);
    const again = await helmDeployRelease(f.cluster, f.helm, NEW, request, silentLogger);
    expect(again.changes).toEqual([]);
    expect(f.calls).toEqual(['upgrade --dry-run ./chart', 'upgrade ./chart']);
  });

  it('a helm upgrade that fails after writing a revision is rolled back; one that wrote nothing is not', async () => {
    const wrote = fakes({ upgradeFails: 'after-write' });
    await expect(helmDeployRelease(wrote.cluster, wrote.helm, NEW, request, silentLogger)).rejects.toThrow(/timed out waiting for hooks/);
    expect(wrote.calls).toEqual(['upgrade ./chart', 'rollback 1']);
    expect(wrote.image()).toBe(OLD);
    const nothing = fakes({ upgradeFails: 'before-write' });
    await expect(helmDeployRelease(nothing.cluster, nothing.helm, NEW, request, silentLogger)).rejects.toThrow(/chart not found/);
    expect(nothing.calls).toEqual(['upgrade ./chart']);
  });

  it('a release whose workloads exist but that helm does not know is a config error', async () => {
    const f = fakes();
    f.helm.status = async () => undefined;
    const err = (await helmDeployRelease(f.cluster, f.helm, NEW, request, silentLogger).catch((e: unknown) => e)) as DagshipError;
    expect([err.kind, err.message, err.hint]).toEqual(['config', "Helm has no release 'airflow' in namespace 'ns', though its workloads exist", expect.stringContaining('--strategy patch')]);
  });
});
