import { describe, expect, it } from 'vitest';
import { DagshipError } from '../../src/errors.js';
import type { KubeCluster, Workload, WorkloadRef } from '../../src/kube/cluster.js';
import { deployRelease } from '../../src/kube/deploy.js';
import { listRecords } from '../../src/kube/record.js';
import { rollbackRelease } from '../../src/kube/rollback.js';
import { silentLogger } from '../../src/logger.js';
import { FAILING, NEW, OLD } from '../fixtures/kube/harness.js';
import { fakeReleaseStore, merge } from './fake-release-store.js';

function workload(name: string, component: string, image: string): Workload {
  const labels = { release: 'airflow', tier: 'airflow', component };
  return {
    kind: 'Deployment',
    name,
    namespace: 'ns',
    object: {
      metadata: { name, labels, resourceVersion: '1', generation: 1 },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { spec: { containers: [{ name: component, image }] } } },
    },
  };
}

/** dagship's KubeCluster over an in-memory store; images containing fail- never become available. */
function fakeCluster(workloads: Workload[], options: { conflicts?: number; forbid?: string } = {}) {
  const store = new Map(workloads.map((w) => [w.name, structuredClone(w)]));
  let conflicts = options.conflicts ?? 0;
  const patches: string[] = [];
  const releaseStore = fakeReleaseStore();
  const settle = (w: Workload): Workload => {
    const image = w.object.spec!.template.spec!.containers[0]!.image!;
    const ok = !image.includes('fail-');
    w.object.status = { observedGeneration: w.object.metadata!.generation, replicas: 1, updatedReplicas: 1, availableReplicas: ok ? 1 : 0 };
    return structuredClone(w);
  };
  const cluster: KubeCluster = {
    listWorkloads: async () => [...store.values()].map(settle),
    readWorkload: async (ref: WorkloadRef) => settle(store.get(ref.name)!),
    async patchWorkload(ref, patch) {
      const current = store.get(ref.name)!;
      if (ref.name === options.forbid) throw new DagshipError(`forbidden: may not patch deployments in namespace 'ns'`, 'grant it', 'config');
      const rv = (patch as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
      if (conflicts > 0 || (rv && rv !== current.object.metadata!.resourceVersion)) {
        conflicts--;
        current.object.metadata!.resourceVersion = String(Number(current.object.metadata!.resourceVersion) + 1);
        throw Object.assign(new Error('Conflict'), { code: 409 });
      }
      patches.push(ref.name);
      const object = merge(current.object, patch) as Workload['object'];
      object.metadata!.resourceVersion = String(Number(current.object.metadata!.resourceVersion) + 1);
      object.metadata!.generation = (current.object.metadata!.generation ?? 1) + 1;
      store.set(ref.name, { ...current, object });
      return settle(store.get(ref.name)!);
    },
    readConfigMap: async () => undefined,
    namespaceExists: async () => true,
    podProblems: async () => ['pod/x container scheduler (img): ErrImagePull (pull access denied)'],
    deleteUnreadyPods: async () => [],
    readReleaseObjects: async () => ({ workloads: [...store.values()], configMaps: [], ingresses: [], networkPolicies: [], claims: [], pods: [] }),
    ...releaseStore.methods,
  };
  const image = (name: string) => store.get(name)!.object.spec!.template.spec!.containers[0]!.image;
  return { cluster, patches, image, store, lease: releaseStore.lease };
}

const request = { namespace: 'ns', release: 'airflow', timeoutMs: 2000, intervalMs: 5 };
const release = () => [workload('airflow-scheduler', 'scheduler', OLD), workload('airflow-api-server', 'api-server', OLD)];

describe('deployRelease with a fake cluster', () => {
  it('patches every workload and records the previous image', async () => {
    const fake = fakeCluster(release());
    const outcome = await deployRelease(fake.cluster, NEW, request, silentLogger);
    expect(outcome.rollouts.every((r) => r.ok)).toBe(true);
    expect(fake.image('airflow-scheduler')).toBe(NEW);
    expect(fake.store.get('airflow-api-server')!.object.metadata!.annotations!['dagship.io/previous-image']).toBe(OLD);
  });

  it('re-reads after a 409 and patches the new state', async () => {
    const fake = fakeCluster(release(), { conflicts: 2 });
    await deployRelease(fake.cluster, NEW, request, silentLogger);
    expect(fake.image('airflow-scheduler')).toBe(NEW);
    expect(fake.image('airflow-api-server')).toBe(NEW);
  });

  it('rolls every patched workload back when one rollout fails, and fails the gate with the pod reason', async () => {
    const fake = fakeCluster(release());
    const err = await deployRelease(fake.cluster, FAILING, request, silentLogger).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DagshipError);
    expect((err as DagshipError).kind).toBe('gate');
    expect((err as DagshipError).message).toContain('ErrImagePull');
    expect(fake.image('airflow-scheduler')).toBe(OLD);
    expect(fake.image('airflow-api-server')).toBe(OLD);
    expect(fake.store.get('airflow-scheduler')!.object.metadata!.annotations?.['dagship.io/previous-image']).toBeUndefined();
  });

  it('restores what it patched when a later patch is refused, and passes the refusal on', async () => {
    const fake = fakeCluster(release(), { forbid: 'airflow-api-server' });
    await expect(deployRelease(fake.cluster, NEW, request, silentLogger)).rejects.toThrow(/forbidden: may not patch deployments/);
    expect(fake.patches).toEqual(['airflow-scheduler', 'airflow-scheduler']);
    expect(fake.image('airflow-scheduler')).toBe(OLD);
  });

  it('rolls back when reading rollout status fails half-way, and reports the first error', async () => {
    const fake = fakeCluster(release());
    const read = fake.cluster.readWorkload;
    let reads = 0;
    fake.cluster.readWorkload = async (ref) => {
      if (++reads === 1) throw new DagshipError(`forbidden: may not get deployments in namespace 'ns'`, 'grant it', 'config');
      return read(ref);
    };
    await expect(deployRelease(fake.cluster, NEW, request, silentLogger)).rejects.toThrow(/may not get deployments/);
    expect(fake.image('airflow-scheduler')).toBe(OLD);
    expect(fake.image('airflow-api-server')).toBe(OLD);
  });

  it('changes nothing on a dry run, and nothing for the image already running', async () => {
    const fake = fakeCluster(release());
    expect((await deployRelease(fake.cluster, NEW, { ...request, dryRun: true }, silentLogger)).changes).toHaveLength(2);
    expect((await deployRelease(fake.cluster, OLD, request, silentLogger)).changes).toHaveLength(0);
    expect(fake.patches).toEqual([]);
  });

  it('explains a release without workloads', async () => {
    const fake = fakeCluster([]);
    await expect(deployRelease(fake.cluster, NEW, request, silentLogger)).rejects.toThrow(/no Airflow workloads of Helm release 'airflow'/);
  });

  it('judges by what the server holds: a patch that landed but whose answer was lost is put back too', async () => {
    const fake = fakeCluster(release());
    const patch = fake.cluster.patchWorkload;
    fake.cluster.patchWorkload = async (ref, body) => {
      const done = await patch(ref, body);
      if (ref.name === 'airflow-api-server' && done.object.spec!.template.spec!.containers[0]!.image === NEW)
        throw new DagshipError('Kubernetes API failed to patch deployments: socket hang up', 'is it reachable?', 'infra');
      return done;
    };
    const err = await deployRelease(fake.cluster, NEW, request, silentLogger).catch((e: unknown) => e);
    expect((err as DagshipError).message).toMatch(/socket hang up[\s\S]*deployment\/airflow-api-server: put back/);
    expect(fake.image('airflow-scheduler')).toBe(OLD);
    expect(fake.image('airflow-api-server')).toBe(OLD);
    expect((await listRecords(fake.cluster, 'ns', 'airflow'))[0]!.status).toBe('failed');
  });

  it('records the starting state once per deploy; rollback returns every object to it through the gate; twice is once', async () => {
    const fake = fakeCluster(release());
    await deployRelease(fake.cluster, NEW, request, silentLogger);
    const verified: string[][] = [];
    const verify = async (images: string[]) => (verified.push(images), 'verified');
    expect((await rollbackRelease(fake.cluster, request, verify, silentLogger)).changes).toHaveLength(2);
    expect([fake.image('airflow-scheduler'), fake.image('airflow-api-server')]).toEqual([OLD, OLD]);
    expect(verified).toEqual([[OLD]]);
    const again = await rollbackRelease(fake.cluster, request, verify, silentLogger);
    expect(again.changes).toHaveLength(0);
    expect([fake.image('airflow-scheduler'), fake.image('airflow-api-server')]).toEqual([OLD, OLD]);
    expect((await listRecords(fake.cluster, 'ns', 'airflow')).map((r) => r.status)).toEqual(['rolled-back']);
    await expect(rollbackRelease(fakeCluster(release()).cluster, request, verify, silentLogger)).rejects.toThrow(/nothing to roll back/);
    expect(fake.lease()?.spec?.holderIdentity).toBeUndefined();
  });

  it('a second deploy waits for the release lock and refuses after --lock-timeout, naming the holder', async () => {
    const fake = fakeCluster(release());
    await fake.cluster.writeLease('ns', { metadata: { name: 'airflow-dagship' }, spec: { holderIdentity: 'deploy x by someone', leaseDurationSeconds: 30 } });
    const err = await deployRelease(fake.cluster, NEW, { ...request, lockTimeoutMs: 50 }, silentLogger).catch((e: unknown) => e);
    expect((err as DagshipError).message).toMatch(/locked by another deploy or rollback: deploy x by someone/);
    expect(fake.patches).toEqual([]);
  });
});
