import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { actionSnapshot, runAct, type ActOptions } from '../fixtures/act/act.js';
import { fakeGitHubApi } from '../fixtures/github-api.js';
import { fixture as kubeFixture, kubeHarness, OLD } from '../fixtures/kube/harness.js';
import { dagship, REPO_ROOT } from './cli.js';
import { pinnedFrom } from './example-repo.js';
import { infra } from './infra.js';

/*
 * The example workflows, unchanged, run by nektos/act on this host (-self-hosted) against the test
 * registry and control plane. `uses: org/airflow-dag-ci…@v1` is this working tree; actions/checkout of
 * the repository itself is act's own copy of the work tree. Stand-ins, because they talk to github.com:
 * github/codeql-action/upload-sarif (test/fixtures/act/codeql-action checks the SARIF file, uploads
 * nothing) and the GitHub API the pull-request comment is written to (a fake on 127.0.0.1).
 */
const env = infra();
const actionRepo = actionSnapshot(REPO_ROOT);
const temporary: string[] = [];
/** A temporary folder removed after the file's tests. */
const tempDir = (prefix: string) => temporary[temporary.push(mkdtempSync(path.join(tmpdir(), `dagship-act-${prefix}-`))) - 1]!;
const cacheDir = tempDir('cache');
const fixture = (name: string) => path.join(REPO_ROOT, 'test', 'fixtures', 'act', name);
const timings: string[] = [];

interface DagRepo {
  dir: string;
  repository: string;
  commit(files: Record<string, string>, message: string): void;
  git(...args: string[]): string;
}

/** A DAG repository made from examples/ (workflows under .github/workflows), its main pushed to a local origin. */
function dagRepo(): DagRepo {
  const root = tempDir('repo');
  const dir = path.join(root, 'work');
  cpSync(path.join(REPO_ROOT, 'examples'), dir, { recursive: true });
  mkdirSync(path.join(dir, '.github'));
  renameSync(path.join(dir, 'workflows'), path.join(dir, '.github', 'workflows'));
  const repository = `${env.registry}/dagship-test/act-${randomBytes(4).toString('hex')}`;
  const config = parse(readFileSync(path.join(dir, 'dagship.yaml'), 'utf8')) as Record<string, unknown>;
  Object.assign(config, { base_image: env.airflow3Image, tools_image: env.toolsImage, repository });
  delete config.test;
  writeFileSync(path.join(dir, 'dagship.yaml'), stringify(config));
  // Offline: the requirements layer is covered by the build tests, the test gate by test-command.test.ts.
  writeFileSync(path.join(dir, 'requirements.txt'), '');
  for (const tests of ['tests', 'pytest.ini', 'requirements-dev.txt']) rmSync(path.join(dir, tests), { recursive: true, force: true });
  // pull-request.yml serves parse-time Variables from ci/airflow-variables.json (examples/ has none so
  // far); the fixture DAG partner_export.py reads partner_bucket, given here, and partner_region, not given.
  const variables = path.join(dir, 'ci', 'airflow-variables.json');
  const given = existsSync(variables) ? (JSON.parse(readFileSync(variables, 'utf8')) as Record<string, unknown>) : {};
  mkdirSync(path.dirname(variables), { recursive: true });
  writeFileSync(variables, `${JSON.stringify({ ...given, partner_bucket: 's3://partner-exports' }, null, 2)}\n`);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'pipe', encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'DAG repository');
  execFileSync('git', ['init', '-q', '--bare', path.join(root, 'origin.git')]);
  git('remote', 'add', 'origin', path.join(root, 'origin.git'));
  git('push', '-q', 'origin', 'main');
  git('fetch', '-q', 'origin');
  const commit = (files: Record<string, string>, message: string) => {
    for (const [name, from] of Object.entries(files)) copyFileSync(from, path.join(dir, name));
    git('add', ...Object.keys(files));
    git('commit', '-q', '-m', message);
  };
  return { dir, repository, commit, git };
}

