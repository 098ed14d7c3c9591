import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, parseChallenge } from '../../src/registry/auth.js';
import { credentialHost, credentialsOnce, engineAuth, maskCredentials, normaliseKey, resolveCredentials, secretsOf } from '../../src/credentials.js';
import { DagshipError } from '../../src/errors.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A DOCKER_CONFIG folder holding this config.json. */
function dockerConfig(config: unknown): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagship-docker-config-'));
  writeFileSync(path.join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return { DOCKER_CONFIG: dir, HOME: '/nonexistent' };
}

// A real credential helper on PATH, speaking Docker's protocol: server URL on stdin, JSON out.
const bin = mkdtempSync(path.join(tmpdir(), 'dagship-helpers-'));
const asked = path.join(bin, 'asked');
const savedPath = process.env.PATH;
beforeAll(() => {
  mkdirSync(bin, { recursive: true });
  const helper = path.join(bin, 'docker-credential-dagshiptest');
  writeFileSync(
    helper,
    `#!/bin/sh
read server
echo "$1 $server" >> ${asked}
case "$server" in
  reg.example.com) echo '{"ServerURL":"reg.example.com","Username":"robot","Secret":"s3cret-from-helper"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"https://index.docker.io/v1/","Username":"<token>","Secret":"refresh-token"}' ;;
  broken.example.com) echo 'helper exploded' >&2; exit 3 ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
`,
  );
  chmodSync(helper, 0o755);
  process.env.PATH = `${bin}:${savedPath}`;
});
afterAll(() => {
  process.env.PATH = savedPath;
});

describe('resolveCredentials', () => {
  it('reads auths: base64 auth, under any spelling of the key', async () => {
    const env = dockerConfig({ auths: { 'https://reg.example.com/v1/': { auth: b64('me:p@ss:word') } } });
    expect(await resolveCredentials('reg.example.com', { env })).toMatchObject({ username: 'me', password: 'p@ss:word' });
  });

  it('reads auths: username/password and identitytoken', async () => {
    const env = dockerConfig({ auths: { 'reg.example.com': { username: 'u', password: 'p' }, 'tok.example.com': { identitytoken: 'idt' } } });
    expect(await resolveCredentials('reg.example.com', { env })).toMatchObject({ username: 'u', password: 'p' });
    expect(await resolveCredentials('tok.example.com', { env })).toMatchObject({ identityToken: 'idt' });
    expect(await resolveCredentials('other.example.com', { env })).toBeUndefined();
  });

  it('asks credHelpers[host] first, with the server on stdin', async () => {
    const env = dockerConfig({ credHelpers: { 'reg.example.com': 'dagshiptest' }, auths: { 'reg.example.com': { auth: b64('stale:old') } } });
    const found = await resolveCredentials('reg.example.com', { env });
    expect(found).toMatchObject({ username: 'robot', password: 's3cret-from-helper', source: 'credential helper docker-credential-dagshiptest' });
    expect(readFileSync(asked, 'utf8')).toContain('get reg.example.com');
  });

  it('credentialsOnce asks the helper once per registry, however often a command needs it', async () => {
    const env = dockerConfig({ credHelpers: { 'reg.example.com': 'dagshiptest' } });
    const times = () => (existsSync(asked) ? readFileSync(asked, 'utf8') : '').split('\n').filter((l) => l === 'get reg.example.com').length;
    const before = times();
    const credentialsFor = credentialsOnce({ env });
    const [first, second] = await Promise.all([credentialsFor('reg.example.com'), credentialsFor('reg.example.com')]);
    expect(await credentialsFor('reg.example.com')).toBe(first);
    expect(second).toMatchObject({ username: 'robot' });
    expect(times() - before).toBe(1);
    // Another command (another resolver) asks again: nothing outlives the command.
    await credentialsOnce({ env })('reg.example.com');
    expect(times() - before).toBe(2);
  });

  it('asks credsStore for Docker Hub with its v1 URL; a <token> user is an identity token', async () => {
    const env = dockerConfig({ credsStore: 'dagshiptest' });
    const hub = await resolveCredentials('docker.io', { env });
    expect(hub).toMatchObject({ identityToken: 'refresh-token' });
    expect(hub?.username).toBeUndefined();
  });

  it('falls back to auths when the helper has nothing for the host', async () => {
    const env = dockerConfig({ credsStore: 'dagshiptest', auths: { 'unknown.example.com': { auth: b64('a:b') } } });
    expect(await resolveCredentials('unknown.example.com', { env })).toMatchObject({ username: 'a', password: 'b' });
  });

  it('says which helper failed and how', async () => {
    const env = dockerConfig({ credsStore: 'dagshiptest' });
    await expect(resolveCredentials('broken.example.com', { env })).rejects.toThrow(/docker-credential-dagshiptest get failed for broken.example.com: helper exploded/);
  });

  it('prefers --password-stdin, then DAGSHIP_REGISTRY_USERNAME/PASSWORD, over config.json', async () => {
    const env = { ...dockerConfig({ auths: { 'reg.example.com': { auth: b64('file:f') } } }), DAGSHIP_REGISTRY_USERNAME: 'envuser', DAGSHIP_REGISTRY_PASSWORD: 'envpass' };
    expect(await resolveCredentials('reg.example.com', { env })).toMatchObject({ username: 'envuser', password: 'envpass' });
    expect(await resolveCredentials('reg.example.com', { env, explicit: { username: 'flag', password: 'x' } })).toMatchObject({ username: 'flag', source: '--username/--password-stdin' });
  });

  it('gives DAGSHIP_REGISTRY_* and --username credentials only to the target registry', async () => {
    const env = { DOCKER_CONFIG: '/nonexistent', DAGSHIP_REGISTRY_USERNAME: 'u', DAGSHIP_REGISTRY_PASSWORD: 'p' };
    expect(await resolveCredentials('docker.io', { env, target: 'reg.example.com' })).toBeUndefined();
    expect(await resolveCredentials('docker.io', { env, target: 'reg.example.com', explicit: { username: 'f', password: 'x' } })).toBeUndefined();
    expect(await resolveCredentials('reg.example.com', { env, target: 'reg.example.com' })).toMatchObject({ username: 'u' });
  });

  it('refuses half of a username/password pair, and a config.json that is not JSON', async () => {
    await expect(resolveCredentials('r', { env: { DAGSHIP_REGISTRY_USERNAME: 'u' } })).rejects.toThrow(/only DAGSHIP_REGISTRY_USERNAME is set/);
    await expect(resolveCredentials('r', { env: dockerConfig('{not json') })).rejects.toThrow(DagshipError);
  });

  it('is anonymous when there is no config at all', async () => {
    expect(await resolveCredentials('reg.example.com', { env: { DOCKER_CONFIG: '/nonexistent' } })).toBeUndefined();
  });
});

