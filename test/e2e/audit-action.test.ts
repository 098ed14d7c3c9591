import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAction } from './actions-runner.js';
import { REPO_ROOT } from './cli.js';
import { infra } from './infra.js';

const env = infra();

/** A committed copy of examples/ with the quickstart values (in-cluster DB, default admin, …) as helm/quick.yaml. */
function workspace(): string {
  const repo = mkdtempSync(path.join(tmpdir(), 'dagship-audit-action-'));
  cpSync(path.join(REPO_ROOT, 'examples'), repo, { recursive: true });
  writeFileSync(path.join(repo, 'dagship.yaml'), `base_image: ${env.airflow3Image}\ntools_image: ${env.toolsImage}\nrepository: ${env.registry}/dagship-test/audit-action\n`);
  writeFileSync(path.join(repo, 'requirements.txt'), '');
  execFileSync('mkdir', ['-p', path.join(repo, 'helm')]);
  writeFileSync(path.join(repo, 'helm', 'quick.yaml'), readFileSync(path.join(REPO_ROOT, 'test/fixtures/helm/quickstart.yaml')));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'workspace');
  return repo;
}

describe('the root action audits the values input', () => {
  it('with lint and check only, dagship audit runs beside them, annotates the values file and fails the step', async () => {
    const repo = workspace();
    const run = await runAction(REPO_ROOT, { stages: 'lint,check', values: 'helm/quick.yaml' }, { DOCKER_HOST: env.dockerHost }, repo);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^::error file=helm\/quick\.yaml,line=1,title=dagship helm-metadata-db-in-cluster::/m);
    expect(existsSync(path.join(repo, 'audit-dagship.sarif'))).toBe(true);
  });

  it('with build, ship stops at the audit and nothing is built', async () => {
    const repo = workspace();
    const run = await runAction(REPO_ROOT, { stages: 'lint,check,build', values: 'helm/quick.yaml' }, { DOCKER_HOST: env.dockerHost }, repo);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('ship stopped at audit: nothing was built or pushed');
    expect(run.outputs).toMatchObject({ passed: 'false', image: '' });
  });
});
