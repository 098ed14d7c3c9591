import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FAILING, fixture, kubeHarness, NEW, SCHEDULER_ON_NEW, OLD } from '../fixtures/kube/harness.js';
import { dagship } from './cli.js';
import { infra } from './infra.js';

const env = infra();
const kube = kubeHarness(env.kubeconfig);
const HELM = path.join(env.kubeBin, 'helm');
const CHART = fixture('chart');
const namespaces: string[] = [];
const NEW_TAG = `pinned@sha256:${'2'.repeat(64)}`;
const OLD_DIGEST = `sha256:${'1'.repeat(64)}`;

const helm = async (...args: string[]) => (await execa(HELM, args, { env: { KUBECONFIG: env.kubeconfig } })).stdout;
// The release gate has its own tests; these images were never checked, so it is skipped (and recorded).
const deploy = (ns: string, ...args: string[]) =>
  dagship(['deploy', '--strategy', 'helm', '--release', 'airflow', '-n', ns, '--skip-verify', ...args], { env: { KUBECONFIG: env.kubeconfig, DAGSHIP_HELM: HELM } });

/** The values of an Airflow 2 release with CeleryExecutor: worker and triggerer are StatefulSets. */
const CELERY = 'helm-values-celery.yaml';

/** The stand-in chart installed with a team's values: every Airflow container on OLD. */
async function helmRelease(valuesFile = 'helm-values.yaml'): Promise<string> {
  const ns = await kube.createNamespace('deploy-helm');
  namespaces.push(ns);
  await helm('install', 'airflow', CHART, '-n', ns, '-f', fixture(valuesFile));
  await kube.ready(ns);
  return ns;
}

const values = async (ns: string) => JSON.parse(await helm('get', 'values', 'airflow', '-n', ns, '-o', 'json')) as { images: Record<string, Record<string, string>> };
const revision = async (ns: string) => (JSON.parse(await helm('status', 'airflow', '-n', ns, '-o', 'json')) as { version: number }).version;
const config = async (ns: string) => (await kube.core.readNamespacedConfigMap({ name: 'airflow-config', namespace: ns })).data!;
const allImages = async (ns: string) => Object.values(await kube.images(ns)).flat();
/** The images of every live pod (terminating ones left out), by pod name. */
async function podImages(ns: string): Promise<Record<string, string[]>> {
  const pods = (await kube.core.listNamespacedPod({ namespace: ns })).items.filter((p) => !p.metadata!.deletionTimestamp);
  return Object.fromEntries(pods.map((p) => [p.metadata!.name!, [...(p.spec!.initContainers ?? []), ...p.spec!.containers].map((c) => c.image!)]));
}
const statefulSets = async (ns: string) => (await kube.apps.listNamespacedStatefulSet({ namespace: ns })).items.map((s) => s.metadata!.name!).sort();
type Doc = { kind: string; metadata: { name: string }; spec?: unknown; data?: Record<string, string> };
const docs = (text: string) =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as Doc | null)
    .filter((d) => d !== null);

/** After a failed helm deploy: images, config and values as before, and Helm's history says revision 1 came back. */
async function expectRolledBack(ns: string, before: { images: unknown; config: unknown; values: unknown }): Promise<void> {
  expect(await kube.images(ns)).toEqual(before.images);
  expect(await config(ns)).toEqual(before.config);
  expect(await values(ns)).toEqual(before.values);
  expect(await helm('history', 'airflow', '-n', ns, '-o', 'json')).toContain('Rollback to 1');
  expect(await revision(ns)).toBe(3);
  await kube.ready(ns, 30_000);
}