describe('secrets and the Engine API', () => {
  const credentials = { username: 'me', password: 'hunter2', source: 'test' };
  it('masks the password and its base64 form', () => {
    expect(maskCredentials(`auth ${b64('me:hunter2')} and hunter2`, credentials)).toBe('auth *** and ***');
    expect(secretsOf(undefined)).toEqual([]);
  });

  it('sends {} for anonymous, and an identity token as such', () => {
    expect(engineAuth(undefined, 'r')).toEqual({});
    expect(engineAuth(credentials, 'r')).toEqual({ username: 'me', password: 'hunter2', serveraddress: 'r' });
    expect(engineAuth({ identityToken: 't', source: 's' }, 'r')).toEqual({ identitytoken: 't', serveraddress: 'r' });
  });

  it('keys Docker Hub under index.docker.io and normalises config keys', () => {
    expect(credentialHost('docker.io')).toBe('index.docker.io');
    expect(normaliseKey('https://index.docker.io/v1/')).toBe('index.docker.io');
  });
});

describe('registry auth challenges', () => {
  it('parses Basic and Bearer challenges', () => {
    expect(parseChallenge('Basic realm="dagship-test"')).toEqual({ scheme: 'basic', params: { realm: 'dagship-test' } });
    expect(parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge(null)).toBeUndefined();
  });

  it('answers Basic with the credentials, or not at all without them', async () => {
    const basic = { scheme: 'basic' as const, params: {} };
    expect(await authorize(basic, { username: 'u', password: 'p', source: 's' }, 'x')).toBe(`Basic ${b64('u:p')}`);
    expect(await authorize(basic, undefined, 'x')).toBeUndefined();
  });
});
