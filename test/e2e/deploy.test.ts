import { afterAll, describe, expect, it } from 'vitest';
import { FAILING, fixture, kubeHarness, NEW, SCHEDULER_ON_NEW, OLD } from '../fixtures/kube/harness.js';
import { dagship } from './cli.js';
import { infra } from './infra.js';

const env = infra();
const kube = kubeHarness(env.kubeconfig);
const namespaces: string[] = [];
// These images exist only by digest, never in a registry: the rollout mechanics are under test here, the
// release gate in gate.test.ts.
const run = (args: string[]) => dagship(['deploy', 'rollback'].includes(args[0]!) ? [...args, '--skip-verify'] : args, { env: { KUBECONFIG: env.kubeconfig } });
const NEW_TAG = `pinned@sha256:${'2'.repeat(64)}`;
const OLD_TAG = `1.0.0@sha256:${'1'.repeat(64)}`;

async function release(file: string): Promise<string> {
  const ns = await kube.createNamespace('deploy');
  namespaces.push(ns);
  await kube.apply(fixture(file), ns);
  await kube.ready(ns);
  return ns;
}

const config = async (ns: string) => (await kube.core.readNamespacedConfigMap({ name: 'airflow-config', namespace: ns })).data!;
const allImages = async (ns: string) => Object.values(await kube.images(ns)).flat();

