import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FAILING, fixture, kubeHarness, NEW, OLD } from '../fixtures/kube/harness.js';
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

/** The stand-in chart installed with a team's values: every Airflow container on OLD. */
async function helmRelease(): Promise<string> {
  const ns = await kube.createNamespace('deploy-helm');
  namespaces.push(ns);
  await helm('install', 'airflow', CHART, '-n', ns, '-f', fixture('helm-values.yaml'));
  await kube.ready(ns);
  return ns;
}

const values = async (ns: string) => JSON.parse(await helm('get', 'values', 'airflow', '-n', ns, '-o', 'json')) as { images: Record<string, Record<string, string>> };
const revision = async (ns: string) => (JSON.parse(await helm('status', 'airflow', '-n', ns, '-o', 'json')) as { version: number }).version;
const config = async (ns: string) => (await kube.core.readNamespacedConfigMap({ name: 'airflow-config', namespace: ns })).data!;
const allImages = async (ns: string) => Object.values(await kube.images(ns)).flat();

describe('dagship deploy --strategy helm on a real control plane', () => {
  afterAll(async () => {
    await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
  });

  it('the stand-in chart renders what the official chart renders (the recorded fixture), but for the pod template image', async () => {
    const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: unknown; data?: Record<string, string> } | null).filter((d) => d !== null);
    const rendered = new Map(docs(await helm('template', 'airflow', CHART, '-n', 'airflow', '-f', fixture('helm-values.yaml'))).map((d) => [`${d.kind}/${d.metadata.name}`, d]));
    const recorded = docs(readFileSync(fixture('airflow3-kubernetes-executor.yaml'), 'utf8'));
    expect([...rendered.keys()].sort()).toEqual(recorded.map((d) => `${d.kind}/${d.metadata.name}`).sort());
    for (const d of recorded.filter((x) => x.kind === 'Deployment')) expect(rendered.get(`Deployment/${d.metadata.name}`)?.spec).toEqual(d.spec);
    const cm = rendered.get('ConfigMap/airflow-config')!.data!;
    expect(cm['airflow.cfg']).toBe(recorded.find((d) => d.kind === 'ConfigMap')!.data!['airflow.cfg']);
    // The official chart renders the pod template as repository:tag, never repository@digest.
    expect(cm['pod_template_file.yaml']).toContain(`image: 127.0.0.1:5111/team/dags:1.0.0@${OLD_DIGEST}`);
  });

  it('helm upgrades every component and the worker image to the digest, the values record it, a repeat is a no-op', async () => {
    const ns = await helmRelease();
    const deployed = await deploy(ns, '--image', NEW, '--chart', CHART, '--timeout', '90s');
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain('all rollouts complete');
    expect(deployed.stderr).not.toContain('next `helm upgrade`');
    const images = await kube.images(ns);
    expect(images['airflow-scheduler']).toEqual([
      `wait-for-airflow-migrations=${NEW}`, `scheduler=${NEW}`,
      'AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_REPOSITORY=127.0.0.1:5111/team/dags',
      `AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG=${NEW_TAG}`, `scheduler-log-groomer=${NEW}`,
    ]);
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
    expect(await kube.images(ns)).toEqual(before);
    expect(await config(ns)).toEqual(beforeConfig);
    expect(await values(ns)).toEqual(beforeValues);
    expect(await helm('history', 'airflow', '-n', ns, '-o', 'json')).toContain('Rollback to 1');
    expect(await revision(ns)).toBe(3);
    await kube.ready(ns, 30_000);
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
});
