import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeGitHubApi } from '../fixtures/github-api.js';
import { fixture, kubeHarness } from '../fixtures/kube/harness.js';
import { runAction } from './actions-runner.js';
import { REPO_ROOT } from './cli.js';
import { exampleRepo } from './example-repo.js';
import { infra } from './infra.js';

const env = infra();
const actionEnv = { DOCKER_HOST: env.dockerHost };
const workspace = (extra: Record<string, string> = {}) => exampleRepo(env, extra, 'action');

describe('action files', () => {
  // Each folder of actions/ is an action.
  const folders = readdirSync(path.join(REPO_ROOT, 'actions'), { withFileTypes: true }).filter((d) => d.isDirectory());
  const dirs = [REPO_ROOT, ...folders.map((d) => path.join(REPO_ROOT, 'actions', d.name))];
  it.each(dirs.map((d) => [path.relative(REPO_ROOT, d) || '.', d]))('%s is a composite action that runs the committed bundle', (_name, dir) => {
    const action = parse(readFileSync(path.join(dir, 'action.yml'), 'utf8'));
    expect(action.runs.using).toBe('composite');
    for (const step of action.runs.steps) {
      expect(step.shell).toBe('bash');
      expect(step.run).toMatch(/dist\/cli\.js/);
      expect(step.run).not.toMatch(/npm (install|ci)/);
    }
    expect(existsSync(path.join(dir, step0Bundle(dir)))).toBe(true);
  });
});

function step0Bundle(dir: string): string {
  return dir === REPO_ROOT ? 'dist/cli.js' : '../../dist/cli.js';
}

describe('actions run through the runner contract (real engine, registry, Airflow)', () => {
  it('lint + check of a clean repository pass, with outputs and a job summary', async () => {
    const repo = workspace();
    // base-image: the Airflow whose version chooses ruff's Airflow rules (the workspace's config says Airflow 3).
    const lint = await runAction(path.join(REPO_ROOT, 'actions/lint'), { 'base-image': env.airflow2Image }, actionEnv, repo);
    expect(lint.exitCode, lint.stderr).toBe(0);
    expect(lint.stderr).toMatch(/lint: target Airflow 2\.11\.2 /);
    expect(lint.outputs).toMatchObject({ passed: 'true', errors: '0', sarif: 'dagship-lint.sarif' });
    expect(existsSync(path.join(repo, 'dagship-lint.sarif'))).toBe(true);
    const check = await runAction(path.join(REPO_ROOT, 'actions/check'), { timeout: '20' }, actionEnv, repo);
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.outputs.passed).toBe('true');
    expect(check.summary).toContain('### ✅ dagship check');
  });

  it('a broken DAG fails the check step with an annotation, and the root action never builds or pushes it', async () => {
    const repo = workspace({ 'dags/broken.py': 'from airflow.sdk import dag  # noqa: F401\nimport not_installed_anywhere  # noqa: F401\n' });
    const check = await runAction(path.join(REPO_ROOT, 'actions/check'), {}, actionEnv, repo);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toMatch(/^::error file=dags\/broken\.py,line=2,title=dagship dag-import-error::ModuleNotFoundError/m);
    expect(check.outputs).toMatchObject({ passed: 'false', errors: '1' });
    const release = await runAction(REPO_ROOT, {}, actionEnv, repo);
    expect(release.exitCode).toBe(1);
    expect(release.outputs.reference).toBe('');
    expect(release.stderr).toContain('ship stopped at check');
  });

  it('the root action ships a clean repository and outputs the pinned reference', async () => {
    const repo = workspace();
    const release = await runAction(REPO_ROOT, { stages: 'lint,check,build,push' }, actionEnv, repo);
    expect(release.exitCode, release.stderr).toBe(0);
    expect(release.outputs.reference).toMatch(new RegExp(`^${env.registry.replaceAll('.', '\\.')}/dagship-test/action-[0-9a-f]+@sha256:[0-9a-f]{64}$`));
    expect(release.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(release.outputs.tag).toMatch(/^[0-9a-f]{40}$/);
    expect(release.outputs.image).toBe(`${release.outputs.reference!.split('@')[0]}:${release.outputs.tag}`);
    expect(release.outputs).toMatchObject({ errors: '0', warnings: '0', passed: 'true' });
    expect(release.stdout).toMatch(/^::group::2\/5 build/m);
  });

  it('refuses an unknown stage and push without build', async () => {
    const repo = workspace();
    expect((await runAction(REPO_ROOT, { stages: 'lint,deploy-now' }, actionEnv, repo)).stdout).toContain("::error::unknown stage 'deploy-now'");
    const push = await runAction(REPO_ROOT, { stages: 'check,push' }, actionEnv, repo);
    expect(push.exitCode).toBe(2);
    expect(push.stdout).toContain('::error::push needs build');
    const deploy = await runAction(REPO_ROOT, { stages: 'build,deploy', release: 'airflow', namespace: 'airflow' }, actionEnv, repo);
    expect(deploy.exitCode).toBe(2);
    expect(deploy.stdout).toContain('::error::deploy needs push');
    expect(deploy.stderr).not.toMatch(/build|lint/);
    const flag = await runAction(path.join(REPO_ROOT, 'actions/deploy'), { image: 'r.example.com/a@sha256:00', release: 'airflow', namespace: 'airflow', 'dry-run': 'yes' }, actionEnv, repo);
    expect(flag.exitCode).toBe(2);
    expect(flag.stdout).toContain("::error::input dry-run is 'yes': use true or false");
  });
});

