import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from './check-helpers.js';
import { dagship, gitRepoWith } from './cli.js';
import { infra } from './infra.js';
import { aliasBomb } from '../fixtures/alias-bomb.js';

const env = infra();
const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });
const scratch = mkdtempSync(path.join(tmpdir(), 'dagship-badenv-'));
const made: string[] = [];

/** Never a stack trace: no "    at " frame, no "unexpected failure". */
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at |unexpected failure/m);

/** A tmpfs of its own, really full or really read-only (chmod would not stop root). */
function mountTmpfs(name: string, options: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  return dir;
}

const mounted: string[] = [];
beforeAll(() => {
  mounted.push(mountTmpfs('tiny', 'size=1m'), mountTmpfs('readonly', 'ro,size=1m'));
});
afterAll(async () => {
  for (const dir of mounted) execFileSync('umount', [dir]);
  for (const ref of made)
    await docker
      .getImage(ref)
      .remove({ force: true })
      .catch(() => undefined);
});

/** A committed repository whose DAG layer (1.5 MB) cannot fit in 1 MB. */
function bigRepo() {
  const repository = `${env.registry}/dagship-test/badenv-${randomBytes(4).toString('hex')}`;
  const dir = gitRepoWith({
    'dagship.yaml': `base_image: ${env.airflow3Image}\nrepository: ${repository}\n`,
    'dags/etl.py': 'from airflow.sdk import DAG\n',
    'dags/data.py': `BLOB = "${randomBytes(750_000).toString('hex')}"\n`,
  });
  const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  made.push(`${repository}:${sha}`);
  return { dir, ref: `${repository}:${sha}` };
}

