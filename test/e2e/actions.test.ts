import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
