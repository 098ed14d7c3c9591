import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { actionSnapshot, runAct, type ActOptions } from '../fixtures/act/act.js';
import { REPO_ROOT } from './cli.js';
import { infra } from './infra.js';

/*
 * The example workflows, unchanged, run by nektos/act on this host (-self-hosted) against the test
 * registry. `uses: org/airflow-dag-ci…@v1` is this working tree; github/codeql-action is an offline
 * stand-in (test/fixtures/act/codeql-action); actions/checkout of the repository itself is act's own.
 */
const env = infra();
const actionRepo = actionSnapshot(REPO_ROOT);
const cacheDir = mkdtempSync(path.join(tmpdir(), 'dagship-act-cache-'));
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
  const root = mkdtempSync(path.join(tmpdir(), 'dagship-act-repo-'));
  const dir = path.join(root, 'work');
  cpSync(path.join(REPO_ROOT, 'examples'), dir, { recursive: true });
  mkdirSync(path.join(dir, '.github'));
  renameSync(path.join(dir, 'workflows'), path.join(dir, '.github', 'workflows'));
  const repository = `${env.registry}/dagship-test/act-${randomBytes(4).toString('hex')}`;
  const config = parse(readFileSync(path.join(dir, 'dagship.yaml'), 'utf8')) as Record<string, unknown>;
  Object.assign(config, { base_image: env.airflow3Image, tools_image: env.toolsImage, repository });
  writeFileSync(path.join(dir, 'dagship.yaml'), stringify(config));
  // Offline: the requirements layer is covered by the build tests.
  writeFileSync(path.join(dir, 'requirements.txt'), '');
  // pull-request.yml serves parse-time Variables from ci/airflow-variables.json, which examples/ lacks.
  if (!existsSync(path.join(dir, 'ci', 'airflow-variables.json'))) {
    mkdirSync(path.join(dir, 'ci'), { recursive: true });
    writeFileSync(path.join(dir, 'ci', 'airflow-variables.json'), '{"partner_bucket": "s3://partner-exports"}\n');
  }
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'pipe', encoding: 'utf8' });
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

/** The act process's environment: the infra's, without KUBECONFIG (deploy must get it from the workflow). */
function actEnv(): NodeJS.ProcessEnv {
  const { KUBECONFIG: _unused, ...rest } = process.env;
  return { ...rest, DAGSHIP_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'dagship-act-checks-')) };
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

const pullRequest = (repo: DagRepo) =>
  act(`pull request (${repo.git('log', '-1', '--format=%s').trim()})`, repo, {
    event: 'pull_request',
    workflow: '.github/workflows/pull-request.yml',
    payload: { pull_request: { number: 7, base: { ref: 'main' }, head: { ref: 'feature' } } },
  });

describe('the example workflows under act (a GitHub Actions runner) on this host', () => {
  afterAll(() => console.log(`[act] ${timings.join(' · ')}`));

  it('pull request: lint + check of what changed pass, with annotations, job summary and SARIF', async () => {
    const repo = dagRepo();
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'dags/partner_export.py': fixture('dags/partner_export.py') }, 'partner export');
    const run = await pullRequest(repo);
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
  });

  it('pull request: a DAG file that fails to import fails the job, annotated on its line; SARIF is still uploaded', async () => {
    const repo = dagRepo();
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'dags/broken_import.py': fixture('dags/broken_import.py') }, 'broken import');
    const run = await pullRequest(repo);
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
  });

  it('main: ships (lint, build, check in the image, push) and outputs the pinned reference', async () => {
    const repo = dagRepo();
    const run = await act('main (ship)', repo, {
      event: 'push',
      workflow: '.github/workflows/main.yml',
      job: 'ship',
      payload: { ref: 'refs/heads/main' },
    });
    expect(run.exitCode, run.other + run.output).toBe(0);
    expect(run.jobs.ship).toBe('success');
    const reference = run.stepOutput('ship', 'ship', 'reference');
    expect(reference).toMatch(new RegExp(`^${repo.repository.replaceAll('.', '\\.')}@sha256:[0-9a-f]{64}$`));
    expect(run.summaries.ship).toContain(`shipped ${reference}`);
    expect(await manifestStatus(reference!)).toBe(200);
  });
});
