#!/usr/bin/env node
// Deploys a new digest to a release of 5 Airflow workloads on the test control plane (kwok plays the
// nodes), N rounds, with (a) `dagship deploy` and (b) `kubectl set image` for each workload, one after
// another, then `kubectl rollout status` for each. The controllers' own rollout time is measured apart from
// both, by a watch in this script: from the first Deployment whose spec changed to the moment all 5 report
// complete (the way `kubectl rollout status` judges it). What a tool takes beyond that is its own cost.
//
//   eval "$(test/infra/up)" && node scripts/bundle.mjs && node bench/deploy.mjs [--rounds 7]
//
// Needs: the built CLI (dist/cli.js), KUBECONFIG and DAGSHIP_TEST_KUBE_BIN (kubectl) from test/infra/up.
import * as k8s from '@kubernetes/client-node';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'dist', 'cli.js');
const flag = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const rounds = flag('--rounds', 7);
const kubectl = process.env.DAGSHIP_TEST_KUBE_BIN && path.join(process.env.DAGSHIP_TEST_KUBE_BIN, 'kubectl');
if (!kubectl || !process.env.KUBECONFIG) {
  console.error('run eval "$(test/infra/up)" first: the bench needs KUBECONFIG and DAGSHIP_TEST_KUBE_BIN');
  process.exit(2);
}
const REPO = '127.0.0.1:5111/team/dags';

const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);
const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
const ns = `bench-deploy-${randomBytes(3).toString('hex')}`;

/**
 * The Airflow 3 release the official chart renders (the e2e fixture: scheduler, api-server, dag-processor,
 * triggerer and the <release>-config ConfigMap), plus a Celery worker Deployment made from the triggerer:
 * 5 workloads, every one with init and sidecar containers on the Airflow image.
 */
function release() {
  const docs = parseAllDocuments(readFileSync(path.join(root, 'test/fixtures/kube/airflow3-kubernetes-executor.yaml'), 'utf8'))
    .map((d) => d.toJS())
    .filter(Boolean);
  const worker = structuredClone(docs.find((d) => d.metadata.name === 'airflow-triggerer'));
  const text = JSON.stringify(worker).replaceAll('airflow-triggerer', 'airflow-worker').replaceAll('"triggerer', '"worker').replaceAll('airflow triggerer', 'airflow celery worker');
  return [...docs, JSON.parse(text)];
}

/** Container names running the Airflow image, per Deployment: what `kubectl set image` must name. */
const airflowContainers = (docs) =>
  Object.fromEntries(
    docs
      .filter((d) => d.kind === 'Deployment')
      .map((d) => {
        const spec = d.spec.template.spec;
        return [d.metadata.name, [...(spec.initContainers ?? []), ...spec.containers].filter((c) => c.image.startsWith(REPO)).map((c) => c.name)];
      }),
  );

/** Watches the namespace's Deployments; a round ends when every one is complete at a newer generation. */
function rolloutWatch(names) {
  const latest = new Map();
  let round;
  const complete = (d, baseline) => {
    const s = d.status ?? {};
    const want = d.spec.replicas ?? 1;
    return d.metadata.generation > baseline && (s.observedGeneration ?? 0) >= d.metadata.generation && s.updatedReplicas === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want;
  };
  const seen = (d) => {
    const now = performance.now();
    latest.set(d.metadata.name, d);
    if (!round) return;
    if (round.firstChange === undefined && d.metadata.generation > round.baseline.get(d.metadata.name)) round.firstChange = now;
    if (round.done === undefined && names.every((n) => latest.has(n) && complete(latest.get(n), round.baseline.get(n)))) {
      round.done = now;
      round.resolve();
    }
  };
  const started = new k8s.Watch(kc).watch(
    `/apis/apps/v1/namespaces/${ns}/deployments`,
    {},
    (_type, d) => seen(d),
    (err) => {
      if (err && !stopping) console.error(`watch ended: ${err.message ?? err}`);
    },
  );
  let stopping = false;
  return {
    latest,
    /** Starts a round at the current generations; resolves with the controllers' time once all are complete. */
    begin() {
      round = { baseline: new Map(names.map((n) => [n, latest.get(n)?.metadata.generation ?? 0])) };
      const finished = new Promise((resolve) => {
        round.resolve = resolve;
      });
      const r = round;
      return async () => {
        await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error('rollout not complete 60 s after the tool exited')), 60_000))]);
        return (r.done - r.firstChange) / 1000;
      };
    },
    async stop() {
      stopping = true;
      (await started).abort();
    },
  };
}

