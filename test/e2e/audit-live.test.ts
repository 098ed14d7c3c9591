import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, kubeHarness, NEW, OLD } from '../fixtures/kube/harness.js';
import { dagship, REPO_ROOT } from './cli.js';
import { infra } from './infra.js';

const env = infra();
const kube = kubeHarness(env.kubeconfig);
const namespaces: string[] = [];
const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const DRIFTED = `127.0.0.1:5111/team/dags@sha256:${'9'.repeat(64)}`;

interface Report {
  passed: boolean;
  findings: Array<{ rule: string; severity: string; file: string; line?: number; message: string }>;
}

async function release(file: string): Promise<string> {
  const ns = await kube.createNamespace('audit');
  namespaces.push(ns);
  await kube.apply(fixture(file), ns);
  return ns;
}

/** `dagship audit --release airflow -n <ns>` with a JSON report, as the admin or another kubeconfig. */
async function audit(ns: string, extra: string[] = [], kubeconfig = env.kubeconfig) {
  const json = path.join(mkdtempSync(path.join(tmpdir(), 'dagship-audit-live-')), 'audit.json');
  const result = await dagship(['audit', '--release', 'airflow', '-n', ns, '--json', json, ...extra], { env: { KUBECONFIG: kubeconfig } });
  const report = result.exitCode === 2 ? undefined : (JSON.parse(readFileSync(json, 'utf8')) as Report);
  const rules = (report?.findings ?? []).map((f) => `${f.rule} ${f.file}${f.line ? `:${f.line}` : ''}`).sort();
  return { ...result, report, rules };
}

/** Merges these containers into a Deployment's pod template (the API server then rolls it). */
const patchContainers = (ns: string, name: string, containers: k8s.V1Container[]) =>
  kube.apps.patchNamespacedDeployment({ name, namespace: ns, body: { spec: { template: { spec: { containers } } } } }, MERGE);

const cfgPatch = (ns: string, cfg: string) => kube.core.patchNamespacedConfigMap({ name: 'airflow-config', namespace: ns, body: { data: { 'airflow.cfg': cfg } } }, MERGE);

