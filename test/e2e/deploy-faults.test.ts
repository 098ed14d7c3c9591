import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startKubeFaultProxy, type KubeFaultProxy } from '../fixtures/faults/kube-proxy.js';
import { FAILING, fixture, kubeHarness, NEW, OLD } from '../fixtures/kube/harness.js';
import { cancelLikeGitHub, runAction } from './actions-runner.js';
import { dagship, REPO_ROOT } from './cli.js';
import { infra } from './infra.js';

const env = infra();
const kube = kubeHarness(env.kubeconfig);
const leases = kube.kc.makeApiClient(k8s.CoordinationV1Api);
const namespaces: string[] = [];
const proxies: KubeFaultProxy[] = [];
const OTHER = `127.0.0.1:5111/team/dags@sha256:${'4'.repeat(64)}`;

// The images exist only by digest (kwok plays the nodes): the release gate is under test in gate.test.ts.
const run = (args: string[], kubeconfig = env.kubeconfig) => dagship([...args, '--skip-verify'], { env: { KUBECONFIG: kubeconfig } });

/** The CLI in the background, its stderr readable while it runs: for signals and races. */
function start(args: string[], kubeconfig = env.kubeconfig) {
  const child = execa('node', [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args, '--skip-verify'], { env: { NO_COLOR: '1', KUBECONFIG: kubeconfig }, reject: false });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const started = Date.now();
  return {
    child,
    stderr: () => stderr,
    async waitFor(pattern: RegExp, ms = 60_000) {
      while (!pattern.test(stderr)) {
        if (Date.now() - started > ms || child.exitCode !== null) throw new Error(`never saw ${pattern} in:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async done() {
      const r = await child;
      return { exitCode: r.exitCode ?? -1, stderr, seconds: (Date.now() - started) / 1000 };
    },
  };
}

async function release(file = 'airflow3-kubernetes-executor.yaml'): Promise<string> {
  const ns = await kube.createNamespace('faults');
  namespaces.push(ns);
  await kube.apply(fixture(file), ns);
  await kube.ready(ns);
  return ns;
}

async function proxy(): Promise<KubeFaultProxy> {
  const p = await startKubeFaultProxy(env.kubeconfig);
  proxies.push(p);
  return p;
}

const config = async (ns: string) => (await kube.core.readNamespacedConfigMap({ name: 'airflow-config', namespace: ns })).data!;
/** Every image and worker setting of the release: workloads and the ConfigMap's airflow.cfg and pod template. */
const snapshot = async (ns: string) => ({ workloads: await kube.images(ns), config: await config(ns) });
const records = async (ns: string) =>
  (await kube.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'dagship.io/release=airflow' })).items
    .map((cm) => JSON.parse(cm.data!['record.json']!) as { revision: number; status: string; image: string })
    .sort((a, b) => a.revision - b.revision);
/** The one image every workload runs, or a list when they differ (a mixed release). */
const images = async (ns: string) => [
  ...new Set(
    Object.values(await kube.images(ns))
      .flat()
      .filter((i) => !i.startsWith('AIRFLOW__') && /=127\.0\.0\.1:5111\/team\//.test(i))
      .map((i) => i.split('=')[1]),
  ),
];

// Each test has its own namespace (and proxy): they run at once, so the Lease takeovers' waits overlap.
describe.concurrent('deploy and rollback keep their promises under faults', () => {
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
  });

  it('a PATCH that lands but whose answer is lost is put back too: the server is judged, not the responses', async () => {
    const ns = await release();
    const before = await snapshot(ns);
    const p = await proxy();
    // The scheduler's and the ConfigMap's first patches reach the API server; their answers never reach dagship.
    const dropped = new Set<string>();
    p.setRule((r) => {
      const target = r.path.split('?')[0]!;
      if (r.method !== 'PATCH' || !/\/(deployments\/airflow-scheduler|configmaps\/airflow-config)$/.test(target) || dropped.has(target)) return 'pass';
      dropped.add(target);
      return 'drop-response';
    });
    const deployed = await run(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--timeout', '60s'], p.kubeconfig);
    expect(p.seen.filter((r) => r.fault === 'drop-response')).toHaveLength(2);
    expect(deployed.exitCode, deployed.stderr).toBe(2);
    expect(deployed.stderr).toContain('the deploy was undone: all back on the state before revision 1');
    expect(deployed.stderr).toContain('deployment/airflow-scheduler: put back on its state before the deploy');
    expect(deployed.stderr).toContain('configmap/airflow-config: put back on its state before the deploy');
    expect(await snapshot(ns)).toEqual(before);
    expect((await records(ns)).map((r) => r.status)).toEqual(['failed']);
  });

  it('an API server that stops answering mid-rollout: exit 2 within --timeout + 45 s, naming the command that recovers; that command then returns every object', async () => {
    const ns = await release();
    const before = await snapshot(ns);
    const p = await proxy();
    const deploy = start(['deploy', '--image', FAILING, '--release', 'airflow', '-n', ns, '--timeout', '10s'], p.kubeconfig);
    await deploy.waitFor(/watching \d+ rollouts/);
    p.stopAnswering();
    const ended = await deploy.done();
    expect(ended.exitCode, ended.stderr).toBe(2);
    expect(ended.seconds).toBeLessThan(10 + 45 + 10);
    expect(ended.stderr).toContain('the release is NOT all back on its state before revision 1');
    expect(ended.stderr).toContain(`once the API server answers, run: dagship rollback --release airflow --namespace ${ns}`);
    // The server itself holds the failing image now; the record, written before the first patch, says so.
    expect(await images(ns)).toEqual([FAILING]);
    expect((await records(ns)).map((r) => r.status)).toEqual(['deploying']);
    const back = await run(['rollback', '--release', 'airflow', '-n', ns, '--timeout', '60s']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(back.stderr).toContain('revision 1 (127.0.0.1:5111/team/fail-rollout@sha256:');
    expect(back.stderr).toContain("was left 'deploying'");
    // The killed deploy's Lease was never freed: it is taken over once it went unrenewed.
    expect(back.stderr).toContain('taking over the release lock from');
    expect(await snapshot(ns)).toEqual(before);
    expect((await records(ns)).map((r) => r.status)).toEqual(['failed']);
  });

  it('two deploys at once: the second waits for the release lock; one image everywhere; rollback returns every object to the first', async () => {
    const ns = await release();
    const [a, b] = [start(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--timeout', '60s']), start(['deploy', '--image', OTHER, '--release', 'airflow', '-n', ns, '--timeout', '60s'])];
    const [ra, rb] = await Promise.all([a.done(), b.done()]);
    expect([ra.exitCode, rb.exitCode], `${ra.stderr}\n---\n${rb.stderr}`).toEqual([0, 0]);
    expect([ra.stderr, rb.stderr].filter((s) => s.includes('waiting up to 300s for the release lock'))).toHaveLength(1);
    const history = await records(ns);
    expect(history.map((r) => r.status)).toEqual(['deployed', 'deployed']);
    expect(await images(ns)).toEqual([history[1]!.image]);
    const back = await run(['rollback', '--release', 'airflow', '-n', ns, '--timeout', '60s']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await images(ns)).toEqual([history[0]!.image]);
    const twice = await run(['rollback', '--release', 'airflow', '-n', ns, '--timeout', '60s']);
    expect(twice.exitCode, twice.stderr).toBe(0);
    expect(twice.stderr).toContain('nothing to do');
    expect(await images(ns)).toEqual([history[0]!.image]);
  });

  it('a good and a failing deploy at once: the good image runs everywhere, and each reports what really happened', async () => {
    const ns = await release('airflow2-celery.yaml');
    const [good, bad] = [
      start(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--timeout', '60s']),
      start(['deploy', '--image', FAILING, '--release', 'airflow', '-n', ns, '--timeout', '10s']),
    ];
    const [rg, rb] = await Promise.all([good.done(), bad.done()]);
    expect(rg.exitCode, rg.stderr).toBe(0);
    expect(rb.exitCode, rb.stderr).toBe(1);
    expect(await images(ns)).toEqual([NEW]);
    expect((await records(ns)).map((r) => `${r.image === NEW ? 'good' : 'bad'} ${r.status}`).sort()).toEqual(['bad failed', 'good deployed']);
    // The failed deploy never took effect: rollback passes over it and undoes the good one.
    const back = await run(['rollback', '--release', 'airflow', '-n', ns, '--timeout', '60s']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await images(ns)).toEqual([OLD]);
  });

  it('a release locked by another deploy: --lock-timeout refuses naming the holder and changes nothing; freed, the deploy goes on', async () => {
    const ns = await release();
    const before = await snapshot(ns);
    const holder = 'deploy 127.0.0.1:5111/team/dags@sha256:… by ci (team/dags run 42)';
    await leases.createNamespacedLease({
      namespace: ns,
      body: { metadata: { name: 'airflow-dagship' }, spec: { holderIdentity: holder, leaseDurationSeconds: 300, renewTime: new k8s.V1MicroTime() } },
    });
    const refused = await run(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--lock-timeout', '2s']);
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`release 'airflow' is locked by another deploy or rollback: ${holder}`);
    expect(await snapshot(ns)).toEqual(before);
    const waiting = start(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--timeout', '60s']);
    await waiting.waitFor(/waiting up to 300s for the release lock/);
    const lease = await leases.readNamespacedLease({ name: 'airflow-dagship', namespace: ns });
    await leases.replaceNamespacedLease({ name: 'airflow-dagship', namespace: ns, body: { ...lease, spec: { ...lease.spec, holderIdentity: undefined } } });
    expect((await waiting.done()).exitCode).toBe(0);
    expect(await images(ns)).toEqual([NEW]);
  });

  it('SIGINT mid-rollout: every object put back within seconds, rollback pending recorded, exit 130; rollback finishes the watch', async () => {
    const ns = await release('airflow2-celery.yaml');
    const before = await snapshot(ns);
    const deploy = start(['deploy', '--image', FAILING, '--release', 'airflow', '-n', ns, '--timeout', '120s']);
    await deploy.waitFor(/watching \d+ rollouts/);
    const signalled = Date.now();
    deploy.child.kill('SIGINT');
    const ended = await deploy.done();
    expect(ended.exitCode, ended.stderr).toBe(130);
    expect((Date.now() - signalled) / 1000).toBeLessThan(15);
    expect(ended.stderr).toContain('stopped by SIGINT: every object put back on its state before revision 1, without waiting for those rollouts (recorded as rollback pending)');
    expect(ended.stderr).toContain(`to finish watching them, run: dagship rollback --release airflow --namespace ${ns}`);
    expect(await snapshot(ns)).toEqual(before);
    expect((await records(ns)).map((r) => r.status)).toEqual(['rollback-pending']);
    const back = await run(['rollback', '--release', 'airflow', '-n', ns, '--timeout', '60s']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect((await records(ns)).map((r) => r.status)).toEqual(['failed']);
    await kube.ready(ns, 30_000);
  });

  it('a second signal exits at once and prints the command that recovers; that command returns every object, and twice is once', async () => {
    const ns = await release();
    const before = await snapshot(ns);
    const p = await proxy();
    // Every patch hangs: the first signal waits for them at the safe point, the second does not wait.
    p.setRule((r) => (r.method === 'PATCH' ? 'hang' : 'pass'));
    const deploy = start(['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--timeout', '60s'], p.kubeconfig);
    await deploy.waitFor(/patching deployment\/airflow-scheduler/);
    deploy.child.kill('SIGINT');
    await deploy.waitFor(/SIGINT: stopping at the next safe point/);
    const signalled = Date.now();
    deploy.child.kill('SIGTERM');
    const ended = await deploy.done();
    expect((Date.now() - signalled) / 1000).toBeLessThan(3);
    expect(ended.exitCode).toBe(130);
    expect(ended.stderr).toContain(`SIGTERM again: exiting now; to finish what was stopped, run: dagship rollback --release airflow --namespace ${ns}`);
    expect((await records(ns)).map((r) => r.status)).toEqual(['deploying']);
    const back = await run(['rollback', '--release', 'airflow', '-n', ns, '--timeout', '60s']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await snapshot(ns)).toEqual(before);
    const again = await run(['rollback', '--release', 'airflow', '-n', ns, '--timeout', '60s']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain("nothing to do: no deploy of release 'airflow' took effect");
    expect(await snapshot(ns)).toEqual(before);
    expect(await images(ns)).toEqual([OLD]);
    expect((await records(ns)).map((r) => r.status)).toEqual(['failed']);
  });

  it('actions/deploy cancelled the way GitHub cancels a step: the CLI gets the first SIGINT, puts every object back and the step ends 130', async () => {
    const ns = await release('airflow2-celery.yaml');
    const before = await snapshot(ns);
    let bash = 0;
    const inputs = { image: FAILING, release: 'airflow', namespace: ns, kubeconfig: readFileSync(env.kubeconfig, 'utf8'), 'skip-verify': 'true', timeout: '120s' };
    const step = runAction(path.join(REPO_ROOT, 'actions/deploy'), inputs, {}, REPO_ROOT, (pid) => (bash = pid));
    // The moment: the failing image is on the server, its rollout under way.
    for (const end = Date.now() + 60_000; !(bash && (await images(ns)).includes(FAILING)); await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() > end) throw new Error('the deploy never patched the release');
    }
    const sent = await cancelLikeGitHub(bash);
    const run = await step;
    expect(sent).toEqual(['SIGINT']);
    expect(run.exitCode, run.stderr).toBe(130);
    expect(run.stderr).toContain('stopped by SIGINT: every object put back on its state before revision 1');
    expect(run.outputs.deployed).toBe('false');
    expect(await snapshot(ns)).toEqual(before);
    expect((await records(ns)).map((r) => r.status)).toEqual(['rollback-pending']);
  });
});
