import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, kubeHarness } from '../fixtures/kube/harness.js';
import { runAction } from './actions-runner.js';
import { REPO_ROOT } from './cli.js';
import { infra } from './infra.js';

const env = infra();
const actionEnv = { DOCKER_HOST: env.dockerHost };

/** A committed copy of examples/ pointing at the test images and a fresh repository name. */
function workspace(extra: Record<string, string> = {}): string {
  const repo = mkdtempSync(path.join(tmpdir(), 'dagship-action-'));
  cpSync(path.join(REPO_ROOT, 'examples'), repo, { recursive: true });
  writeFileSync(
    path.join(repo, 'dagship.yaml'),
    `base_image: ${env.airflow3Image}\ntools_image: ${env.toolsImage}\nrepository: ${env.registry}/dagship-test/action-${randomBytes(4).toString('hex')}\n`,
  );
  writeFileSync(path.join(repo, 'requirements.txt'), '');
  for (const [f, c] of Object.entries(extra)) writeFileSync(path.join(repo, f), c);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'workspace');
  return repo;
}

describe('action files', () => {
  const dirs = [REPO_ROOT, ...readdirSync(path.join(REPO_ROOT, 'actions')).map((d) => path.join(REPO_ROOT, 'actions', d))];
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
    const lint = runAction(path.join(REPO_ROOT, 'actions/lint'), {}, actionEnv, repo);
    expect(lint.exitCode, lint.stderr).toBe(0);
    expect(lint.outputs).toMatchObject({ passed: 'true', errors: '0', sarif: 'dagship-lint.sarif' });
    expect(existsSync(path.join(repo, 'dagship-lint.sarif'))).toBe(true);
    const check = runAction(path.join(REPO_ROOT, 'actions/check'), { timeout: '20' }, actionEnv, repo);
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.outputs.passed).toBe('true');
    expect(check.summary).toContain('### ✅ dagship check');
  });

  it('a broken DAG fails the check step with an annotation, and the root action never builds or pushes it', async () => {
    const repo = workspace({ 'dags/broken.py': 'from airflow.sdk import dag  # noqa: F401\nimport not_installed_anywhere  # noqa: F401\n' });
    const check = runAction(path.join(REPO_ROOT, 'actions/check'), {}, actionEnv, repo);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toMatch(/^::error file=dags\/broken\.py,line=2,title=dagship dag-import-error::ModuleNotFoundError/m);
    expect(check.outputs).toMatchObject({ passed: 'false', errors: '1' });
    const release = runAction(REPO_ROOT, {}, actionEnv, repo);
    expect(release.exitCode).toBe(1);
    expect(release.outputs.reference).toBe('');
    expect(release.stderr).toContain('ship stopped at check');
  });

  it('the root action ships a clean repository and outputs the pinned reference', async () => {
    const repo = workspace();
    const release = runAction(REPO_ROOT, { stages: 'lint,check,build,push' }, actionEnv, repo);
    expect(release.exitCode, release.stderr).toBe(0);
    expect(release.outputs.reference).toMatch(new RegExp(`^${env.registry.replaceAll('.', '\\.')}/dagship-test/action-[0-9a-f]+@sha256:[0-9a-f]{64}$`));
    expect(release.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(release.stdout).toMatch(/^::group::2\/4 build/m);
  });

  it('refuses an unknown stage and push without build', async () => {
    const repo = workspace();
    expect(runAction(REPO_ROOT, { stages: 'lint,deploy-now' }, actionEnv, repo).stdout).toContain("::error::unknown stage 'deploy-now'");
    const push = runAction(REPO_ROOT, { stages: 'check,push' }, actionEnv, repo);
    expect(push.exitCode).toBe(2);
    expect(push.stdout).toContain('::error::push needs build');
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
    const shipped = runAction(REPO_ROOT, { stages: 'lint,check,build,push,deploy', 'signing-key': team.key, 'public-key': team.pub, ...target(staging) }, actionEnv, repo);
    expect(shipped.exitCode, shipped.stderr).toBe(0);
    expect(shipped.outputs.deployed).toBe('true');
    expect(shipped.summary).toContain('### 🚀 dagship deploy');
    expect(shipped.summary).toMatch(/release gate: passed \(dagship [\d.]+, [^)]+\), signed by sha256:[0-9a-f]{32}/);
    // The key reaches the log only in the command that tells the runner to mask it.
    const secretLine = team.key.split('\n')[1]!;
    expect([...shipped.stdout.split('\n'), ...shipped.stderr.split('\n')].filter((l) => l.includes(secretLine))).toEqual([`::add-mask::${secretLine}`]);
    const reference = shipped.outputs.reference!;
    expect(Object.values(await kube.images(staging)).flat().filter((i) => i.includes(reference)).length).toBeGreaterThan(3);

    const { namespace, kubeconfig, release: name } = target(production);
    const promoted = runAction(path.join(REPO_ROOT, 'actions/deploy'), { image: reference, release: name, namespace, kubeconfig, 'public-key': team.pub, timeout: '90s' }, actionEnv, repo);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    expect(promoted.outputs).toMatchObject({ deployed: 'true', image: reference });
  });

  it('a failing check blocks the deploy stage; an unchecked image is refused by actions/deploy; --skip-verify is an annotation', async () => {
    const ns = await release();
    const broken = workspace({ 'dags/broken.py': 'from airflow.sdk import dag  # noqa: F401\nimport not_installed_anywhere  # noqa: F401\n' });
    const blocked = runAction(REPO_ROOT, { stages: 'lint,check,build,push,deploy', 'signing-key': team.key, 'public-key': team.pub, ...target(ns) }, actionEnv, broken);
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr).toContain('ship stopped at check');
    expect(blocked.stderr).not.toContain('release gate');
    expect(blocked.outputs.deployed ?? '').toBe('');

    const repo = workspace();
    const cli = (...args: string[]) => execFileSync('node', [path.join(REPO_ROOT, 'dist/cli.js'), ...args], { env: { ...process.env, ...actionEnv, NO_COLOR: '1' }, encoding: 'utf8', stdio: 'pipe' });
    cli('build', repo);
    const unchecked = /(\S+@sha256:[0-9a-f]{64})/.exec(cli('push', repo))![1]!;
    const { namespace, kubeconfig } = target(ns);
    const refused = runAction(path.join(REPO_ROOT, 'actions/deploy'), { image: unchecked, release: 'airflow', namespace, kubeconfig, 'public-key': team.pub }, actionEnv, repo);
    expect(refused.exitCode).toBe(1);
    expect(refused.outputs.deployed).toBe('false');
    expect(refused.stdout).toMatch(/^::error title=dagship::.*was not checked: the registry has no dagship result for this digest/m);

    const skipped = runAction(path.join(REPO_ROOT, 'actions/deploy'), { image: unchecked, release: 'airflow', namespace, kubeconfig, 'skip-verify': 'true', timeout: '90s' }, actionEnv, repo);
    expect(skipped.exitCode, skipped.stderr).toBe(0);
    expect(skipped.stdout).toMatch(/^::warning title=dagship::RELEASE GATE SKIPPED \(--skip-verify\)/m);
    const scheduler = await kube.apps.readNamespacedDeployment({ name: 'airflow-scheduler', namespace: ns });
    expect(scheduler.metadata?.annotations?.['dagship.io/verification']).toMatch(/^skipped with --skip-verify by /);
  });
});
