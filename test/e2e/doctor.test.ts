import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dagship, gitRepoWith, REPO_ROOT } from './cli.js';
import { infra } from './infra.js';
import { toolsLock, toolsRef } from '../../src/checks/tools-image.js';

const env = infra();
const configFor = (over: Record<string, string> = {}) =>
  Object.entries({
    base_image: env.airflow3Image,
    tools_image: env.toolsImage,
    repository: `${env.registry}/dagship-test/doctor`,
    ...over,
  })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');

describe('dagship --help / --version', () => {
  it('shows the commands with examples and exit codes', async () => {
    const help = await dagship(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^\s+doctor \[options\] \[path\]/m);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('Exit codes: 0 passed, 1 a gate failed, 2 usage');
  });

  it('prints the package version', async () => {
    const { version } = (await import(path.join(REPO_ROOT, 'package.json'), { with: { type: 'json' } })).default as { version: string };
    expect((await dagship(['--version'])).stdout.trim()).toBe(version);
  });

  it('reaches an ssh:// engine through the SSH transport kept out of the main bundle', async () => {
    // Nothing listens on port 1: the refusal comes from ssh2, so the lazily loaded transport file was found.
    const doctor = await dagship(['doctor'], { env: { DOCKER_HOST: 'ssh://nobody@127.0.0.1:1' } });
    expect(doctor.stdout + doctor.stderr).toMatch(/Docker Engine\s+cannot reach the Docker Engine at ssh:\/\/nobody@127\.0\.0\.1:1: connect ECONNREFUSED/);
  });

  it('exits 2 on an unknown command or flag', async () => {
    expect((await dagship(['deploy-everything'])).exitCode).toBe(2);
    expect((await dagship(['doctor', '--no-such-flag'])).exitCode).toBe(2);
  });
});

describe('dagship doctor (real engine, registries, git)', () => {
  it('is all ok on a ready repository against the real infrastructure', async () => {
    const repo = gitRepoWith({ 'dagship.yaml': configFor(), 'dags/a.py': 'x = 1\n' });
    const result = await dagship(['doctor', repo]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ok\s+Docker Engine\s+\d+\.\d+\.\d+\S* \(API 1\.\d+/m);
    expect(result.stdout).toMatch(new RegExp(`^ok\\s+Registry\\s+${env.registry.replaceAll('.', '\\.')} reachable at http://`, 'm'));
    expect(result.stdout).toMatch(/^ok\s+Git repository\s+[0-9a-f]{12} in .*, clean$/m);
    expect(result.stdout).toMatch(/^ok\s+Airflow image\s+dagship-infra\/airflow3:/m);
    expect(result.stdout).toMatch(/^ok\s+Tools image\s+dagship-infra\/tools:/m);
    expect(result.stdout).toMatch(/^ok\s+Tag immutability\s+127\.0\.0\.1:\d+ is a registry of unknown kind: Harbor can refuse tag overwrites/m);
    expect(result.stdout).toMatch(/^ok\s+Leftover containers\s+none/m);
    expect(result.stdout).toMatch(/^8 ok, 0 warning\(s\), 0 problem\(s\)$/m);
  });

  it('without tools_image, names the tools image lint will use and whether this engine holds it', async () => {
    const repo = gitRepoWith({ 'dagship.yaml': `base_image: ${env.airflow3Image}\n`, 'dags/a.py': 'x = 1\n' });
    const id = execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', env.airflow3Image], { encoding: 'utf8' }).trim();
    const ref = toolsRef(id, toolsLock());
    const held = spawnSync('docker', ['image', 'inspect', ref]).status === 0;
    const result = await dagship(['doctor', repo]);
    const state = held ? `\\(ruff [\\d.]+ and bandit [\\d.]+ on ${env.airflow3Image}, built earlier on this engine\\)` : 'will be built by the first lint';
    expect(result.stdout).toMatch(new RegExp(`^ok\\s+Tools image\\s+${ref.replaceAll('.', '\\.')} ${state}`, 'm'));
  });

  it('says the auth registry asks for credentials', async () => {
    const repo = gitRepoWith({ 'dagship.yaml': configFor({ repository: `${env.authRegistry}/team/dags` }) });
    const result = await dagship(['doctor', repo]);
    expect(result.stdout).toMatch(/^ok\s+Registry\s+.*\(asks for credentials\)$/m);
  });

  it('exits 2 with a hint when the engine is unreachable, and the config still loads', async () => {
    const repo = gitRepoWith({ 'dagship.yaml': configFor() });
    const result = await dagship(['doctor', repo], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/^problem\s+Docker Engine\s+cannot reach the Docker Engine at unix:\/\/\/nonexistent\/docker\.sock/m);
    expect(result.stdout).toMatch(/hint: start Docker/);
    expect(result.stdout).toMatch(/^problem\s+Airflow image\s+.*cannot look, the Docker Engine is unreachable/m);
  });

  it('exits 2 naming a registry that does not answer and an image that is not there', async () => {
    const repo = gitRepoWith({ 'dagship.yaml': configFor({ repository: '127.0.0.1:59999/team/dags', base_image: 'dagship-test/no-such-image:1' }) });
    const result = await dagship(['doctor', repo]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/^problem\s+Registry\s+cannot reach the registry 127\.0\.0\.1:59999 .*ECONNREFUSED/m);
    // Offline, Docker Hub cannot be asked whether it has the image: a problem, not a pull that may work.
    expect(result.stdout).toMatch(/^problem\s+Airflow image\s+dagship-test\/no-such-image:1 is not on the Docker Engine, and docker\.io could not be asked/m);
    expect(result.stdout).toContain("hint: check 'base_image'");
  });

  it('warns on uncommitted changes, and flags override dagship.yaml', async () => {
    const repo = gitRepoWith({ 'dagship.yaml': configFor({ base_image: 'dagship-test/no-such-image:1' }) });
    writeFileSync(path.join(repo, 'dags.py'), 'y = 2\n');
    const result = await dagship(['doctor', repo, '--base-image', env.airflow2Image]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^warning\s+Git repository\s+.*1 uncommitted change\(s\): dags\.py$/m);
    expect(result.stdout).toMatch(/^ok\s+Airflow image\s+dagship-infra\/airflow2:/m);
  });

  it('exits 2 with one clear line for a broken config or a missing path', async () => {
    const repo = gitRepoWith({ 'dagship.yaml': 'version: 1\nbase_imag: x\n' });
    const broken = await dagship(['doctor', repo]);
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toContain("error: dagship.yaml:2: unknown key 'base_imag' (did you mean 'base_image'?)");
    expect(broken.stdout).toBe('');
    const missing = await dagship(['doctor', '/nonexistent/dags-repo']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/error: repository path \/nonexistent\/dags-repo does not exist[\s\S]*hint: /);
  });
});
