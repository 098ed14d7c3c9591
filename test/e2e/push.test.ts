import Docker from 'dockerode';
import { execa } from 'execa';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dagship, gitRepoWith, REPO_ROOT } from './cli.js';
import { infra } from './infra.js';
import { removeImages } from './images.js';

const env = infra();
const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });
const made: string[] = [];
const registries: ChildProcess[] = [];
afterAll(async () => {
  for (const r of registries) r.kill('SIGKILL');
  await removeImages(docker, made);
});

const unique = (what: string) => `dagship-test/${what}-${randomBytes(4).toString('hex')}`;
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' }).trim();

/** A committed DAG repository whose images go to `repository`. */
function dagRepo(repository: string, files: Record<string, string> = {}) {
  const dir = gitRepoWith({
    'dagship.yaml': `base_image: ${env.airflow3Image}\nrepository: ${repository}\n`,
    'dags/etl.py': `# ${repository}\nfrom airflow.sdk import DAG\n`,
    ...files,
  });
  const sha = git(dir, 'rev-parse', 'HEAD');
  made.push(`${repository}:${sha}`, `${repository}:${sha}-dirty`);
  return { dir, sha, ref: `${repository}:${sha}` };
}

async function built(repository: string, files: Record<string, string> = {}) {
  const repo = dagRepo(repository, files);
  const result = await dagship(['build', repo.dir]);
  expect(result.stderr).not.toMatch(/error:/);
  expect(result.exitCode).toBe(0);
  return repo;
}

/** The manifest digest a registry serves for a tag (plain HTTP, optional Basic auth). */
async function remoteDigest(registry: string, name: string, tag: string, auth?: string): Promise<string | undefined> {
  const response = await fetch(`http://${registry}/v2/${name}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json', ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}) },
  });
  return response.status === 200 ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
}

/** This test's own registry (never the shared ones), so it can be stopped and started mid-push. */
function ownRegistry() {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagship-registry-'));
  const port = 5200 + Math.floor(Math.random() * 700);
  const config = path.join(dir, 'config.yml');
  writeFileSync(config, `version: 0.1\nlog: {level: warn}\nstorage: {filesystem: {rootdirectory: ${dir}/data}, delete: {enabled: true}}\nhttp: {addr: 127.0.0.1:${port}}\n`);
  let process: ChildProcess | undefined;
  const registry = {
    host: `127.0.0.1:${port}`,
    async start() {
      process = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
      registries.push(process);
      for (let i = 0; i < 100; i++) {
        if (
          await fetch(`http://${registry.host}/v2/`).then(
            (r) => r.ok,
            () => false,
          )
        )
          return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`own registry on ${registry.host} did not start`);
    },
    stop() {
      process?.kill('SIGKILL');
    },
  };
  return registry;
}