async function imageExists(ref: string): Promise<boolean> {
  return docker
    .getImage(ref)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

describe('a temp folder that refuses writes', () => {
  it('full (TMPDIR on a 1 MB tmpfs): build exits 2 naming TMPDIR, leaves nothing there and builds no image', async () => {
    const repo = bigRepo();
    const tiny = mounted[0]!;
    const result = await dagship(['build', repo.dir], { env: { TMPDIR: tiny } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: the temp folder ${tiny} is full (ENOSPC)`);
    expect(result.stderr).toMatch(/hint: point TMPDIR at a writable folder/);
    noStack(result.stderr);
    expect(readdirSync(tiny)).toEqual([]);
    expect(await imageExists(repo.ref)).toBe(false);
  });

  it('read-only (a tmpfs mounted ro): build and check exit 2 naming TMPDIR', async () => {
    const repo = bigRepo();
    const readonly = mounted[1]!;
    const built = await dagship(['build', repo.dir], { env: { TMPDIR: readonly } });
    expect(built.exitCode).toBe(2);
    expect(built.stderr).toContain(`error: the temp folder ${readonly} is read-only (EROFS)`);
    noStack(built.stderr);
    expect(await imageExists(repo.ref)).toBe(false);
    const checked = await dagship(['check', repo.dir, '--no-cache', '--image', env.airflow3Image], { env: { TMPDIR: readonly } });
    expect(checked.exitCode).toBe(2);
    expect(checked.stderr).toContain(`error: the temp folder ${readonly} is read-only (EROFS)`);
    noStack(checked.stderr);
  });
});

describe('configuration that is not what it should be', () => {
  it('a YAML alias bomb in dagship.yaml: exit 2 at once, naming the file, not its content', async () => {
    const bomb = aliasBomb(9);
    const repo = gitRepoWith({ 'dagship.yaml': `${bomb}\n`, 'dags/etl.py': 'x = 1\n' });
    const started = Date.now();
    const result = await dagship(['check', repo]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('error: dagship.yaml: YAML aliases expand too far');
    expect(result.stderr).not.toContain('lol');
    noStack(result.stderr);
  });

  it('a folder where a file belongs: --variables, requirements.txt, --config', async () => {
    const repo = gitRepoWith({
      'dagship.yaml': `base_image: ${env.airflow3Image}\nrepository: ${env.registry}/dagship-test/badenv\n`,
      'dags/etl.py': 'x = 1\n',
      'vars/a.json': '{}',
      'requirements.txt/x': '',
    });
    const variables = await dagship(['check', repo, '--image', env.airflow3Image, '--variables', 'vars']);
    expect(variables.exitCode).toBe(2);
    expect(variables.stderr).toContain(`error: check.variables: ${path.join(repo, 'vars')} is a folder, not a file`);
    const built = await dagship(['build', repo]);
    expect(built.exitCode).toBe(2);
    expect(built.stderr).toContain(`error: requirements ${path.join(repo, 'requirements.txt')} is a folder, not a file`);
    const config = await dagship(['check', repo, '--config', path.join(repo, 'dags')]);
    expect(config.exitCode).toBe(2);
    expect(config.stderr).toContain(`is a folder, not a file`);
    for (const r of [variables, built, config]) noStack(r.stderr);
  });
});

describe('kubeconfig that is missing or not YAML', () => {
  const secretLine = 'client-key-data: c2VjcmV0LWtleS1ieXRlcw==';
  const broken = path.join(scratch, 'broken-kubeconfig');
  writeFileSync(broken, `apiVersion: v1\nclusters:\n- cluster: {server: "https://127.0.0.1:1"\n  name: x\nusers:\n- name: x\n  user:\n    ${secretLine}\n`);
  const image = `${env.registry}/dagship-test/badenv@sha256:${'a'.repeat(64)}`;
  const commands = [
    ['deploy', ['deploy', '--skip-verify', '--image', image, '--release', 'airflow', '-n', 'airflow']],
    ['rollback', ['rollback', '--release', 'airflow', '-n', 'airflow']],
  ] as const;

  it.each(commands)('%s: not YAML → exit 2, the file and line named, no line of it printed', async (_name, args) => {
    const result = await dagship([...args], { env: { KUBECONFIG: broken } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: kubeconfig ${broken} is not valid YAML (line 4)`);
    for (const line of readFileSync(broken, 'utf8')
      .split('\n')
      .filter((l) => l.trim().length > 6))
      expect(result.stderr).not.toContain(line.trim());
    noStack(result.stderr);
  });

  it.each(commands)('%s: missing → exit 2 naming the path', async (_name, args) => {
    const missing = path.join(scratch, 'no-such-kubeconfig');
    const result = await dagship([...args], { env: { KUBECONFIG: missing } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: kubeconfig ${missing} does not exist`);
    noStack(result.stderr);
  });
});

describe('keys in the wrong place', () => {
  it('keygen into a folder that does not exist says how to fix it: exit 2, no stack trace, nothing written', async () => {
    const prefix = path.join(scratch, 'no-such', 'dir', 'team');
    const result = await dagship(['keygen', '-o', prefix], { env: { GITHUB_ACTIONS: 'true' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: cannot write ${prefix}.key: the folder ${path.dirname(prefix)} does not exist`);
    expect(result.stderr).toContain('hint: create it first');
    expect(result.stdout).toMatch(/^::error title=dagship::cannot write /m);
    noStack(result.stderr);
    expect(readdirSync(scratch)).not.toContain('no-such');
  });

  it('a private key passed as --public-key is refused with a hint, before anything is deployed', async () => {
    const prefix = path.join(scratch, 'team');
    expect((await dagship(['keygen', '-o', prefix])).exitCode).toBe(0);
    const image = `${env.registry}/dagship-test/badenv@sha256:${'a'.repeat(64)}`;
    const result = await dagship(['deploy', '--image', image, '--public-key', `${prefix}.key`, '--release', 'airflow', '-n', 'airflow']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('error: the public key given is a private key: refused');
    expect(result.stderr).toMatch(/hint: pass the \.pub file dagship keygen wrote/);
    expect(result.stderr).not.toContain(readFileSync(`${prefix}.key`, 'utf8').split('\n')[1]);
  });
});

describe('a DAG folder without DAGs', () => {
  it('check refuses an empty DAG folder (exit 2, hint), and --allow-empty-dags accepts it', async () => {
    const repo = gitRepoWith({ 'dagship.yaml': '', 'dags/README.md': 'nothing yet\n' });
    const refused = await check(repo, ['--image', env.airflow3Image]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('error: the DAG folder dags/ has no Python files: a release from it would remove every DAG from Airflow');
    expect(refused.stderr).toMatch(/hint: .*--allow-empty-dags/);
    const allowed = await check(repo, ['--image', env.airflow3Image, '--allow-empty-dags']);
    expect(allowed.exitCode).toBe(0);
  });

  it('check refuses a DAG folder whose every file .airflowignore leaves out', async () => {
    const repo = gitRepoWith({ 'dagship.yaml': '', 'dags/.airflowignore': 'wip_*\n', 'dags/wip_etl.py': 'from airflow.sdk import DAG\n' });
    const refused = await check(repo, ['--image', env.airflow3Image]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('error: Airflow lists none of the 1 file(s) in dags/ as DAG files');
  });

  it('ship refuses an empty DAG folder before building anything', async () => {
    const repository = `${env.registry}/dagship-test/badenv-${randomBytes(4).toString('hex')}`;
    const repo = gitRepoWith({ 'dagship.yaml': `base_image: ${env.airflow3Image}\ntools_image: ${env.toolsImage}\nrepository: ${repository}\n`, 'dags/.keep': '', 'plugins/p.py': 'P = 1\n' });
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const result = await dagship(['ship', repo, '--no-push']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('error: the DAG folder dags/ has no Python files');
    expect(await imageExists(`${repository}:${sha}`)).toBe(false);
  });
});
