import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { DagshipError } from './errors.js';
import { run } from './exec.js';
import { mask, tail } from './text.js';

/** Registry credentials. Never print them: `source` says where they came from, for messages. */
export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (a helper's `<token>` user, or `identitytoken` in config.json). */
  identityToken?: string;
  source: string;
}

export interface CredentialOptions {
  env?: NodeJS.ProcessEnv;
  /** `--username` with `--password-stdin`: wins over everything else. */
  explicit?: { username: string; password: string };
  /** Where credential helpers run. */
  cwd?: string;
  /**
   * The registry the flag and DAGSHIP_REGISTRY_* credentials are meant for (the push target). Any other
   * registry (a base image's, say) gets only what config.json holds for it, so they never leak elsewhere.
   */
  target?: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/**
 * Credentials for a registry host, found the way Docker users expect: `--username`/`--password-stdin`,
 * then DAGSHIP_REGISTRY_USERNAME/PASSWORD, then ~/.docker/config.json (DOCKER_CONFIG respected):
 * `credHelpers[host]`, else `credsStore`, else `auths[host]`. Undefined means anonymous.
 */
export async function resolveCredentials(registry: string, options: CredentialOptions = {}): Promise<Credentials | undefined> {
  const env = options.env ?? process.env;
  const forTarget = !options.target || credentialHost(options.target) === credentialHost(registry);
  if (options.explicit && forTarget) return { ...options.explicit, source: '--username/--password-stdin' };
  const user = env.DAGSHIP_REGISTRY_USERNAME;
  const password = env.DAGSHIP_REGISTRY_PASSWORD;
  if ((user || password) && forTarget) {
    if (!user || !password) {
      throw new DagshipError(
        `only ${user ? 'DAGSHIP_REGISTRY_USERNAME' : 'DAGSHIP_REGISTRY_PASSWORD'} is set`,
        'set both DAGSHIP_REGISTRY_USERNAME and DAGSHIP_REGISTRY_PASSWORD, or neither',
        'config',
      );
    }
    return { username: user, password, source: 'DAGSHIP_REGISTRY_USERNAME/PASSWORD' };
  }
  const file = path.join(env.DOCKER_CONFIG || path.join(env.HOME || homedir(), '.docker'), 'config.json');
  const config = readDockerConfig(file);
  if (!config) return undefined;
  const host = credentialHost(registry);
  const helper = config.credHelpers?.[host] ?? matchingKey(config.credHelpers, host) ?? config.credsStore;
  if (helper) {
    const fromHelper = await fromCredentialHelper(helper, host, options.cwd ?? process.cwd());
    if (fromHelper) return fromHelper;
  }
  return fromAuths(config, host, file);
}

/**
 * resolveCredentials with these options, asked once per registry host: a command reads one registry
 * several times (a tag lookup, the push, the release gate) and a credential helper (ECR, GCR) may take
 * a second to answer.
 */
export function credentialsOnce(options: CredentialOptions = {}): (registry: string) => Promise<Credentials | undefined> {
  const asked = new Map<string, Promise<Credentials | undefined>>();
  return (registry) => {
    if (!asked.has(registry)) asked.set(registry, resolveCredentials(registry, options));
    return asked.get(registry)!;
  };
}

/** The secrets inside credentials, for masking anything that might echo them. */
export function secretsOf(credentials: Credentials | undefined): string[] {
  if (!credentials) return [];
  const pair = credentials.username && credentials.password ? [Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')] : [];
  return [credentials.password, credentials.identityToken, ...pair].filter((s): s is string => Boolean(s));
}

/** Docker's key for a registry: Docker Hub's credentials live under index.docker.io. */
export function credentialHost(registry: string): string {
  return ['docker.io', 'registry-1.docker.io', 'index.docker.io'].includes(registry) ? 'index.docker.io' : registry;
}

/** Docker's normalisation of config.json keys: no scheme, no path ("https://host/v1/" → "host"). */
export function normaliseKey(key: string): string {
  return key.replace(/^https?:\/\//, '').split('/')[0]!;
}

function matchingKey<T>(entries: Record<string, T> | undefined, host: string): T | undefined {
  return Object.entries(entries ?? {}).find(([key]) => normaliseKey(key) === host)?.[1];
}

function readDockerConfig(file: string): DockerConfig | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DockerConfig;
  } catch (err) {
    throw new DagshipError(`${file} is not valid JSON: ${(err as Error).message}`, 'fix the file (docker login rewrites it) or point DOCKER_CONFIG elsewhere', 'config');
  }
}

function fromAuths(config: DockerConfig, host: string, file: string): Credentials | undefined {
  const entry = matchingKey(config.auths, host);
  if (!entry) return undefined;
  const source = `${file} (auths.${host})`;
  if (entry.identitytoken) return { identityToken: entry.identitytoken, username: entry.username, source };
  if (entry.username && entry.password) return { username: entry.username, password: entry.password, source };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) {
    throw new DagshipError(`${source}: 'auth' is not base64 of user:password`, `run docker login ${host} again, or fix the entry`, 'config');
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
}

/** The credential-helper protocol: `docker-credential-<name> get`, server URL on stdin, JSON out. */
async function fromCredentialHelper(name: string, host: string, cwd: string): Promise<Credentials | undefined> {
  const program = `docker-credential-${name}`;
  const server = host === 'index.docker.io' ? 'https://index.docker.io/v1/' : host;
  const result = await run(program, ['get'], { cwd, input: server });
  if (result.exitCode !== 0) {
    if (/credentials not found/i.test(result.stdout + result.stderr)) return undefined;
    throw new DagshipError(
      `${program} get failed for ${host}: ${tail(result.stderr || result.stdout, 2)}`,
      `check the credential helper '${name}' named in ~/.docker/config.json, or run docker login ${host}`,
      'config',
    );
  }
  let answer: { Username?: string; Secret?: string };
  try {
    answer = JSON.parse(result.stdout) as typeof answer;
  } catch {
    throw new DagshipError(`${program} get answered something that is not JSON`, `run 'echo ${server} | ${program} get' to see what it prints`, 'config');
  }
  if (!answer.Secret) return undefined;
  const source = `credential helper ${program}`;
  if (answer.Username === '<token>') return { identityToken: answer.Secret, source };
  return { username: answer.Username, password: answer.Secret, source };
}

/** Engine API X-Registry-Auth for these credentials; `{}` for anonymous (API 1.41 wants the header). */
export function engineAuth(credentials: Credentials | undefined, serveraddress: string): Record<string, string> {
  if (!credentials) return {};
  if (credentials.identityToken) return { identitytoken: credentials.identityToken, serveraddress };
  return { username: credentials.username ?? '', password: credentials.password ?? '', serveraddress };
}

/** `text` with every secret of `credentials` replaced by ***. */
export function maskCredentials(text: string, credentials: Credentials | undefined): string {
  return mask(text, secretsOf(credentials));
}

/** A registry's WWW-Authenticate challenge. */
export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`; undefined for other schemes. */
export function parseChallenge(header: string | null): Challenge | undefined {
  const match = /^\s*(basic|bearer)\b\s*(.*)$/i.exec(header ?? '');
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of match[2]!.matchAll(/([a-z_]+)="([^"]*)"/gi)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme: match[1]!.toLowerCase() as Challenge['scheme'], params };
}

/**
 * The Authorization header answering a challenge: Basic with the credentials, or a Bearer token from the
 * challenge's realm (Docker's token flow; with an identity token, the OAuth2 refresh-token flow).
 * Undefined when Basic is asked for and there are no credentials. Throws when the token service refuses.
 */
export async function authorize(challenge: Challenge, credentials: Credentials | undefined, scope: string, fetchImpl: typeof fetch = fetch): Promise<string | undefined> {
  const basic = credentials?.username && credentials.password ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
  if (challenge.scheme === 'basic') return basic;
  const realm = challenge.params.realm;
  if (!realm) throw new DagshipError('the registry asked for a bearer token without naming a token service (realm)', 'check the registry configuration', 'infra');
  const query = new URLSearchParams(challenge.params.service ? { service: challenge.params.service } : {});
  // Docker's token flow repeats `scope` for each repository (a blob mount needs two); OAuth2's form joins them.
  for (const one of scope.split(' ')) query.append('scope', one);
  const response = credentials?.identityToken
    ? await fetchImpl(realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: 'dagship', ...Object.fromEntries(query), scope }).toString(),
        signal: AbortSignal.timeout(30_000),
      })
    : await fetchImpl(`${realm}?${query}`, { headers: basic ? { authorization: basic } : {}, signal: AbortSignal.timeout(30_000) });
  if (response.status === 401 || response.status === 403) throw refusedError(new URL(realm).host, credentials, response.status);
  if (!response.ok) throw new DagshipError(`the token service ${new URL(realm).host} answered ${response.status}`, 'try again; if it persists, check the registry status', 'infra');
  const body = (await response.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new DagshipError(`the token service ${new URL(realm).host} answered without a token`, 'check the registry configuration', 'infra');
  return `Bearer ${token}`;
}

/** The one message for credentials a registry (or its token service) turned down. */
export function refusedError(host: string, credentials: Credentials | undefined, status: number): DagshipError {
  if (!credentials) {
    return new DagshipError(
      `the registry ${host} asks for credentials (HTTP ${status}) and none were found`,
      `run docker login ${host}, set DAGSHIP_REGISTRY_USERNAME and DAGSHIP_REGISTRY_PASSWORD, or pass --username with --password-stdin`,
      'infra',
    );
  }
  const who = credentials.username ? `user '${credentials.username}'` : 'the identity token';
  return new DagshipError(
    status === 403
      ? `the registry ${host} denied ${who} (HTTP 403, credentials from ${credentials.source}): not allowed on this repository`
      : `the registry ${host} refused the credentials for ${who} (HTTP 401, from ${credentials.source})`,
    status === 403 ? 'check that the account may push to this repository' : `check the password (docker login ${host} again, or fix DAGSHIP_REGISTRY_PASSWORD)`,
    'infra',
  );
}
