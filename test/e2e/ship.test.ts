import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectDocker } from '../../src/engine/index.js';
import { connectRegistry } from '../../src/registry/index.js';
import { dagship, REPO_ROOT } from './cli.js';
import { exampleRepo as sharedExampleRepo, pinnedFrom } from './example-repo.js';
import { imagesMade, removeImages } from './images.js';
import { infra } from './infra.js';

const env = infra();
const exampleRepo = (extra: Record<string, string> = {}, moreConfig = '') => sharedExampleRepo(env, extra, 'ship', moreConfig);
const engine = connectDocker();
const { docker, made } = imagesMade(env);

/** The repository a fixture ships to, its commit, and what the registry holds under the commit tag. */
function target(repo: string) {
  const repository = /^repository: (.*)$/m.exec(readFileSync(path.join(repo, 'dagship.yaml'), 'utf8'))![1]!;
  const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  const remote = async () => (await connectRegistry(env.registry).manifest(repository.slice(env.registry.length + 1), sha))?.digest;
  made.push(`${repository}:${sha}`);
  return { repository, sha, tagged: `${repository}:${sha}`, remote };
}

describe('dagship ship (lint → build → check in the built image → push)', () => {
  it('ships the example repository and prints the pinned reference', async () => {
    const repo = exampleRepo();
    const result = await dagship(['ship', repo]);
    expect(result.stderr).toMatch(/3\/5 check: import every DAG inside /);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`✔ shipped ${env.registry.replaceAll('.', '\\.')}/dagship-test/ship-[0-9a-f]+@sha256:[0-9a-f]{64}$`, 'm'));
    expect(result.stdout).toMatch(/6 DAG file\(s\) checked of 6 discovered, 6 DAG\(s\), 39 task\(s\)/);
  });

  it('checks what ships: a helper left out by .dockerignore fails the check, nothing is pushed', async () => {
    const repo = exampleRepo({ '.dockerignore': 'dags/common/\n' });
    const result = await dagship(['ship', repo]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/dag-import-error +ModuleNotFoundError: No module named 'common'/);
    expect(result.stderr).toContain('ship stopped at check');
    expect(result.stdout).not.toContain('✔ shipped');
  });

  it('stops at lint before building anything', async () => {
    const repo = exampleRepo({ 'dags/bad_lint.py': 'import os\n' });
    const result = await dagship(['ship', repo, '--no-push']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/ruff F401/);
    expect(result.stderr).toContain('ship stopped at lint: nothing was built or pushed');
    expect(result.stderr).not.toContain('2/5 build');
  });

  it('stops at the audit of the configured Helm values before building anything', async () => {
    const quickstart = readFileSync(path.join(REPO_ROOT, 'test/fixtures/helm/quickstart.yaml'), 'utf8');
    const repo = exampleRepo({ 'values.yaml': quickstart }, 'audit:\n  values: [values.yaml]\n');
    const result = await dagship(['ship', repo, '--no-push']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^values\.yaml$/m);
    expect(result.stdout).toMatch(/error +dagship helm-metadata-db-in-cluster/);
    expect(result.stderr).toContain('ship stopped at audit: nothing was built or pushed');
    expect(result.stderr).not.toContain('2/5 build');
  });

  it('passes an audit with warnings and reports its findings with the check, in one dagship SARIF run', async () => {
    const production = readFileSync(path.join(REPO_ROOT, 'test/fixtures/helm/production.yaml'), 'utf8');
    const repo = exampleRepo({ 'values.yaml': production });
    // The audit's repository must be where ship pushes: DAGs baked there are the production path.
    const config = readFileSync(path.join(repo, 'dagship.yaml'), 'utf8');
    const repository = /^repository: (.*)$/m.exec(config)![1]!;
    writeFileSync(path.join(repo, 'values.yaml'), production.replace('repository: registry.example.com/data/airflow-dags', `repository: ${repository}`));
    const sarif = path.join(repo, 'ship.sarif');
    const result = await dagship(['ship', repo, '--no-push', '--allow-dirty', '--sarif', sarif], { env: { DAGSHIP_AUDIT_VALUES: 'values.yaml', DAGSHIP_AUDIT_MIN_PARALLELISM: '128' } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/warning +dagship helm-parallelism-below-floor \[core\] parallelism is 64/);
    const runs = JSON.parse(readFileSync(sarif, 'utf8')).runs as Array<{ tool: { driver: { name: string } }; results: Array<{ ruleId: string }> }>;
    expect(runs.map((r) => r.tool.driver.name)).toEqual(['ruff', 'bandit', 'dagship']);
    expect(runs[2]!.results.map((r) => r.ruleId)).toContain('helm-parallelism-below-floor');
  });

  it('reuses the commit tag the registry already holds: pulled and checked, nothing built or pushed', async () => {
    const repo = exampleRepo();
    const { tagged, remote } = target(repo);
    const first = await dagship(['ship', repo]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain(`${tagged} is not in the registry yet: building it`);
    const pinned = pinnedFrom(first.stdout);
    const digest = await remote();
    // A clean engine for this repository: the second ship can only get the image from the registry.
    await removeImages(docker, [tagged, pinned, (await engine.inspect(tagged))!.id]);
    expect(await engine.inspect(pinned)).toBeUndefined();
    const second = await dagship(['ship', repo]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).toContain(`${tagged} is in the registry already (${digest})`);
    expect(second.stderr).toContain(`released image ${pinned} is not on the engine: pulling it`);
    expect(second.stderr).toMatch(/3\/5 check: import every DAG inside /);
    expect(second.stderr).not.toMatch(/2\/5 build|building \S+ \(commit|5\/5 push/);
    expect(second.stderr).toContain('5/5 record the result');
    expect(second.stdout).toContain(`✔ reused ${pinned}`);
    expect(second.stdout).toMatch(/6 DAG file\(s\) checked of 6 discovered/);
    expect(await remote()).toBe(digest);
    expect((await engine.inspect(tagged))?.id).toBe((await engine.inspect(pinned))?.id);
  });

  it('never reuses an image that fails the checks: exit 1, the tag is left as it is', async () => {
    const repo = exampleRepo();
    const { tagged, remote } = target(repo);
    // Content that fails the check, pushed under this commit's tag by other means than ship.
    const broken = exampleRepo({ 'dags/broken.py': 'from airflow.sdk import DAG\nimport no_such_module\n' });
    const build = await dagship(['build', broken]);
    expect(build.exitCode, build.stderr).toBe(0);
    made.push(build.stdout.trim());
    await engine.tag(build.stdout.trim(), tagged);
    await engine.push(tagged, { serveraddress: env.registry });
    const digest = await remote();
    expect(digest).toBeDefined();
    const result = await dagship(['ship', repo]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/dag-import-error +ModuleNotFoundError: No module named 'no_such_module'/);
    expect(result.stderr).toContain(`ship stopped at check: nothing was pushed; ${tagged} in the registry is left as it is`);
    expect(result.stderr).not.toMatch(/2\/5 build|5\/5/);
    expect(await remote()).toBe(digest);
  });
});