/**
 * The act process's environment: the infra's, without KUBECONFIG (deploy must get it from the workflow)
 * and without the variables of an outer runner when CI itself runs in GitHub Actions (act sets its own).
 */
function actEnv(): NodeJS.ProcessEnv {
  const outer = /^(KUBECONFIG|GITHUB_.*|RUNNER_.*|ACTIONS_.*|CI)$/;
  const kept = Object.entries(process.env).filter(([name]) => !outer.test(name));
  return { ...Object.fromEntries(kept), DAGSHIP_CACHE_DIR: tempDir('checks') };
}

async function act(label: string, repo: DagRepo, o: Omit<ActOptions, 'act' | 'repo' | 'actionRepo' | 'cacheDir' | 'env'>) {
  const run = await runAct({ act: env.act, repo: repo.dir, actionRepo, cacheDir, env: actEnv(), ...o });
  timings.push(`${label}: ${run.seconds.toFixed(1)}s`);
  return run;
}

/** HTTP status of the registry's manifest for a pinned reference (200: it was pushed). */
async function manifestStatus(reference: string): Promise<number> {
  const [name, digest] = reference.slice(env.registry.length + 1).split('@');
  const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  return (await fetch(`http://${env.registry}/v2/${name}/manifests/${digest}`, { method: 'HEAD', headers: { accept } })).status;
}

afterAll(() => {
  console.log(`[act] ${timings.join(' · ')}`);
  for (const dir of [actionRepo, ...temporary]) rmSync(dir, { recursive: true, force: true });
});