describe('dagship push (real engine and registries)', () => {
  it('pushes the commit tag, prints the pinned digest the registry serves; a re-push uploads nothing', async () => {
    const name = unique('push');
    const repo = await built(`${env.registry}/${name}`);
    const pushed = await dagship(['push', repo.dir]);
    expect(pushed.exitCode).toBe(0);
    const digest = await remoteDigest(env.registry, name, repo.sha);
    expect(pushed.stdout).toBe(`${env.registry}/${name}@${digest}`);
    expect(pushed.stderr).toMatch(/pushed .* of new layers/);
    const again = await dagship(['push', repo.dir]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe(pushed.stdout);
    expect(again.stderr).toMatch(/already holds this image .*: nothing to upload/);
  });

  it('refuses to move an existing tag to other content (exit 1), naming the digest that holds it', async () => {
    const name = unique('immutable');
    const repo = await built(`${env.registry}/${name}`);
    const first = await dagship(['push', repo.dir]);
    expect(first.exitCode).toBe(0);
    // Other content under the same tag: another repository's build, re-tagged.
    const other = await built(`${env.registry}/${unique('other')}`);
    await docker.getImage(other.ref).tag({ repo: `${env.registry}/${name}`, tag: 'taken' });
    made.push(`${env.registry}/${name}:taken`);
    await docker.getImage(repo.ref).tag({ repo: `${env.registry}/${name}`, tag: 'taken2' });
    made.push(`${env.registry}/${name}:taken2`);
    expect((await dagship(['push', '--image', `${env.registry}/${name}:taken2`])).exitCode).toBe(0);
    await docker.getImage(other.ref).tag({ repo: `${env.registry}/${name}`, tag: 'taken2' });
    const refused = await dagship(['push', '--image', `${env.registry}/${name}:taken2`]);
    expect(refused.exitCode).toBe(1);
    const holder = await remoteDigest(env.registry, name, 'taken2');
    expect(refused.stderr).toContain(`error: ${env.registry}/${name}:taken2 already exists in the registry with different content: ${env.registry}/${name}@${holder}`);
    expect(refused.stdout).toBe('');
  });

  it('refuses a dirty build as a release (exit 1); --allow-dirty pushes it', async () => {
    const name = unique('dirty');
    const repo = dagRepo(`${env.registry}/${name}`);
    writeFileSync(path.join(repo.dir, 'dags/etl.py'), '# uncommitted\n');
    expect((await dagship(['build', repo.dir, '--allow-dirty'])).exitCode).toBe(0);
    const refused = await dagship(['push', repo.dir]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/error: only a build of uncommitted changes .* exists for commit .*: it is not a release/);
    const forced = await dagship(['push', '--image', `${repo.ref}-dirty`]);
    expect(forced.exitCode).toBe(1);
    expect(forced.stderr).toMatch(/label io\.dagship\.dirty=true/);
    const allowed = await dagship(['push', repo.dir, '--allow-dirty']);
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stdout).toMatch(new RegExp(`^${env.registry}/${name}@sha256:[a-f0-9]{64}$`));
  });

  it('authenticates to the htpasswd registry from env, --password-stdin or ~/.docker/config.json; a wrong password is one clear error', async () => {
    const name = unique('auth');
    const repo = await built(`${env.authRegistry}/${name}`);
    const wrong = await dagship(['push', repo.dir], { env: { DAGSHIP_REGISTRY_USERNAME: env.authUser, DAGSHIP_REGISTRY_PASSWORD: 'not-the-password' } });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain(`error: the registry ${env.authRegistry} refused the credentials for user '${env.authUser}' (HTTP 401, from DAGSHIP_REGISTRY_USERNAME/PASSWORD)`);
    expect(wrong.stderr).not.toContain('not-the-password');
    const stdin = await execa('node', [path.join(REPO_ROOT, 'dist/cli.js'), 'push', repo.dir, '--username', env.authUser, '--password-stdin'], {
      input: `${env.authPassword}\n`,
      reject: false,
      env: { NO_COLOR: '1' },
    });
    expect(stdin.stderr).not.toContain(env.authPassword);
    expect(stdin.exitCode).toBe(0);
    const digest = await remoteDigest(env.authRegistry, name, repo.sha, `${env.authUser}:${env.authPassword}`);
    expect(stdin.stdout).toBe(`${env.authRegistry}/${name}@${digest}`);
    const config = mkdtempSync(path.join(tmpdir(), 'dagship-docker-config-'));
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({ auths: { [env.authRegistry]: { auth: Buffer.from(`${env.authUser}:${env.authPassword}`).toString('base64') } } }));
    const fromConfig = await dagship(['push', repo.dir], { env: { DOCKER_CONFIG: config } });
    expect(fromConfig.exitCode).toBe(0);
    expect(fromConfig.stderr).toMatch(/already holds this image/);
  });

  it('says an unknown registry host is unknown (exit 2) and pushes nothing', async () => {
    const repo = await built(`nonexistent.invalid:5000/${unique('nohost')}`);
    const result = await dagship(['push', repo.dir]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/error: unknown registry host nonexistent\.invalid: the name does not resolve \((ENOTFOUND|EAI_AGAIN)\)/);
    expect(result.stderr).toMatch(/hint: check the registry host in 'repository' \(dagship\.yaml or --repository\)/);
    expect(result.stdout).toBe('');
  });

  it('survives the registry stopping and restarting mid-push, and reports only what the registry serves', async () => {
    const registry = ownRegistry();
    await registry.start();
    // A layer big enough that the upload is still running when the registry goes away.
    const big = randomBytes(96 * 1024 * 1024).toString('base64');
    const repo = await built(`${registry.host}/${unique('restart')}`, { 'dags/data/blob.txt': big });
    const push = execa('node', [path.join(REPO_ROOT, 'dist/cli.js'), 'push', repo.dir, '--verbose'], { reject: false, env: { NO_COLOR: '1' } });
    let stderr = '';
    await new Promise<void>((resolve) => push.stderr!.on('data', (chunk: Buffer) => ((stderr += chunk), /uploading new layers/.test(stderr) && resolve())));
    await new Promise((resolve) => setTimeout(resolve, 500));
    registry.stop();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await registry.start();
    const result = await push;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/retr(y|ies|ying)/i);
    const name = repo.ref.slice(registry.host.length + 1, repo.ref.lastIndexOf(':'));
    expect(result.stdout).toBe(`${registry.host}/${name}@${await remoteDigest(registry.host, name, repo.sha)}`);
  });

  it('with the registry down, fails after bounded retries (exit 2) and reports nothing as pushed', async () => {
    const registry = ownRegistry();
    const repo = await built(`${registry.host}/${unique('down')}`);
    const result = await dagship(['push', repo.dir]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: cannot reach the registry ${registry.host} (http://${registry.host}): connect ECONNREFUSED`);
    expect(result.stdout).toBe('');
  });

  it('is reproducible through the registry: rebuilt after removal and pushed elsewhere, the manifest digest is the same', async () => {
    const repository = `${env.registry}/${unique('repro')}`;
    const repo = await built(repository);
    const first = await dagship(['push', repo.dir]);
    expect(first.exitCode).toBe(0);
    await docker.getImage(repo.ref).remove();
    expect((await dagship(['build', repo.dir])).exitCode).toBe(0);
    const elsewhere = `${env.authRegistry}/${unique('repro')}`;
    await docker.getImage(repo.ref).tag({ repo: elsewhere, tag: 'copy' });
    made.push(`${elsewhere}:copy`);
    const second = await dagship(['push', '--image', `${elsewhere}:copy`], { env: { DAGSHIP_REGISTRY_USERNAME: env.authUser, DAGSHIP_REGISTRY_PASSWORD: env.authPassword } });
    expect(second.exitCode).toBe(0);
    expect(second.stdout.split('@')[1]).toBe(first.stdout.split('@')[1]);
  });
});
