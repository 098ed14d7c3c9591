import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAction } from './actions-runner.js';
import { REPO_ROOT } from './cli.js';
import { exampleRepo } from './example-repo.js';
import { infra } from './infra.js';

const env = infra();
// The quickstart values (in-cluster DB, default admin, …) as helm/quick.yaml.
const workspace = () => exampleRepo(env, { 'helm/quick.yaml': readFileSync(path.join(REPO_ROOT, 'test/fixtures/helm/quickstart.yaml'), 'utf8') }, 'audit-action');

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
