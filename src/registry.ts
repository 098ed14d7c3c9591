import { createHash } from 'node:crypto';
import { authorize, parseChallenge, refusedError, type Credentials } from './credentials.js';
import { DagshipError, reasonOf } from './errors.js';

export interface RegistryStatus {
  /** The base URL that answered, e.g. http://127.0.0.1:5000 */
  url: string;
  /** The registry asks for credentials (HTTP 401 on /v2/). */
  authRequired: boolean;
}

export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** An OCI distribution registry, over its HTTP API. */
export interface Registry {
  readonly host: string;
  ping(): Promise<RegistryStatus>;
}

/** What a tag (or digest) points at in a registry. */
export interface RemoteManifest {
  /** sha256 of the manifest as served: what `repository@sha256:…` pins. */
  digest: string;
  mediaType: string;
  /** The image config digest (= the image ID); absent for a manifest list. */
  configDigest?: string;
  /** A manifest list or OCI index (a multi-platform image), not a single image. */
  isList: boolean;
  /** The layer blobs (compressed), in rootfs order; empty for a manifest list. */
  layers: { digest: string; size: number }[];
}

/** A registry that also reads manifests, with the user's credentials. */
export interface RegistryClient extends Registry {
  /** The manifest behind a tag or digest, or undefined when the registry has none. */
  manifest(repository: string, reference: string): Promise<RemoteManifest | undefined>;
}

/** A registry client that also stores and reads small artifacts beside images (dagship's check results). */
export interface ArtifactRegistry extends RegistryClient {
  /** The manifest's exact bytes (what its digest covers), or undefined. */
  rawManifest(repository: string, reference: string): Promise<{ body: Buffer; mediaType: string } | undefined>;
  /** A blob's bytes, checked against its digest; undefined when the registry has none. */
  blob(repository: string, digest: string): Promise<Buffer | undefined>;
  /** Uploads a small blob in one request (skipped when the registry has it); returns its digest. */
  putBlob(repository: string, data: Buffer): Promise<string>;
  /** Stores a manifest under a tag; returns its digest. */
  putManifest(repository: string, tag: string, body: Buffer, mediaType: string): Promise<string>;
}

export interface RegistryOptions {
  credentials?: Credentials;
  /** Waits before each retry of a transient failure (refused or reset connection, 5xx, 429). */
  retryDelaysMs?: number[];
}

/** Both Docker and OCI single-image and multi-platform manifest types. */
export const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
];

/**
 * Docker's rule: registries on loopback speak plain HTTP by default, everything else HTTPS.
 * dagship follows it so the same reference works with `docker push` and with dagship.
 */
export function registryBaseUrl(host: string): string {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
  return `${loopback ? 'http' : 'https'}://${host}`;
}

/** Splits `registry/repo/path:tag@sha256:…` the way Docker does (Docker Hub when no registry host is named). */
export function parseImageReference(ref: string): ImageReference {
  const match = /^(?<name>[^@]+?)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/.exec(ref);
  const name = match?.groups?.name;
  if (!name || /[A-Z\s]/.test(name)) {
    throw new DagshipError(
      `invalid image reference '${ref}'`,
      'expected [registry/]repository[:tag][@sha256:digest], e.g. registry.example.com/team/airflow:1a2b3c',
      'usage',
    );
  }
  const [first, ...rest] = name.split('/');
  const firstIsHost = rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost');
  return {
    registry: firstIsHost ? first! : 'docker.io',
    repository: firstIsHost ? rest.join('/') : rest.length ? name : `library/${name}`,
    tag: match.groups?.tag,
    digest: match.groups?.digest,
  };
}

/** The host that serves a registry's API (Docker Hub's is not docker.io itself). */
export function registryApiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

