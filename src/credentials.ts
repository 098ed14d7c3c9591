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
