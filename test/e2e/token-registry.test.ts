import Docker from 'dockerode';
import { execa } from 'execa';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeHarness } from '../fixtures/kube/harness.js';
import { dagship } from './cli.js';
import { exampleRepo, pinnedFrom } from './example-repo.js';
import { infra } from './infra.js';

/*
 * Every registry-touching path (push, the tag look-up that keeps tags immutable, tag → digest
 * resolution, the check result written and read by the release gate) against the distribution registry
 * with `auth: token` and test/infra's token service, with credentials from each place users keep them.
 */

const env = infra();
const kube = kubeHarness(env.kubeconfig);
const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });
const registry = env.tokenRegistry;
const made: string[] = [];
const namespaces: string[] = [];
const spawned: ChildProcess[] = [];
/** Secrets a command must never print: the password, Basic's encoding of it, identity tokens. */
const secrets = [env.authPassword, Buffer.from(`${env.authUser}:${env.authPassword}`).toString('base64')];
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

const temp = (what: string) => mkdtempSync(path.join(tmpdir(), `dagship-token-${what}-`));
const keys = temp('keys');
const team = { key: path.join(keys, 'team.key'), pub: path.join(keys, 'team.pub') };

/** The built CLI; whatever it prints is checked for secrets and tokens on every call. */
async function run(args: string[], extraEnv: Record<string, string>) {
  const result = await dagship(args, { env: { KUBECONFIG: env.kubeconfig, ...extraEnv } });
  const printed = `${result.stdout}\n${result.stderr}`;
  for (const secret of secrets) expect(printed.includes(secret), `a secret in the output of dagship ${args[0]}`).toBe(false);
  expect(JWT.test(printed), `a token in the output of dagship ${args[0]}`).toBe(false);
  return result;
}

function dockerConfig(content: object): string {
  const dir = temp('config');
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(content));
  return dir;
}

/** `docker-credential-dagship-test` on PATH, answering `get` for the token registry per Docker's helper protocol. */
function credentialHelper(secret: string): Record<string, string> {
  const bin = temp('helper');
  writeFileSync(
    path.join(bin, 'docker-credential-dagship-test'),
    `#!/bin/sh\n[ "$1" = get ] || exit 1\nread -r server\n` +
      `[ "$server" = '${registry}' ] || { echo 'credentials not found in native keychain'; exit 1; }\n` +
      `printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' "$server" '${env.authUser}' '${secret}'\n`,
    { mode: 0o700 },
  );
  return { PATH: `${bin}:${process.env.PATH}`, DOCKER_CONFIG: dockerConfig({ credHelpers: { [registry]: 'dagship-test' } }) };
}

/** A real `docker login`: the token service's OAuth2 form hands the CLI a refresh token (identitytoken). */
async function dockerLogin(): Promise<Record<string, string>> {
  const dir = temp('login');
  await execa('docker', ['login', '--username', env.authUser, '--password-stdin', registry], { input: env.authPassword, env: { DOCKER_CONFIG: dir, DOCKER_HOST: env.dockerHost } });
  const entry = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).auths[registry] as { identitytoken?: string };
  expect(entry.identitytoken).toBeTruthy();
  secrets.push(entry.identitytoken!);
  return { DOCKER_CONFIG: dir };
}

const sources: [string, () => Promise<Record<string, string>>, string][] = [
  ['config.json auths', async () => ({ DOCKER_CONFIG: dockerConfig({ auths: { [registry]: { auth: secrets[1] } } }) }), `config.json (auths.${registry}))`],
  [
    'DAGSHIP_REGISTRY_USERNAME/PASSWORD',
    async () => ({ DOCKER_CONFIG: dockerConfig({}), DAGSHIP_REGISTRY_USERNAME: env.authUser, DAGSHIP_REGISTRY_PASSWORD: env.authPassword }),
    '(from DAGSHIP_REGISTRY_USERNAME/PASSWORD)',
  ],
  ['a credential helper (credHelpers)', async () => credentialHelper(env.authPassword), '(from credential helper docker-credential-dagship-test)'],
  ['docker login (an identity token)', dockerLogin, 'as token (from '],
];

/** A one-file image made by the engine (docker import) under `name:tag`. */
async function tinyImage(name: string, tag: string, content: string): Promise<void> {
  const tar = pack();
  tar.entry({ name: 'hello.txt' }, content);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  const stream = await docker.importImage(Readable.from([Buffer.concat(chunks)]), { repo: name, tag });
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
  made.push(`${name}:${tag}`);
}