/** Runs a tool, timing it; asynchronously, so the watch keeps stamping events while the tool runs. */
function timed(file, args) {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve((performance.now() - start) / 1000);
      else reject(new Error(`${file} ${args.join(' ')} exited ${code}:\n${stderr}`));
    });
  });
}

const newImage = () => `${REPO}@sha256:${randomBytes(32).toString('hex')}`;

const tools = {
  dagship: (image) => timed('node', [cli, 'deploy', '--image', image, '--release', 'airflow', '-n', ns, '--timeout', '120s', '--skip-verify']),
  async kubectl(image, containers) {
    let seconds = 0;
    for (const [name, names] of Object.entries(containers)) seconds += await timed(kubectl, ['-n', ns, 'set', 'image', `deployment/${name}`, ...names.map((c) => `${c}=${image}`)]);
    for (const name of Object.keys(containers)) seconds += await timed(kubectl, ['-n', ns, 'rollout', 'status', `deployment/${name}`, '--timeout', '120s']);
    return seconds;
  },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (x) => `${x.toFixed(2)} s`;

const docs = release();
const containers = airflowContainers(docs);
const names = Object.keys(containers);
await core.createNamespace({ body: { metadata: { name: ns } } });
const watch = rolloutWatch(names);
try {
  for (const doc of docs) await objects.create({ ...doc, metadata: { ...doc.metadata, namespace: ns } });
  execFileSync(kubectl, ['-n', ns, 'wait', '--for=condition=Available', '--timeout=90s', 'deployment', '--all'], { stdio: 'ignore' });
  console.error(`bench in namespace ${ns}: ${names.length} Deployments, ${Object.values(containers).flat().length} Airflow containers`);
  // Warm-up, not timed: the first run of each pays for cold caches (page cache, the API server's).
  for (const [name, run] of Object.entries(tools)) {
    const end = watch.begin();
    await run(newImage(), containers);
    await end();
    console.error(`warm-up ${name} done`);
  }
  const results = { dagship: [], kubectl: [] };
  for (let i = 1; i <= rounds; i++) {
    // Alternate who goes first, so neither always meets a calmer machine.
    const order = i % 2 ? ['dagship', 'kubectl'] : ['kubectl', 'dagship'];
    for (const name of order) {
      const end = watch.begin();
      const wall = await tools[name](newImage(), containers);
      const controllers = await end();
      results[name].push({ wall, controllers, beyond: wall - controllers });
    }
    const line = (r) => `${s(r.wall)} (controllers ${s(r.controllers)})`;
    console.error(`round ${i}: dagship ${line(results.dagship.at(-1))} · kubectl ${line(results.kubectl.at(-1))}`);
  }
  const m = (name, key) => median(results[name].map((r) => r[key]));
  const startup = median([await timed('node', [cli, '--version']), await timed('node', [cli, '--version']), await timed('node', [cli, '--version'])]);
  console.log(`deploy of a new digest to ${names.length} Airflow Deployments, ${rounds} rounds, medians (wall time):`);
  console.log(`  dagship deploy                         ${s(m('dagship', 'wall'))}   controllers ${s(m('dagship', 'controllers'))}   beyond them ${s(m('dagship', 'beyond'))}`);
  console.log(
    `  kubectl set image ×${names.length} + rollout status ×${names.length}   ${s(m('kubectl', 'wall'))}   controllers ${s(m('kubectl', 'controllers'))}   beyond them ${s(m('kubectl', 'beyond'))}`,
  );
  console.log(`  ratio dagship / kubectl                ${(m('dagship', 'wall') / m('kubectl', 'wall')).toFixed(2)}x`);
  console.log(`  of which Node start-up                 ${s(startup)} per dagship invocation`);
} finally {
  await watch.stop();
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
}