describe('deploy through the actions (real registry and control plane, signed results)', () => {
  const kube = kubeHarness(env.kubeconfig);
  const keys = mkdtempSync(path.join(tmpdir(), 'dagship-action-keys-'));
  const namespaces: string[] = [];
  let team: { key: string; pub: string };

  beforeAll(async () => {
    execFileSync('node', [path.join(REPO_ROOT, 'dist/cli.js'), 'keygen', '-o', path.join(keys, 'team')]);
    team = { key: readFileSync(path.join(keys, 'team.key'), 'utf8'), pub: readFileSync(path.join(keys, 'team.pub'), 'utf8') };
  });
  afterAll(async () => {
    await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
  });

  async function release(): Promise<string> {
    const ns = await kube.createNamespace('action');
    namespaces.push(ns);
    await kube.apply(fixture('airflow3-kubernetes-executor.yaml'), ns);
    await kube.ready(ns);
    return ns;
  }
  // The kubeconfig goes in as content, the way a secret holds it.
  const target = (ns: string) => ({ release: 'airflow', namespace: ns, kubeconfig: readFileSync(env.kubeconfig, 'utf8'), 'deploy-timeout': '90s' });

  it('the root action ships, signs, and deploys the same digest; actions/deploy promotes it elsewhere', async () => {
    const [staging, production] = await Promise.all([release(), release()]);
    const repo = workspace();
    const shipped = await runAction(REPO_ROOT, { stages: 'lint,check,build,push,deploy', 'signing-key': team.key, 'public-key': team.pub, ...target(staging) }, actionEnv, repo);
    expect(shipped.exitCode, shipped.stderr).toBe(0);
    expect(shipped.outputs.deployed).toBe('true');
    expect(shipped.summary).toContain('### 🚀 dagship deploy');
    expect(shipped.summary).toMatch(/release gate: passed \(dagship [\d.]+, [^)]+\), signed by sha256:[0-9a-f]{32}/);
    // The key reaches the log only in the command that tells the runner to mask it.
    const secretLine = team.key.split('\n')[1]!;
    expect([...shipped.stdout.split('\n'), ...shipped.stderr.split('\n')].filter((l) => l.includes(secretLine))).toEqual([`::add-mask::${secretLine}`]);
    const reference = shipped.outputs.reference!;
    expect(
      Object.values(await kube.images(staging))
        .flat()
        .filter((i) => i.includes(reference)).length,
    ).toBeGreaterThan(3);

    const { namespace, kubeconfig, release: name } = target(production);
    const promoted = await runAction(path.join(REPO_ROOT, 'actions/deploy'), { image: reference, release: name, namespace, kubeconfig, 'public-key': team.pub, timeout: '90s' }, actionEnv, repo);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    expect(promoted.outputs).toMatchObject({ deployed: 'true', image: reference });
  });

  it('a failing check blocks the deploy stage; an unchecked image is refused by actions/deploy; --skip-verify is an annotation', async () => {
    const ns = await release();
    const broken = workspace({ 'dags/broken.py': 'from airflow.sdk import dag  # noqa: F401\nimport not_installed_anywhere  # noqa: F401\n' });
    const blocked = await runAction(REPO_ROOT, { stages: 'lint,check,build,push,deploy', 'signing-key': team.key, 'public-key': team.pub, ...target(ns) }, actionEnv, broken);
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr).toContain('ship stopped at check');
    expect(blocked.stderr).not.toContain('release gate');
    expect(blocked.outputs.deployed ?? '').toBe('');

    const repo = workspace();
    const cli = (...args: string[]) => execFileSync('node', [path.join(REPO_ROOT, 'dist/cli.js'), ...args], { env: { ...process.env, ...actionEnv, NO_COLOR: '1' }, encoding: 'utf8', stdio: 'pipe' });
    cli('build', repo);
    const unchecked = /(\S+@sha256:[0-9a-f]{64})/.exec(cli('push', repo))![1]!;
    const { namespace, kubeconfig } = target(ns);
    const refused = await runAction(path.join(REPO_ROOT, 'actions/deploy'), { image: unchecked, release: 'airflow', namespace, kubeconfig, 'public-key': team.pub }, actionEnv, repo);
    expect(refused.exitCode).toBe(1);
    expect(refused.outputs.deployed).toBe('false');
    expect(refused.stdout).toMatch(/^::error title=dagship::.*was not checked: the registry has no dagship result for this digest/m);

    const skipped = await runAction(path.join(REPO_ROOT, 'actions/deploy'), { image: unchecked, release: 'airflow', namespace, kubeconfig, 'skip-verify': 'true', timeout: '90s' }, actionEnv, repo);
    expect(skipped.exitCode, skipped.stderr).toBe(0);
    expect(skipped.stdout).toMatch(/^::warning title=dagship::RELEASE GATE SKIPPED \(--skip-verify\)/m);
    const scheduler = await kube.apps.readNamespacedDeployment({ name: 'airflow-scheduler', namespace: ns });
    expect(scheduler.metadata?.annotations?.['dagship.io/verification']).toMatch(/^skipped with --skip-verify by /);
  });
});