/** The digest the registry serves for a tag, asked with a token of our own (not through dagship). */
async function servedDigest(repository: string, tag: string): Promise<string> {
  const challenge = (await fetch(`http://${registry}/v2/`)).headers.get('www-authenticate') ?? '';
  const param = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(challenge)?.[1] ?? '';
  const query = new URLSearchParams({ service: param('service'), scope: `repository:${repository}:pull` });
  const answer = await fetch(`${param('realm')}?${query}`, { headers: { authorization: `Basic ${secrets[1]}` } });
  const token = ((await answer.json()) as { token: string }).token;
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
  });
  expect(response.status).toBe(200);
  return response.headers.get('docker-content-digest')!;
}

const deploy = (image: string, ns: string, creds: Record<string, string>, extra: string[] = []) =>
  run(['deploy', '--image', image, '--release', 'airflow', '-n', ns, '--timeout', '90s', ...extra], creds);

async function release(): Promise<string> {
  const ns = await kube.release('token');
  namespaces.push(ns);
  return ns;
}

/** The example repository shipped (built, checked, pushed, result recorded) to the token registry. */
const shipped = { repo: '', tagged: '', pinned: '' };

beforeAll(async () => {
  expect((await dagship(['keygen', '-o', path.join(keys, 'team')])).exitCode).toBe(0);
  shipped.repo = exampleRepo({ ...env, registry }, {}, 'token');
  const creds = { DOCKER_CONFIG: dockerConfig({}), DAGSHIP_REGISTRY_USERNAME: env.authUser, DAGSHIP_REGISTRY_PASSWORD: env.authPassword };
  const result = await run(['ship', shipped.repo], { ...creds, DAGSHIP_SIGNING_KEY: readFileSync(team.key, 'utf8') });
  expect(result.exitCode, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/recorded result 'passed' \(signed\)/);
  shipped.pinned = pinnedFrom(result.stdout);
  const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: shipped.repo, encoding: 'utf8' }).trim();
  shipped.tagged = `${shipped.pinned.split('@')[0]}:${sha}`;
  made.push(shipped.tagged);
}, 600_000);

afterAll(async () => {
  for (const child of spawned) child.kill('SIGKILL');
  await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
  for (const ref of made)
    await docker
      .getImage(ref)
      .remove({ force: true })
      .catch(() => undefined);
});

describe.each(sources)('the token-auth registry, credentials from %s', (_name, source, from) => {
  let creds: Record<string, string>;
  beforeAll(async () => {
    creds = await source();
  });

  it('pushes and reads the tag back; other content under the same tag is refused (exit 1)', async () => {
    const name = `${registry}/dagship-test/token-${randomBytes(4).toString('hex')}`;
    const repository = name.slice(registry.length + 1);
    await tinyImage(name, 'v1', `first ${name}\n`);
    const pushed = await run(['push', '--image', `${name}:v1`, '--verbose'], creds);
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(pushed.stderr).toContain(from);
    expect(pushed.stdout).toBe(`${name}@${await servedDigest(repository, 'v1')}`);
    await tinyImage(name, 'v1', `other content under ${name}\n`);
    const refused = await run(['push', '--image', `${name}:v1`], creds);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`error: ${name}:v1 already exists in the registry with different content: ${pushed.stdout}`);
    expect(refused.stdout).toBe('');
  });

  it('records a check result, then deploys the tag as the digest the registry serves, through the release gate', async () => {
    const checked = await run(['check', shipped.repo, '--image', shipped.pinned, '--attest'], { ...creds, DAGSHIP_SIGNING_KEY: readFileSync(team.key, 'utf8') });
    expect(checked.stderr).toMatch(/recorded result 'passed' \(signed\)/);
    expect(checked.exitCode, checked.stderr).toBe(0);
    const ns = await release();
    const deployed = await deploy(shipped.tagged, ns, creds, ['--public-key', team.pub]);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain(`resolved ${shipped.tagged} → ${shipped.pinned}`);
    // Only what survives a change of the result format: it was read, verified and passed.
    expect(deployed.stderr).toMatch(/release gate: \S+ passed .*signed by/);
    expect((await kube.images(ns))['airflow-scheduler']).toContain(`scheduler=${shipped.pinned}`);
  });
});