describe('dagship deploy --strategy helm on a real control plane', () => {
  afterAll(async () => {
    await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
  });

  it('the stand-in chart renders what the official chart renders (the recorded fixture), but for the pod template image', async () => {
    const rendered = new Map(docs(await helm('template', 'airflow', CHART, '-n', 'airflow', '-f', fixture('helm-values.yaml'))).map((d) => [`${d.kind}/${d.metadata.name}`, d]));
    const recorded = docs(readFileSync(fixture('airflow3-kubernetes-executor.yaml'), 'utf8'));
    expect([...rendered.keys()].sort()).toEqual(recorded.map((d) => `${d.kind}/${d.metadata.name}`).sort());
    for (const d of recorded.filter((x) => x.kind === 'Deployment')) expect(rendered.get(`Deployment/${d.metadata.name}`)?.spec).toEqual(d.spec);
    const cm = rendered.get('ConfigMap/airflow-config')!.data!;
    expect(cm['airflow.cfg']).toBe(recorded.find((d) => d.kind === 'ConfigMap')!.data!['airflow.cfg']);
    // The official chart renders the pod template as repository:tag, never repository@digest.
    expect(cm['pod_template_file.yaml']).toContain(`image: 127.0.0.1:5111/team/dags:1.0.0@${OLD_DIGEST}`);
  });

  it('with CeleryExecutor (Airflow 2) it renders what the official chart renders (the recorded fixture): worker and triggerer as StatefulSets', async () => {
    const rendered = new Map(docs(await helm('template', 'airflow', CHART, '-n', 'airflow', '-f', fixture(CELERY))).map((d) => [`${d.kind}/${d.metadata.name}`, d]));
    const recorded = docs(readFileSync(fixture('airflow2-celery.yaml'), 'utf8'));
    expect([...rendered.keys()].sort()).toEqual(recorded.map((d) => `${d.kind}/${d.metadata.name}`).sort());
    expect(
      recorded
        .filter((d) => d.kind === 'StatefulSet')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['airflow-triggerer', 'airflow-worker']);
    // The recording has no volumeClaimTemplates (kwok has no volume provisioner): else the specs are the same.
    for (const d of recorded.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) expect(rendered.get(`${d.kind}/${d.metadata.name}`)?.spec).toEqual(d.spec);
    expect(rendered.get('ConfigMap/airflow-config')!.data).toEqual(recorded.find((d) => d.kind === 'ConfigMap')!.data);
  });

  it('helm upgrades every component and the worker image to the digest, the values record it, a repeat is a no-op', async () => {
    const ns = await helmRelease();
    const deployed = await deploy(ns, '--image', NEW, '--chart', CHART, '--timeout', '90s');
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain('all rollouts complete');
    expect(deployed.stderr).not.toContain('next `helm upgrade`');
    const images = await kube.images(ns);
    expect(images['airflow-scheduler']).toEqual(SCHEDULER_ON_NEW);
    expect(images['airflow-dag-processor']).toEqual([`wait-for-airflow-migrations=${NEW}`, `dag-processor=${NEW}`, 'git-sync=registry.k8s.io/git-sync/git-sync:v4.4.2']);
    expect((await allImages(ns)).filter((i) => i.includes('1'.repeat(64)))).toEqual([]);
    const data = await config(ns);
    expect(data['airflow.cfg']).toContain(`worker_container_tag = ${NEW_TAG}`);
    expect(data['pod_template_file.yaml']).toContain(`image: 127.0.0.1:5111/team/dags:${NEW_TAG}`);
    expect(JSON.stringify(data)).not.toContain('1'.repeat(64));
    expect((await values(ns)).images).toEqual({
      airflow: { repository: '127.0.0.1:5111/team/dags', digest: `sha256:${'2'.repeat(64)}`, tag: NEW_TAG },
      pod_template: { repository: '127.0.0.1:5111/team/dags', tag: NEW_TAG },
    });
    expect(await revision(ns)).toBe(2);
    // Helm's own record says who changed the release, and that the gate was skipped.
    expect(await helm('history', 'airflow', '-n', ns)).toContain(`dagship deploy ${NEW} (skipped with --skip-verify`);

    const again = await deploy(ns, '--image', NEW, '--chart', CHART);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    expect(await revision(ns)).toBe(2);
  });

  it('--dry-run shows the values and each object that would change, and changes nothing', async () => {
    const ns = await helmRelease();
    const before = await kube.images(ns);
    const dry = await deploy(ns, '--image', NEW, '--chart', CHART, '--dry-run');
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^helmrelease\/airflow\n {2}images\.airflow\./);
    expect(dry.stdout).toContain(`images.airflow.digest: ${OLD_DIGEST} → sha256:${'2'.repeat(64)}`);
    expect(dry.stdout).toContain(`deployment/airflow-scheduler init container wait-for-airflow-migrations: ${OLD} → ${NEW}`);
    expect(dry.stdout).toContain(`deployment/airflow-scheduler container scheduler env AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG: 1.0.0@${OLD_DIGEST} → ${NEW_TAG}`);
    expect(dry.stdout).toContain(`configmap/airflow-config airflow.cfg: worker_container_tag = ${NEW_TAG}`);
    expect(dry.stdout).not.toContain('git-sync');
    expect(await kube.images(ns)).toEqual(before);
    expect(await revision(ns)).toBe(1);
  });

  it('a failing rollout is rolled back with helm rollback, nothing left on the new image, exit 1 with the reason', async () => {
    const ns = await helmRelease();
    const before = await kube.images(ns);
    const beforeConfig = await config(ns);
    const beforeValues = await values(ns);
    const failed = await deploy(ns, '--image', FAILING, '--chart', CHART, '--timeout', '15s');
    expect(failed.exitCode, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/rollout failed, rolled back release airflow to Helm revision 1 \(all back on their previous images\)/);
    expect(failed.stderr).toMatch(/deployment\/airflow-\S+: (timed out|progress deadline)/);
    expect(failed.stderr).toMatch(/ErrImagePull|ImagePullBackOff/);
    await expectRolledBack(ns, { images: before, config: beforeConfig, values: beforeValues });
  });

  it('on a Celery release helm moves the worker and triggerer StatefulSets and every Deployment to the digest, all rollouts complete', async () => {
    const ns = await helmRelease(CELERY);
    expect(await statefulSets(ns)).toEqual(['airflow-triggerer', 'airflow-worker']);
    const deployed = await deploy(ns, '--image', NEW, '--chart', CHART, '--timeout', '90s');
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain('watching 4 rollouts');
    expect(deployed.stderr).toContain('all rollouts complete');
    expect(await kube.images(ns)).toEqual({
      'airflow-scheduler': [`wait-for-airflow-migrations=${NEW}`, `scheduler=${NEW}`, `scheduler-log-groomer=${NEW}`],
      'airflow-webserver': [`wait-for-airflow-migrations=${NEW}`, `webserver=${NEW}`],
      'airflow-worker': [`wait-for-airflow-migrations=${NEW}`, `worker=${NEW}`, `worker-log-groomer=${NEW}`],
      'airflow-triggerer': [`wait-for-airflow-migrations=${NEW}`, `triggerer=${NEW}`, `triggerer-log-groomer=${NEW}`],
    });
    // The StatefulSets' pods were replaced, not only their templates: every live pod runs the digest.
    const pods = await podImages(ns);
    expect(
      Object.keys(pods)
        .filter((p) => /^airflow-(worker|triggerer)-\d+$/.test(p))
        .sort(),
    ).toEqual(['airflow-triggerer-0', 'airflow-worker-0']);
    for (const [pod, images] of Object.entries(pods)) expect(images, pod).toEqual(images.map(() => NEW));
    for (const st of (await kube.apps.listNamespacedStatefulSet({ namespace: ns })).items) {
      expect(st.status?.currentRevision, st.metadata!.name).toBe(st.status?.updateRevision);
      expect(st.status?.readyReplicas, st.metadata!.name).toBe(1);
    }
    const data = await config(ns);
    expect(data['airflow.cfg']).toContain(`worker_container_tag = ${NEW_TAG}`);
    expect(data['airflow.cfg']).toContain('executor = CeleryExecutor');
    expect(JSON.stringify(data)).not.toContain('1'.repeat(64));
    expect((await values(ns)).images.airflow).toEqual({ repository: '127.0.0.1:5111/team/dags', digest: `sha256:${'2'.repeat(64)}`, tag: NEW_TAG });
    expect(await revision(ns)).toBe(2);
  });

  it('a failing rollout on a Celery release is rolled back with helm rollback, StatefulSet pods included, exit 1 with the reason', async () => {
    const ns = await helmRelease(CELERY);
    const before = await kube.images(ns);
    const beforePods = Object.values(await podImages(ns)).flat();
    const beforeConfig = await config(ns);
    const beforeValues = await values(ns);
    const failed = await deploy(ns, '--image', FAILING, '--chart', CHART, '--timeout', '15s');
    expect(failed.exitCode, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/rollout failed, rolled back release airflow to Helm revision 1 \(all back on their previous images\)/);
    // Both StatefulSets: the worker (Parallel) and the triggerer (OrderedReady, its stuck pod deleted to roll back).
    expect(failed.stderr).toMatch(/statefulset\/airflow-worker: (timed out|progress deadline)/);
    expect(failed.stderr).toMatch(/statefulset\/airflow-triggerer: (timed out|progress deadline)/);
    expect(failed.stderr).toMatch(/ErrImagePull|ImagePullBackOff/);
    // The StatefulSets' pods did move to the failing image before the rollback.
    for (const c of ['worker', 'triggerer']) expect(failed.stderr).toContain(`pod/airflow-${c}-0 container ${c} (${FAILING})`);
    // An OrderedReady StatefulSet never replaces a pod that is not Ready: dagship deletes it (forced rollback).
    expect(failed.stderr).toContain('statefulset/airflow-triggerer: deleted pods stuck on the failed revision: airflow-triggerer-0');
    await expectRolledBack(ns, { images: before, config: beforeConfig, values: beforeValues });
    const pods = await podImages(ns);
    expect(Object.keys(pods)).toEqual(expect.arrayContaining(['airflow-triggerer-0', 'airflow-worker-0']));
    expect(
      Object.values(pods)
        .flat()
        .filter((i) => i.includes('fail-rollout')),
    ).toEqual([]);
    expect(Object.values(pods).flat().sort()).toEqual(beforePods.sort());
    for (const st of (await kube.apps.listNamespacedStatefulSet({ namespace: ns })).items) {
      expect(st.status?.currentRevision, st.metadata!.name).toBe(st.status?.updateRevision);
    }
  });

  it('refuses --strategy helm without --chart, and --chart without it, with exit 2 and the fix', async () => {
    const missing = await deploy('any', '--image', NEW);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('--strategy helm needs --chart');
    expect(missing.stderr).toContain('hint: pass the chart the release was installed from');
    const stray = await dagship(['deploy', '--image', NEW, '--release', 'airflow', '-n', 'any', '--chart', CHART]);
    expect(stray.exitCode).toBe(2);
    expect(stray.stderr).toContain('--chart and --chart-version only apply to --strategy helm');
  });

  it("the release record names Helm's revision: rollback is helm rollback to it, every component back; twice is once", async () => {
    const ns = await helmRelease();
    const before = await revision(ns);
    const deployed = await deploy(ns, '--image', NEW, '--chart', CHART, '--timeout', '90s');
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    const record = JSON.parse((await kube.core.readNamespacedConfigMap({ name: 'airflow-dagship-r1', namespace: ns })).data!['record.json']!) as {
      strategy: string;
      helmRevision: number;
      status: string;
    };
    expect(record).toMatchObject({ strategy: 'helm', helmRevision: before, status: 'deployed' });
    const rollback = () => dagship(['rollback', '--release', 'airflow', '-n', ns, '--skip-verify', '--timeout', '90s'], { env: { KUBECONFIG: env.kubeconfig, DAGSHIP_HELM: HELM } });
    const back = await rollback();
    expect(back.exitCode, back.stderr).toBe(0);
    expect(back.stdout).toContain(`helm rollback from revision ${before + 1} to ${before}`);
    expect((await allImages(ns)).filter((i) => i.includes('2'.repeat(64)))).toEqual([]);
    expect(await revision(ns)).toBe(before + 2);
    const again = await rollback();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    expect(await revision(ns)).toBe(before + 2);
  });
});