describe('pull request comment', () => {
  it('is written once per workflow, job and matrix entry, updated in place on every push, and never holds a secret', async () => {
    const token = `ghs_${randomBytes(12).toString('hex')}`;
    // 120 comments by others first: dagship must page through them to find its own.
    const api = await fakeGitHubApi(Array.from({ length: 120 }, (_, i) => ({ issue: 'team/dags#7', body: `unrelated comment ${i}` })));
    const mine = () => api.comments.filter((c) => c.body.startsWith('<!-- dagship-comment'));
    try {
      const event = path.join(mkdtempSync(path.join(tmpdir(), 'dagship-event-')), 'event.json');
      writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }));
      const github = {
        ...actionEnv,
        GITHUB_TOKEN: token,
        GITHUB_API_URL: api.url,
        GITHUB_REPOSITORY: 'team/dags',
        GITHUB_EVENT_PATH: event,
        GITHUB_WORKFLOW: 'dags / pull request',
        GITHUB_JOB: 'check',
      };
      const password = `pw-${randomBytes(6).toString('hex')}`;
      const broken = workspace({
        'dags/leaky.py': `from airflow.sdk import dag  # noqa: F401\nraise RuntimeError("cannot reach postgresql://etl:${password}@db.internal/airflow")\n`,
        'connections.json': JSON.stringify({ warehouse: { conn_type: 'postgres', password } }),
      });
      const first = await runAction(path.join(REPO_ROOT, 'actions/check'), { comment: 'true', connections: 'connections.json' }, github, broken);
      expect(first.exitCode).toBe(1);
      expect(mine()).toHaveLength(1);
      const body = mine()[0]!.body;
      expect(body).toContain('### ❌ dagship check');
      expect(body.split('\n').slice(0, 7).join('\n')).toMatch(/\| ❌ \| `dags\/leaky\.py` \| - \| [\d.]+s \| dag-import-error/);
      expect(body).toMatch(/\| ✅ \| `dags\/[\w/]+\.py` \| `\w+` \| [\d.]+s \|/);
      expect(body).not.toContain(password);
      expect(body).toContain('postgresql://***@db.internal');

      const fixed = await runAction(path.join(REPO_ROOT, 'actions/check'), { comment: 'true' }, github, workspace());
      expect(fixed.exitCode, fixed.stderr).toBe(0);
      expect(mine()).toHaveLength(1);
      expect(mine()[0]!.body).toContain('### ✅ dagship check');
      expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
      expect(api.requests.every((r) => r.token === token)).toBe(true);

      const matrix = await runAction(path.join(REPO_ROOT, 'actions/check'), { comment: 'true', 'comment-key': 'airflow-2' }, github, workspace());
      expect(matrix.exitCode).toBe(0);
      expect(mine()).toHaveLength(2);
      expect(api.comments.filter((c) => c.body.startsWith('unrelated'))).toHaveLength(120);
    } finally {
      await api.close();
    }
  });
});