/** A port nothing listens on: bound by the system, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A token-auth registry of this test's own whose token service (its realm) is down. */
async function registryWithDeadTokenService(): Promise<{ host: string; realm: string }> {
  const dir = temp('dead-realm');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${dir}/key`, '-out', `${dir}/cert`, '-subj', '/CN=nobody', '-days', '1'], {
    stdio: 'ignore',
  });
  const [port, realmPort] = [await closedPort(), await closedPort()];
  const realm = `http://127.0.0.1:${realmPort}/token`;
  writeFileSync(
    `${dir}/config.yml`,
    `version: 0.1\nlog: {level: warn}\nstorage: {filesystem: {rootdirectory: ${dir}/data}}\nhttp: {addr: 127.0.0.1:${port}}\n` +
      `auth: {token: {realm: "${realm}", service: nobody, issuer: nobody, rootcertbundle: ${dir}/cert}}\n`,
  );
  spawned.push(spawn('docker-registry', ['serve', `${dir}/config.yml`], { stdio: 'ignore' }));
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      (await fetch(`http://${host}/v2/`).then(
        (r) => r.status,
        () => 0,
      )) === 401
    )
      return { host, realm };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`own registry on ${host} did not start`);
}

describe('the token-auth registry refuses clearly (exit 2, with a hint)', () => {
  it('a wrong password or none: push and deploy name the registry and its token service', async () => {
    const name = `${registry}/dagship-test/token-wrong-${randomBytes(4).toString('hex')}`;
    await tinyImage(name, 'v1', `${name}\n`);
    const wrong = { DOCKER_CONFIG: dockerConfig({}), DAGSHIP_REGISTRY_USERNAME: env.authUser, DAGSHIP_REGISTRY_PASSWORD: 'not-the-password' };
    const pushed = await run(['push', '--image', `${name}:v1`, '--verbose'], wrong);
    expect(pushed.exitCode).toBe(2);
    expect(pushed.stderr).toContain(
      `error: the registry ${registry} refused the credentials for user '${env.authUser}' (HTTP 401 from its token service ${env.tokenService}, from DAGSHIP_REGISTRY_USERNAME/PASSWORD)`,
    );
    expect(pushed.stderr).toContain(`hint: check the password (docker login ${registry} again, or fix DAGSHIP_REGISTRY_PASSWORD)`);
    expect(pushed.stderr).not.toContain('not-the-password');
    expect(pushed.stdout).toBe('');

    const ns = await release();
    const before = await kube.images(ns);
    const helper = await deploy(shipped.tagged, ns, credentialHelper('not-the-password'), ['--public-key', team.pub]);
    expect(helper.exitCode).toBe(2);
    expect(helper.stderr).toContain(
      `cannot resolve ${shipped.tagged} to a digest: the registry ${registry} refused the credentials for user '${env.authUser}' (HTTP 401 from its token service ${env.tokenService}, from credential helper docker-credential-dagship-test)`,
    );
    expect(helper.stderr).not.toContain('not-the-password');
    // Anonymous: the token service gives a token without access, and the registry asks for credentials.
    const anonymous = await deploy(shipped.tagged, ns, { DOCKER_CONFIG: dockerConfig({}) }, ['--public-key', team.pub]);
    expect(anonymous.exitCode).toBe(2);
    expect(anonymous.stderr).toContain(`the registry ${registry} asks for credentials (HTTP 401) and none were found`);
    expect(anonymous.stderr).toContain(`hint: run docker login ${registry}`);
    expect(await kube.images(ns)).toEqual(before);
  });

  it('a token service that is down: push and deploy say so, naming it and the registry, and push nothing', async () => {
    const own = await registryWithDeadTokenService();
    const name = `${own.host}/dagship-test/token-down`;
    await tinyImage(name, 'v1', `${name} ${randomBytes(4).toString('hex')}\n`);
    const creds = { DOCKER_CONFIG: dockerConfig({}), DAGSHIP_REGISTRY_USERNAME: env.authUser, DAGSHIP_REGISTRY_PASSWORD: env.authPassword };
    const realmHost = new URL(own.realm).host;
    const message = `cannot reach the token service ${realmHost} that the registry ${own.host} sends clients to for credentials (${own.realm}): connect ECONNREFUSED ${realmHost}`;
    const hint = `hint: the registry answers, but its token service does not: check that ${own.realm} is up and reachable from this machine, then run the command again`;
    const pushed = await run(['push', '--image', `${name}:v1`], creds);
    expect(pushed.exitCode).toBe(2);
    expect(pushed.stderr).toContain(`error: ${message}`);
    expect(pushed.stderr).toContain(hint);
    expect(pushed.stdout).toBe('');
    const ns = await release();
    const deployed = await deploy(`${name}:v1`, ns, creds, ['--skip-verify']);
    expect(deployed.exitCode).toBe(2);
    expect(deployed.stderr).toContain(`error: cannot resolve ${name}:v1 to a digest: ${message}`);
    expect(deployed.stderr).toContain(hint);
  });
});