export function connectRegistry(host: string, fetchImpl: typeof fetch = fetch, options: RegistryOptions = {}): ArtifactRegistry {
  const url = registryBaseUrl(host);
  const request = authorizedRequest({ host, url, fetchImpl, credentials: options.credentials, delays: options.retryDelaysMs ?? [500, 1000, 2000, 4000] });
  const pull = (repository: string) => `repository:${repository}:pull`;
  const push = (repository: string) => `repository:${repository}:pull,push`;
  const failed = (response: Response, what: string) => {
    if (response.status === 403) return refusedError(host, options.credentials, 403);
    return new DagshipError(`the registry ${host} answered ${response.status} for ${what}`, 'try again; if it persists, check the registry status and its logs', 'infra');
  };
  const rawManifest = async (repository: string, reference: string) => {
    const response = await request(`${url}/v2/${repository}/manifests/${reference}`, pull(repository), { accept: MANIFEST_TYPES.join(', ') });
    if (response.status === 404) return undefined;
    if (!response.ok) throw failed(response, `${repository}:${reference}`);
    return { body: Buffer.from(await response.arrayBuffer()), mediaType: response.headers.get('content-type') ?? '' };
  };
  return {
    host,
    async ping() {
      let response: Response;
      try {
        response = await fetchImpl(`${url}/v2/`, { signal: AbortSignal.timeout(10_000) });
      } catch (err) {
        throw networkError(host, url, err);
      }
      if (response.status === 200 || response.status === 401) return { url, authRequired: response.status === 401 };
      throw new DagshipError(
        `the registry ${host} answered ${response.status} on ${url}/v2/; it does not look like an OCI registry`,
        'check the registry host in the image repository',
        'infra',
      );
    },
    async manifest(repository, reference) {
      const raw = await rawManifest(repository, reference);
      return raw && parseManifest(raw.body, raw.mediaType);
    },
    rawManifest,
    async blob(repository, digest) {
      const response = await request(`${url}/v2/${repository}/blobs/${digest}`, pull(repository), {});
      if (response.status === 404) return undefined;
      if (!response.ok) throw failed(response, `blob ${digest} of ${repository}`);
      const body = Buffer.from(await response.arrayBuffer());
      if (sha256(body) !== digest) throw new DagshipError(`the registry ${host} served blob ${digest} with other content`, 'the registry storage may be corrupt; check it', 'infra');
      return body;
    },
    async putBlob(repository, data) {
      const digest = sha256(data);
      const head = await request(`${url}/v2/${repository}/blobs/${digest}`, push(repository), {}, 'HEAD');
      if (head.ok) return digest;
      const started = await request(`${url}/v2/${repository}/blobs/uploads/`, push(repository), {}, 'POST');
      const location = started.headers.get('location');
      if (started.status !== 202 || !location) throw failed(started, `an upload to ${repository}`);
      const target = new URL(location, url);
      target.searchParams.set('digest', digest);
      const put = await request(target.toString(), push(repository), { 'content-type': 'application/octet-stream' }, 'PUT', data);
      if (put.status !== 201) throw failed(put, `blob ${digest} of ${repository}`);
      return digest;
    },
    async putManifest(repository, tag, body, mediaType) {
      const response = await request(`${url}/v2/${repository}/manifests/${tag}`, push(repository), { 'content-type': mediaType }, 'PUT', body);
      if (response.status !== 201) throw failed(response, `manifest ${repository}:${tag}: ${(await response.text()).slice(0, 300)}`);
      return sha256(body);
    },
  };
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

interface Connection {
  host: string;
  url: string;
  fetchImpl: typeof fetch;
  credentials?: Credentials;
  delays: number[];
}

/** Requests that answer the registry's auth challenge (Basic, or a Bearer token per scope, kept for reuse). */
function authorizedRequest(c: Connection) {
  const tokens = new Map<string, string>();
  return async (target: string, scope: string, headers: Record<string, string>, method = 'GET', body?: Buffer): Promise<Response> => {
    const known = tokens.get(scope);
    let response = await retrying(c, target, { method, body, headers: { ...headers, ...(known ? { authorization: known } : {}) } });
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    let authorization: string | undefined;
    try {
      authorization = challenge && (await authorize(challenge, c.credentials, scope, c.fetchImpl));
    } catch (err) {
      throw err instanceof DagshipError ? err : networkError(c.host, c.url, err);
    }
    if (!authorization) throw refusedError(c.host, c.credentials, 401);
    tokens.set(scope, authorization);
    response = await retrying(c, target, { method, body, headers: { ...headers, authorization } });
    if (response.status === 401 || response.status === 403) throw refusedError(c.host, c.credentials, response.status);
    return response;
  };
}

/** One request, retried with growing waits while the failure is transient (refused, reset, 5xx, 429). */
async function retrying(c: Connection, target: string, init: { method: string; body?: Buffer; headers: Record<string, string> }): Promise<Response> {
  for (let i = 0; ; i++) {
    try {
      const body = init.body && new Uint8Array(init.body);
      const response = await c.fetchImpl(target, { ...init, body, redirect: 'follow', signal: AbortSignal.timeout(30_000) });
      if ((response.status < 500 && response.status !== 429) || i >= c.delays.length) return response;
    } catch (err) {
      if (!isTransient(err) || i >= c.delays.length) throw networkError(c.host, c.url, err);
    }
    await new Promise((resolve) => setTimeout(resolve, c.delays[i]));
  }
}

/** A manifest as served: its digest is the sha256 of these exact bytes. */
export function parseManifest(body: Buffer, contentType: string | null): RemoteManifest {
  const json = JSON.parse(body.toString('utf8')) as { mediaType?: string; config?: { digest?: string }; manifests?: unknown[]; layers?: { digest: string; size: number }[] };
  const mediaType = json.mediaType ?? contentType?.split(';')[0] ?? '';
  const isList = Array.isArray(json.manifests) || /manifest\.list|image\.index/.test(mediaType);
  return { digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, mediaType, configDigest: isList ? undefined : json.config?.digest, isList, layers: (json.layers ?? []).map((l) => ({ digest: l.digest, size: l.size })) };
}

const TRANSIENT = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'];

function codeOf(err: unknown): string | undefined {
  const inner = (err as { cause?: unknown })?.cause ?? err;
  const code = (inner as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  return (err as { name?: string })?.name === 'TimeoutError' ? 'ETIMEDOUT' : undefined;
}

function isTransient(err: unknown): boolean {
  return TRANSIENT.includes(codeOf(err) ?? '');
}

/** One message per network failure: an unknown host is said so, everything else names the URL. */
function networkError(host: string, url: string, err: unknown): DagshipError {
  const code = codeOf(err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new DagshipError(
      `unknown registry host ${host.replace(/:\d+$/, '')}: the name does not resolve (${code})`,
      "check the registry host in 'repository' (dagship.yaml or --repository) and this machine's DNS",
      'infra',
      { cause: err },
    );
  }
  return new DagshipError(
    `cannot reach the registry ${host} (${url}): ${reasonOf((err as { cause?: unknown }).cause ?? err)}`,
    'check the registry host and port in the image repository, and that the registry is running',
    'infra',
    { cause: err },
  );
}
