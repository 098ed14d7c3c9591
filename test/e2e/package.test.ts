import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commitAll, dagship, REPO_ROOT } from './cli.js';
import { exampleRepo } from './example-repo.js';
import { infra } from './infra.js';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

/** A repository with one DAG file, checked up to the point where dagship first talks to the engine. */
function repoWithOneDag(): string {
  const repo = mkdtempSync(path.join(tmpdir(), 'dagship-pkg-repo-'));
  mkdirSync(path.join(repo, 'dags'));
  writeFileSync(path.join(repo, 'dags', 'a.py'), 'from airflow import DAG\n');
  return repo;
}
const noEngine = (dir: string) => ({ DOCKER_HOST: `unix://${dir}/no-engine.sock` });

// The package as npm ships it, installed the way a team adds it to its DAG repository: the bundle holds
// every runtime dependency, so the install runs --offline (npm fails if it would fetch anything) and
// brings exactly one package; then `npx dagship` runs the pipeline from there.
describe('the packed package in a DAG repository', () => {
  const env = infra();
  let repo: string;
  beforeAll(async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'dagship-pkg-'));
    const packed = await execa('npm', ['pack', '--silent', '--pack-destination', home], { cwd: REPO_ROOT, env: { npm_config_ignore_scripts: 'true' } });
    const tarball = path.join(home, packed.stdout.trim().split('\n').pop()!);
    repo = exampleRepo(env, { 'package.json': '{"name":"dags","private":true}\n', '.gitignore': 'node_modules/\n' }, 'pkg');
    await execa('npm', ['install', '--offline', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--cache', path.join(home, 'npm-cache'), tarball], { cwd: repo });
    commitAll(repo, 'add dagship');
  }, 120_000);

  const npx = (args: string[], extra: Record<string, string> = {}) => execa('npx', ['--no-install', 'dagship', ...args], { cwd: repo, reject: false, env: { NO_COLOR: '1', ...extra } });

  it('installs as one package with no dependency to download', () => {
    const installed = readdirSync(path.join(repo, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(installed).toEqual(['dagship']);
  });

  it('runs from its bin with nothing but its own files', async () => {
    const version = await npx(['--version']);
    expect(version.stdout.trim()).toBe(pkg.version);
    const checkHelp = await npx(['check', '--help']);
    expect(checkHelp.exitCode, checkHelp.stderr).toBe(0);
    expect(checkHelp.stdout).toContain('Usage: dagship check');
  });

  it("npx dagship init writes the workflows and the Role from the package's own copies", async () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'dagship-pkg-init-'));
    mkdirSync(path.join(fresh, 'dags'));
    const init = await npx(['init', fresh]);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(readdirSync(path.join(fresh, '.github', 'workflows')).sort()).toEqual(['dagship-main.yml', 'dagship-pull-request.yml', 'dagship-release.yml']);
    expect(readFileSync(path.join(fresh, 'deploy', 'dagship-rbac.yaml'), 'utf8')).toContain('kind: Role');
  });

  it('npx dagship check and ship --no-push run the pipeline on the repository', async () => {
    const check = await npx(['check', '.']);
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/\d+ DAG/);
    const ship = await npx(['ship', '.', '--no-push']);
    expect(ship.exitCode, ship.stderr).toBe(0);
    expect(ship.stdout + ship.stderr).toMatch(/1\/5 lint[\s\S]*2\/5 build[\s\S]*3\/5 check/);
  }, 600_000);
});

// Start-up: a command parses only the dependency files it reaches (scripts/bundle.mjs).
describe('the bundle loads dependencies lazily', () => {
  const vendorFilesLoaded = async (args: string[], env: Record<string, string> = {}) => {
    const run = await dagship(args, { env: { NODE_DEBUG: 'module', ...env } });
    return [...new Set(run.stderr.match(/vendor-[\w-]+\.cjs/g) ?? [])].sort();
  };

  it('--help parses none', async () => {
    expect(await vendorFilesLoaded(['check', '--help'])).toEqual([]);
  });

  it('check never parses the Kubernetes client', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dagship-lazy-'));
    const loaded = await vendorFilesLoaded(['check', '--image', 'dagship-test/none:1', repoWithOneDag()], noEngine(dir));
    expect(loaded).toContain('vendor-docker.cjs');
    expect(loaded).not.toContain('vendor-kubernetes.cjs');
  });
});
