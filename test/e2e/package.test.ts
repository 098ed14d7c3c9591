import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dagship, REPO_ROOT } from './cli.js';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

/** A repository with one DAG file, checked up to the point where dagship first talks to the engine. */
function repoWithOneDag(): string {
  const repo = mkdtempSync(path.join(tmpdir(), 'dagship-pkg-repo-'));
  mkdirSync(path.join(repo, 'dags'));
  writeFileSync(path.join(repo, 'dags', 'a.py'), 'from airflow import DAG\n');
  return repo;
}
const noEngine = (dir: string) => ({ DOCKER_HOST: `unix://${dir}/no-engine.sock` });

// The package as npm ships it, installed from outside with runtime dependencies only: everything dist/
// runs must be in dist/ (or a runtime dependency), never something only this checkout's node_modules has.
describe('the packed package', () => {
  let bin: string;
  let home: string;
  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'dagship-pkg-'));
    const packed = await execa('npm', ['pack', '--silent', '--pack-destination', home], { cwd: REPO_ROOT, env: { npm_config_ignore_scripts: 'true' } });
    const tarball = path.join(home, packed.stdout.trim().split('\n').pop()!);
    const app = path.join(home, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), '{"name":"app","private":true}\n');
    await execa('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: app });
    bin = path.join(app, 'node_modules', '.bin', 'dagship');
  }, 120_000);

  const run = (args: string[], env: Record<string, string> = {}) => execa(bin, args, { cwd: home, reject: false, env: { NO_COLOR: '1', ...env } });

  it('runs from its bin with nothing but its own files', async () => {
    const version = await run(['--version']);
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = await run(['--help']);
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: dagship');
    const checkHelp = await run(['check', '--help']);
    expect(checkHelp.exitCode, checkHelp.stderr).toBe(0);
    expect(checkHelp.stdout).toContain('Usage: dagship check');
  });

  it("loads check's code and dependencies up to the engine", async () => {
    const check = await run(['check', '--image', 'dagship-test/none:1', repoWithOneDag()], noEngine(home));
    expect(check.stderr).toContain('cannot reach the Docker Engine');
    expect(check.exitCode).toBe(2);
  });
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