describe('dagship deploy on a real control plane', () => {
  afterAll(async () => {
    await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
  });

  it('moves every Airflow 3 component and the KubernetesExecutor worker image; a repeat is a no-op; rollback returns', async () => {
    const ns = await release('airflow3-kubernetes-executor.yaml');
    const original = await config(ns);
    const deployed = await run(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--timeout', '90s']);
    expect(deployed.stderr).toContain('all rollouts complete');
    expect(deployed.exitCode).toBe(0);
    // Patch mode drifts from Helm's record: said once per deploy, not once per object.
    expect(deployed.stderr.split('the next `helm upgrade` without images.airflow.*').length - 1).toBe(1);
    const images = await kube.images(ns);
    expect(images['airflow-scheduler']).toEqual(SCHEDULER_ON_NEW);
    expect(images['airflow-dag-processor']).toContain('git-sync=registry.k8s.io/git-sync/git-sync:v4.4.2');
    expect((await allImages(ns)).filter((i) => i.includes(OLD))).toEqual([]);
    const data = await config(ns);
    expect(data['airflow.cfg']).toContain(`worker_container_tag = ${NEW_TAG}`);
    expect(data['pod_template_file.yaml']).toContain(`image: ${NEW}`);
    const scheduler = await kube.apps.readNamespacedDeployment({ name: 'airflow-scheduler', namespace: ns });
    expect(scheduler.metadata?.annotations?.['dagship.io/previous-image']).toBe(OLD);
    expect(scheduler.metadata?.annotations?.['dagship.io/verification']).toMatch(/^skipped with --skip-verify by /);
    expect(deployed.stderr).toContain('RELEASE GATE SKIPPED');

    const again = await run(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns]);
    expect(again.stderr).toContain('nothing to do');
    expect(again.exitCode).toBe(0);

    const back = await run(['rollback', '--release', 'airflow', '-n', ns, '--timeout', '90s']);
    expect(back.exitCode).toBe(0);
    expect((await allImages(ns)).filter((i) => i.includes(NEW) || i.includes(NEW_TAG))).toEqual([]);
    // Back on exactly what the release record kept: the worker settings and pod template as they were.
    const restored = await config(ns);
    expect(restored['airflow.cfg']).toContain(`worker_container_tag = ${OLD_TAG}`);
    expect(restored).toEqual(original);
  });

  it('moves the Airflow 2 Celery workloads, StatefulSets included', async () => {
    const ns = await release('airflow2-celery.yaml');
    const deployed = await run(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--timeout', '90s']);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    const images = await kube.images(ns);
    expect(Object.keys(images).sort()).toEqual(['airflow-scheduler', 'airflow-triggerer', 'airflow-webserver', 'airflow-worker']);
    expect(
      Object.values(images)
        .flat()
        .filter((i) => !i.endsWith(NEW)),
    ).toEqual([]);
    expect((await config(ns))['airflow.cfg']).toContain(`worker_container_tag = ${NEW_TAG}`);
    const worker = await kube.apps.readNamespacedStatefulSet({ name: 'airflow-worker', namespace: ns });
    expect(worker.status?.currentRevision).toBe(worker.status?.updateRevision);
  });

  it('rolls every changed object back when a rollout fails, and exits 1 with the reason', async () => {
    const ns = await release('airflow3-kubernetes-executor.yaml');
    const before = await kube.images(ns);
    const beforeConfig = await config(ns);
    const failed = await run(['deploy', '--image', FAILING, '--release', 'airflow', '-n', ns, '--timeout', '15s']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/rollout failed, rolled back .*all back on their previous images/);
    expect(failed.stderr).toMatch(/ErrImagePull|ImagePullBackOff/);
    expect(await kube.images(ns)).toEqual(before);
    expect(await config(ns)).toEqual(beforeConfig);
    await kube.ready(ns, 30_000);
    const scheduler = await kube.apps.readNamespacedDeployment({ name: 'airflow-scheduler', namespace: ns });
    expect(scheduler.metadata?.annotations?.['dagship.io/previous-image']).toBeUndefined();
  });

  it('rolls StatefulSets back too, deleting pods stuck on the failed revision (OrderedReady)', async () => {
    const ns = await release('airflow2-celery.yaml');
    const before = await kube.images(ns);
    const failed = await run(['deploy', '--image', FAILING, '--release', 'airflow', '-n', ns, '--timeout', '10s']);
    expect(failed.exitCode, failed.stderr).toBe(1);
    expect(failed.stderr).toContain('statefulset/airflow-triggerer: deleted pods stuck on the failed revision: airflow-triggerer-0');
    expect(failed.stderr).toContain('(all back on their previous images)');
    expect(await kube.images(ns)).toEqual(before);
    await kube.ready(ns, 30_000);
  });

  it('--dry-run prints each change and changes nothing', async () => {
    const ns = await release('airflow3-kubernetes-executor.yaml');
    const before = await kube.images(ns);
    const dry = await run(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain(`deployment/airflow-scheduler\n  init container wait-for-airflow-migrations: ${OLD} → ${NEW}`);
    expect(dry.stdout).toContain('configmap/airflow-config');
    expect(dry.stdout).toContain(`env AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG: ${OLD_TAG} → ${NEW_TAG}`);
    expect(await kube.images(ns)).toEqual(before);
  });

  it('re-reads and retries when another writer changes a Deployment mid-deploy', async () => {
    const ns = await release('airflow3-kubernetes-executor.yaml');
    const { setHeaderOptions, PatchStrategy } = await import('@kubernetes/client-node');
    let writes = 0;
    let stop = false;
    // Another writer patches the last Deployment dagship patches every 25 ms (a busy controller), so the
    // state dagship read at discovery is stale by the time it patches; it stops once dagship's patch lands.
    const writer = (async () => {
      while (!stop) {
        const d = await kube.apps.patchNamespacedDeployment(
          { name: 'airflow-triggerer', namespace: ns, body: { metadata: { annotations: { 'other/writes': String(++writes) } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        if (d.spec?.template.spec?.containers[0]?.image === NEW) return;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const deployed = await run(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--timeout', '90s']);
    stop = true;
    await writer;
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain('deployment/airflow-triggerer changed meanwhile (409 Conflict)');
    const triggerer = await kube.apps.readNamespacedDeployment({ name: 'airflow-triggerer', namespace: ns });
    expect(triggerer.metadata?.annotations?.['other/writes']).toBe(String(writes));
    expect(triggerer.spec?.template.spec?.containers.map((c) => c.image)).toEqual([NEW, NEW]);
  });

  it('refuses a tag the registry cannot pin, a missing release and a missing namespace, with exit 2', async () => {
    const ns = await release('airflow2-celery.yaml');
    const tagged = await run(['deploy', '--image', '127.0.0.1:5111/team/dags:latest', '--release', 'airflow', '-n', ns]);
    expect(tagged.exitCode).toBe(2);
    expect(tagged.stderr).toContain("the registry 127.0.0.1:5111 has no tag 'latest' in team/dags");
    const noRelease = await run(['deploy', '--image', NEW, '--release', 'nope', '-n', ns]);
    expect(noRelease.exitCode).toBe(2);
    expect(noRelease.stderr).toContain("no Airflow workloads of Helm release 'nope'");
    const noNamespace = await run(['deploy', '--image', NEW, '--release', 'airflow', '-n', 'no-such-namespace']);
    expect(noNamespace.exitCode).toBe(2);
    expect(noNamespace.stderr).toContain("namespace 'no-such-namespace' not found");
    const noContext = await run(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--context', 'nope']);
    expect(noContext.exitCode).toBe(2);
    expect(noContext.stderr).toContain("kubeconfig has no context 'nope'");
  });
});