describe('the pull-request workflow under act: one pull request, two pushes', () => {
  const token = `ghs_${randomBytes(12).toString('hex')}`;
  let api: Awaited<ReturnType<typeof fakeGitHubApi>>;
  let repo: DagRepo;
  beforeAll(async () => {
    api = await fakeGitHubApi();
    repo = dagRepo();
    repo.git('checkout', '-q', '-b', 'feature');
  });
  afterAll(() => api.close());

  // The check comment goes to a fake GitHub API on 127.0.0.1; github.token is the GITHUB_TOKEN secret.
  const pullRequest = (label: string) =>
    act(label, repo, {
      event: 'pull_request',
      workflow: '.github/workflows/pull-request.yml',
      payload: { pull_request: { number: 7, base: { ref: 'main' }, head: { ref: 'feature' } } },
      secrets: { GITHUB_TOKEN: token },
      runnerEnv: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/dags' },
    });

  it('first push: lint + check of what changed pass, with an annotation, job summary, SARIF and the comment', async () => {
    repo.commit({ 'dags/partner_export.py': fixture('dags/partner_export.py') }, 'partner export');
    const run = await pullRequest('pull request (passing)');
    expect(run.exitCode, run.other + run.output).toBe(0);
    expect(run.jobs).toEqual({ check: 'success' });
    expect(run.output).toMatch(/changed since origin\/main: \d+ changed file\(s\): 1 DAG file\(s\) to check/);
    expect(run.annotations).toEqual([
      expect.objectContaining({ level: 'warning', file: 'dags/partner_export.py', line: '16', title: 'dagship dag-parse-time-lookup', message: expect.stringContaining("Variable 'partner_region'") }),
    ]);
    expect(run.stepOutput('check', 'check', 'passed')).toBe('true');
    expect(run.stepOutput('check', 'check', 'warnings')).toBe('1');
    expect(run.summaries.check).toContain('### ✅ dagship lint');
    expect(run.summaries.check).toContain('### ✅ dagship check');
    expect(run.output).toContain('upload-sarif stand-in: dagship-check.sarif (category dagship-check): 1 run(s), 1 result(s)');
    expect(api.comments).toEqual([expect.objectContaining({ issue: 'acme/dags#7', body: expect.stringContaining('`dags/partner_export.py`') })]);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/acme/dags/issues/7/comments', 'POST /repos/acme/dags/issues/7/comments']);
  });

  it('second push: a DAG file that fails to import fails the job, annotated on its line; SARIF still uploaded; the comment updated in place', async () => {
    repo.commit({ 'dags/broken_import.py': fixture('dags/broken_import.py') }, 'broken import');
    const run = await pullRequest('pull request (failing import)');
    expect(run.exitCode).toBe(1);
    expect(run.jobs).toEqual({ check: 'failure' });
    expect(run.stepResult('check', 'lint')).toBe('success');
    expect(run.stepResult('check', 'check')).toBe('failure');
    expect(run.annotations).toContainEqual(
      expect.objectContaining({ level: 'error', file: 'dags/broken_import.py', line: '4', title: 'dagship dag-import-error', message: expect.stringContaining('ModuleNotFoundError') }),
    );
    expect(run.stepOutput('check', 'check', 'passed')).toBe('false');
    expect(run.summaries.check).toMatch(/### ❌ dagship check/);
    expect(run.output).toMatch(/upload-sarif stand-in: dagship-check\.sarif \(category dagship-check\): 1 run\(s\), [1-9]\d* result\(s\)/);
    expect(api.comments).toHaveLength(1);
    expect(api.comments[0]!.body).toMatch(/❌ dagship check[\s\S]*`dags\/broken_import\.py`/);
    expect(api.requests.slice(2).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/acme/dags/issues/7/comments', `PATCH /repos/acme/dags/issues/comments/${api.comments[0]!.id}`]);
    // The token authenticates every call and appears in no comment, nor does a Variable's value.
    expect(api.requests.every((r) => r.token === token)).toBe(true);
    expect(api.comments[0]!.body).not.toContain(token);
    expect(api.comments[0]!.body).not.toContain('s3://partner-exports');
  });
});

describe('release gating under act: main ships and deploys to staging, release promotes the same digest', () => {
  const kube = kubeHarness(env.kubeconfig);
  const namespaces: string[] = [];
  const pair = generateKeyPairSync('ed25519');
  const signingKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let staged: { reference: string; ns: string } | undefined;

  /** A namespace with a release of the Airflow workloads, deploy/rbac.yaml, and its ServiceAccount's kubeconfig (content). */
  async function release(prefix: string): Promise<{ ns: string; kubeconfig: string }> {
    const ns = await kube.createNamespace(prefix);
    namespaces.push(ns);
    await kube.apply(kubeFixture('airflow3-kubernetes-executor.yaml'), ns);
    await kube.apply(path.join(REPO_ROOT, 'deploy', 'rbac.yaml'), ns);
    await kube.ready(ns);
    return { ns, kubeconfig: readFileSync(await kube.serviceAccountKubeconfig(ns, 'dagship-deployer'), 'utf8') };
  }
  const images = async (ns: string) => Object.values(await kube.images(ns)).flat();
  const main = (repo: DagRepo, label: string, ns: string, kubeconfig: string) =>
    act(label, repo, {
      event: 'push',
      workflow: '.github/workflows/main.yml',
      payload: { ref: 'refs/heads/main' },
      secrets: { DAGSHIP_SIGNING_KEY: signingKey, STAGING_KUBECONFIG: kubeconfig },
      vars: { STAGING_NAMESPACE: ns, DAGSHIP_PUBLIC_KEY: publicKey },
    });
  const promote = (repo: DagRepo, label: string, reference: string, ns: string, kubeconfig: string, key = publicKey) =>
    act(label, repo, {
      event: 'workflow_dispatch',
      workflow: '.github/workflows/release.yml',
      payload: { inputs: { reference } },
      inputs: { reference },
      secrets: { PRODUCTION_KUBECONFIG: kubeconfig },
      vars: { PRODUCTION_NAMESPACE: ns, DAGSHIP_PUBLIC_KEY: key },
    });

  afterAll(async () => {
    await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
  });

  it('main: ship signs the result, staging deploys that digest after verifying it, as the least-privilege ServiceAccount', async () => {
    const repo = dagRepo();
    const { ns, kubeconfig } = await release('act-staging');
    const run = await main(repo, 'main (ship + staging)', ns, kubeconfig);
    expect(run.exitCode, run.other + run.output).toBe(0);
    expect(run.jobs).toEqual({ ship: 'success', staging: 'success' });
    const reference = run.stepOutput('ship', 'ship', 'reference')!;
    expect(reference).toMatch(new RegExp(`^${repo.repository.replaceAll('.', '\\.')}@sha256:[0-9a-f]{64}$`));
    expect(run.output).toMatch(/recorded result 'passed' \(signed\)/);
    const running = await images(ns);
    expect(running.filter((i) => i.includes(OLD))).toEqual([]);
    expect(running.filter((i) => i.endsWith(reference)).length).toBeGreaterThan(0);
    const scheduler = await kube.apps.readNamespacedDeployment({ name: 'airflow-scheduler', namespace: ns });
    expect(scheduler.metadata?.annotations?.['dagship.io/verification']).toMatch(/^passed \(dagship .*\), signed by sha256:[0-9a-f]+$/);
    expect(run.summaries.staging).toContain(`→ \`${reference}\``);
    expect(await manifestStatus(reference)).toBe(200);
    expect(run.output).not.toContain(signingKey.split('\n')[1]);
    staged = { reference, ns };
  });

  it('main: a DAG that fails its check stops ship before push, and staging never runs', async () => {
    const repo = dagRepo();
    repo.commit({ 'dags/broken_import.py': fixture('dags/broken_import.py') }, 'broken import');
    const { ns, kubeconfig } = await release('act-staging');
    const before = await images(ns);
    const run = await main(repo, 'main (failing check)', ns, kubeconfig);
    expect(run.exitCode).toBe(1);
    expect(run.jobs).toEqual({ ship: 'failure' });
    expect(run.annotations).toContainEqual(expect.objectContaining({ level: 'error', file: 'dags/broken_import.py', title: 'dagship dag-import-error' }));
    expect(run.output).toContain('ship stopped at check');
    expect(run.stepOutput('ship', 'ship', 'reference') ?? '').toBe('');
    expect(await images(ns)).toEqual(before);
  });

  it('release: promotes the staged digest to production without rebuilding; an unchecked image, or a result the configured key did not sign, is refused', async () => {
    expect(staged, 'needs the staging test').toBeDefined();
    const repo = dagRepo();
    const prod = await release('act-production');
    const promoted = await promote(repo, 'release (promote)', staged!.reference, prod.ns, prod.kubeconfig);
    expect(promoted.exitCode, promoted.other + promoted.output).toBe(0);
    expect(promoted.jobs).toEqual({ production: 'success' });
    expect(promoted.summaries.production).toContain(`production runs ${staged!.reference} (deployed=true)`);
    expect((await images(prod.ns)).filter((i) => i.endsWith(staged!.reference)).length).toBeGreaterThan(0);

    // Built and pushed by hand, never checked: no signed result beside it.
    expect((await dagship(['build', repo.dir])).exitCode).toBe(0);
    const pushed = await dagship(['push', repo.dir]);
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    const unchecked = pinnedFrom(pushed.stdout);
    const other = await release('act-production');
    const before = await images(other.ns);
    const refused = await promote(repo, 'release (unchecked image)', unchecked, other.ns, other.kubeconfig);
    expect(refused.exitCode).toBe(1);
    expect(refused.jobs).toEqual({ production: 'failure' });
    expect(refused.annotations).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining(`${unchecked} was not checked`) }));
    expect(await images(other.ns)).toEqual(before);

    // The staged digest, but production trusts another team's key.
    const otherKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const wrongKey = await promote(repo, 'release (other key)', staged!.reference, other.ns, other.kubeconfig, otherKey);
    expect(wrongKey.exitCode).toBe(1);
    expect(wrongKey.jobs).toEqual({ production: 'failure' });
    expect(wrongKey.annotations).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('has no valid signature by key') }));
    expect(await images(other.ns)).toEqual(before);
  });
});