describe('dagship audit --release on a real control plane', () => {
  afterAll(async () => {
    await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
  });

  it('audits the Airflow 3 KubernetesExecutor release; fixing airflow.cfg live passes; one drifted component fails with helm-image-drift', async () => {
    const ns = await release('airflow3-kubernetes-executor.yaml');
    const first = await audit(ns);
    expect(first.exitCode, first.stderr).toBe(1);
    expect(first.rules).toEqual([
      'helm-dags-git-sync deployment/airflow-dag-processor',
      'helm-k8s-pod-batch-size configmap/airflow-config/airflow.cfg',
      'helm-logs-ephemeral configmap/airflow-config/airflow.cfg:18',
      'helm-metrics-disabled configmap/airflow-config/airflow.cfg',
      'helm-network-policies-disabled release/airflow',
      'helm-resources-missing configmap/airflow-config/pod_template_file.yaml',
      'helm-resources-missing deployment/airflow-api-server',
      'helm-resources-missing deployment/airflow-dag-processor',
      'helm-resources-missing deployment/airflow-scheduler',
      'helm-resources-missing deployment/airflow-triggerer',
      'helm-secrets-backend-missing configmap/airflow-config/airflow.cfg',
    ]);
    expect(first.stdout).toContain(`release airflow in namespace ${ns} · 5 object(s) read · Airflow 3 · KubernetesExecutor · scheduler image ${OLD}`);

    // What runs is what counts: remote logging switched on in the live ConfigMap clears the error.
    const cfg = (await kube.core.readNamespacedConfigMap({ name: 'airflow-config', namespace: ns })).data!['airflow.cfg']!;
    await cfgPatch(ns, cfg.replace('remote_logging = False', 'remote_logging = True\nremote_base_log_folder = s3://team-logs/airflow'));
    const fixed = await audit(ns);
    expect(fixed.exitCode, fixed.stdout).toBe(0);
    expect(fixed.rules.filter((r) => r.startsWith('helm-logs'))).toEqual([]);

    await patchContainers(ns, 'airflow-triggerer', [
      { name: 'triggerer', image: DRIFTED },
      { name: 'triggerer-log-groomer', image: OLD },
    ]);
    const drifted = await audit(ns);
    expect(drifted.exitCode).toBe(1);
    const drift = drifted.report!.findings.filter((f) => f.rule === 'helm-image-drift');
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ severity: 'error', file: 'deployment/airflow-triggerer' });
    expect(drift[0]!.message).toContain(`triggerer (deployment/airflow-triggerer container triggerer) runs ${DRIFTED}`);
    expect(drift[0]!.message).toMatch(
      /scheduler \(deployment\/airflow-scheduler container scheduler\), api-server .*, dag-processor .*, task pods \(deployment\/airflow-scheduler env AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_REPOSITORY\/_TAG\) run 127\.0\.0\.1:5111\/team\/dags@sha256:1{64}/,
    );
    expect(drifted.stdout).toMatch(/deployment\/airflow-triggerer\n +- +error +dagship helm-image-drift/);
  });

  it('audits the Airflow 2 Celery release: the in-cluster database, a literal key in a pod spec, an ingress without TLS', async () => {
    const ns = await release('airflow2-celery.yaml');
    const clean = await audit(ns);
    expect(clean.exitCode, clean.stderr).toBe(1);
    expect(clean.rules.filter((r) => !r.startsWith('helm-resources-missing'))).toEqual([
      'helm-logs-ephemeral configmap/airflow-config/airflow.cfg:18',
      'helm-metrics-disabled configmap/airflow-config/airflow.cfg',
      'helm-network-policies-disabled release/airflow',
      'helm-secrets-backend-missing configmap/airflow-config/airflow.cfg',
    ]);
    expect(clean.rules.filter((r) => r.startsWith('helm-resources-missing'))).toEqual([
      'helm-resources-missing deployment/airflow-scheduler',
      'helm-resources-missing deployment/airflow-webserver',
      'helm-resources-missing statefulset/airflow-triggerer',
      'helm-resources-missing statefulset/airflow-worker',
    ]);

    const labels = { 'app.kubernetes.io/name': 'postgresql', 'app.kubernetes.io/instance': 'airflow' };
    await kube.apps.createNamespacedStatefulSet({
      namespace: ns,
      body: {
        metadata: { name: 'airflow-postgresql', labels },
        spec: { serviceName: 'airflow-postgresql', selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'postgresql', image: 'postgres:16' }] } } },
      },
    });
    await patchContainers(ns, 'airflow-webserver', [
      {
        name: 'webserver',
        image: OLD,
        env: [
          { name: 'AIRFLOW__WEBSERVER__SECRET_KEY', value: 'temporary_key' },
          { name: 'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN', value: 'postgresql://airflow:hunter2@db:5432/airflow' },
        ],
      },
    ]);
    const networking = kube.kc.makeApiClient(k8s.NetworkingV1Api);
    await networking.createNamespacedIngress({
      namespace: ns,
      body: {
        metadata: { name: 'airflow-ingress', labels: { release: 'airflow', component: 'webserver' } },
        spec: { rules: [{ host: 'airflow.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'airflow-webserver', port: { number: 8080 } } } }] } }] },
      },
    });
    const broken = await audit(ns);
    expect(broken.exitCode).toBe(1);
    const errors = broken
      .report!.findings.filter((f) => f.severity === 'error')
      .map((f) => `${f.rule} ${f.file}: ${f.message.split(':')[0]}`)
      .sort();
    expect(errors).toEqual([
      'helm-ingress-without-tls ingress/airflow-ingress: ingress airflow-ingress (webserver) serves airflow.example.com over plain HTTP',
      'helm-logs-ephemeral configmap/airflow-config/airflow.cfg: task logs are neither on a shared volume (logs.persistence.enabled is off) nor shipped elsewhere (config.logging.remote_logging is off)',
      "helm-metadata-db-in-cluster statefulset/airflow-postgresql: the metadata database is the chart's in-cluster PostgreSQL (postgresql.enabled is on, the chart's default)",
      "helm-secret-key-well-known deployment/airflow-webserver: AIRFLOW__WEBSERVER__SECRET_KEY (container webserver) is 'temporary_key', Airflow's old built-in default (CVE-2020-17526",
      'helm-secret-literal deployment/airflow-webserver: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN (container webserver) is set as a literal value in the pod spec',
    ]);
    // Never a secret value in the report beyond what the pod spec itself exposes to the reader.
    expect(JSON.stringify(broken.report)).not.toContain('hunter2');
  });

  it('sees a pod an unfinished rollout left on the old image: a Celery worker StatefulSet with updateStrategy OnDelete', async () => {
    const ns = await release('airflow2-celery.yaml');
    await kube.ready(ns);
    // Every template moves to NEW; the worker's pod keeps OLD until someone deletes it.
    const moved = (spec: k8s.V1PodSpec) => ({ initContainers: spec.initContainers?.map((c) => ({ ...c, image: NEW })), containers: spec.containers.map((c) => ({ ...c, image: NEW })) });
    const worker = await kube.apps.readNamespacedStatefulSet({ name: 'airflow-worker', namespace: ns });
    await kube.apps.patchNamespacedStatefulSet(
      { name: 'airflow-worker', namespace: ns, body: { spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null }, template: { spec: moved(worker.spec!.template.spec!) } } } },
      MERGE,
    );
    const triggerer = await kube.apps.readNamespacedStatefulSet({ name: 'airflow-triggerer', namespace: ns });
    await kube.apps.patchNamespacedStatefulSet({ name: 'airflow-triggerer', namespace: ns, body: { spec: { template: { spec: moved(triggerer.spec!.template.spec!) } } } }, MERGE);
    for (const name of ['airflow-scheduler', 'airflow-webserver']) {
      const d = await kube.apps.readNamespacedDeployment({ name, namespace: ns });
      await kube.apps.patchNamespacedDeployment({ name, namespace: ns, body: { spec: { template: { spec: moved(d.spec!.template.spec!) } } } }, MERGE);
    }
    // The other components' old pods go away as their rollouts finish; only the worker's stays behind.
    for (const deadline = Date.now() + 60_000; ; ) {
      const pods = (await kube.core.listNamespacedPod({ namespace: ns })).items;
      const old = pods.filter((p) => p.spec!.containers.some((c) => c.image === OLD)).map((p) => p.metadata!.name);
      if (old.length === 1 && old[0] === 'airflow-worker-0') break;
      if (Date.now() > deadline) throw new Error(`old pods: ${old.join(', ')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const stale = await audit(ns);
    expect(stale.exitCode).toBe(1);
    const drift = stale.report!.findings.filter((f) => f.rule === 'helm-image-drift');
    expect(drift.map((f) => f.file)).toEqual(['pod/airflow-worker-0']);
    expect(drift[0]!.message).toContain(`worker (statefulset/airflow-worker container worker) run ${NEW}; worker pod airflow-worker-0 (pod/airflow-worker-0 container worker) runs ${OLD}`);

    await kube.core.deleteNamespacedPod({ name: 'airflow-worker-0', namespace: ns });
    await kube.ready(ns);
    expect((await audit(ns)).rules.filter((r) => r.startsWith('helm-image-drift'))).toEqual([]);
  });

  it('is read-only enough: deploy/audit-rbac.yaml suffices; without it, missing release or namespace, exit 2 with the fix', async () => {
    const ns = await release('airflow3-kubernetes-executor.yaml');
    await kube.apply(path.join(REPO_ROOT, 'deploy', 'audit-rbac.yaml'), ns);
    const auditor = await kube.serviceAccountKubeconfig(ns, 'dagship-auditor');
    const asAdmin = await audit(ns);
    const asAuditor = await audit(ns, [], auditor);
    expect(asAuditor.exitCode, asAuditor.stderr).toBe(1);
    expect(asAuditor.rules).toEqual(asAdmin.rules);

    await kube.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'nobody' } } });
    const forbidden = await audit(ns, [], await kube.serviceAccountKubeconfig(ns, 'nobody'));
    expect(forbidden.exitCode).toBe(2);
    // Deployments and StatefulSets are listed in parallel: either refusal may come back first.
    expect(forbidden.stderr).toMatch(/forbidden: may not list (deployments|statefulsets) in namespace/);
    expect(forbidden.stderr).toContain('hint: the audit only reads: apply deploy/audit-rbac.yaml');

    const missing = await audit(ns, ['--release', 'nope']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("no Airflow workloads of Helm release 'nope'");
    const noNamespace = await audit('no-such-namespace');
    expect(noNamespace.exitCode).toBe(2);
    expect(noNamespace.stderr).toContain("namespace 'no-such-namespace' not found");
    const both = await audit(ns, ['--values', 'test/fixtures/helm/production.yaml']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('--values and --release cannot be combined');
  });
});
