import { createHash } from 'node:crypto';
import type { Credentials } from '../credentials.js';
import { refusedError } from './auth.js';
import { DagshipError } from '../errors.js';
import { authorizedRequest, networkError } from './http.js';

export interface RegistryStatus {
  /** The base URL that answered, e.g. http://127.0.0.1:5000 */
  url: string;
  /** The registry asks for credentials (HTTP 401 on /v2/). */
  authRequired: boolean;
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
  /**
   * Makes a blob of repository `from` part of `repository` without uploading it (cross-repository mount).
   * False when the registry does not mount it (then it must be uploaded).
   */
  mountBlob(repository: string, digest: string, from: string): Promise<boolean>;
  /**
   * Stores a manifest under a tag or its own digest, once (never retried). `subject` is the registry's
   * OCI-Subject answer: set when it indexed the manifest's subject for the referrers API.
   */
  putManifest(repository: string, reference: string, body: Buffer, mediaType: string): Promise<{ digest: string; subject?: string }>;
  /** What refers to a digest, from the OCI 1.1 referrers API; undefined when the registry does not serve it. */
  referrers(repository: string, digest: string): Promise<Descriptor[] | undefined>;
}

/** An OCI content descriptor, as an index lists it. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface RegistryOptions {
  /** Where the host was written, named in hints: `--image` (the default says 'the image reference'). */
  source?: string;
  credentials?: Credentials;
  /** Waits before each retry of a transient failure (refused or reset connection, 5xx, 429). */
  retryDelaysMs?: number[];
  /** How long one request may wait for its answer (default 30 s); a request past it is retried. */
  requestTimeoutMs?: number;
  /** The command's deadline (`what` names it in the message): every request still running ends then. */
  deadline?: { signal: AbortSignal; what: string };
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

/** The host that serves a registry's API (Docker Hub's is not docker.io itself). */
export function registryApiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

export function connectRegistry(host: string, fetchImpl: typeof fetch = fetch, options: RegistryOptions = {}): ArtifactRegistry {
  const url = registryBaseUrl(host);
  const connection = {
    host,
    url,
    fetchImpl,
    credentials: options.credentials,
    delays: options.retryDelaysMs ?? [500, 1000, 2000, 4000],
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    deadline: options.deadline,
    source: options.source,
  };
  const request = authorizedRequest(connection);
  const pull = (repository: string) => `repository:${repository}:pull`;
  const push = (repository: string) => `repository:${repository}:pull,push`;
  const failed = (response: Response, what: string) => {
    if (response.status === 403) return refusedError(host, options.credentials, 403);
    return new DagshipError(`the registry ${host} answered ${response.status} for ${what}`, 'try again; if it persists, check the registry status and its logs', 'infra');
  };
  const rawManifest = async (repository: string, reference: string) => {
    const response = await request(`${url}/v2/${repository}/manifests/${reference}`, pull(repository), { method: 'GET', headers: { accept: MANIFEST_TYPES.join(', ') } });
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
        throw networkError({ ...connection, requestTimeoutMs: 10_000 }, err, 'on /v2/');
      }
      if (response.status === 200 || response.status === 401) return { url, authRequired: response.status === 401 };
      throw new DagshipError(`the registry ${host} answered ${response.status} on ${url}/v2/; it does not look like an OCI registry`, 'check the registry host in the image repository', 'infra');
    },
    async manifest(repository, reference) {
      const raw = await rawManifest(repository, reference);
      return raw && parseManifest(raw.body, raw.mediaType);
    },
    rawManifest,
    async blob(repository, digest) {
      const response = await request(`${url}/v2/${repository}/blobs/${digest}`, pull(repository), { method: 'GET', headers: {} });
      if (response.status === 404) return undefined;
      if (!response.ok) throw failed(response, `blob ${digest} of ${repository}`);
      const body = Buffer.from(await response.arrayBuffer());
      if (sha256(body) !== digest) throw new DagshipError(`the registry ${host} served blob ${digest} with other content`, 'the registry storage may be corrupt; check it', 'infra');
      return body;
    },
    async putBlob(repository, data) {
      const digest = sha256(data);
      const head = await request(`${url}/v2/${repository}/blobs/${digest}`, push(repository), { method: 'HEAD', headers: {} });
      if (head.ok) return digest;
      const started = await request(`${url}/v2/${repository}/blobs/uploads/`, push(repository), { method: 'POST', headers: {} });
      const location = started.headers.get('location');
      if (started.status !== 202 || !location) throw failed(started, `an upload to ${repository}`);
      const target = new URL(location, url);
      target.searchParams.set('digest', digest);
      const put = await request(target.toString(), push(repository), { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: data });
      if (put.status !== 201) throw failed(put, `blob ${digest} of ${repository}`);
      return digest;
    },
    async mountBlob(repository, digest, from) {
      // Both repositories in one token: the registry checks pull on `from` and push on `repository`.
      const mount = await request(`${url}/v2/${repository}/blobs/uploads/?mount=${digest}&from=${from}`, `${push(repository)} ${pull(from)}`, { method: 'POST', headers: {} });
      if (mount.status === 201) return true;
      if (mount.status !== 202) throw failed(mount, `mounting blob ${digest} from ${from} into ${repository}`);
      // An upload was opened instead of the mount: close it, the caller copies the blob.
      const location = mount.headers.get('location');
      if (location) await request(new URL(location, url).toString(), push(repository), { method: 'DELETE', headers: {} }).catch(() => undefined);
      return false;
    },
    async putManifest(repository, reference, body, mediaType) {
      // Never retried: a repeated tag write could undo another writer's; the caller reads the tag instead.
      const response = await request(`${url}/v2/${repository}/manifests/${reference}`, push(repository), { method: 'PUT', headers: { 'content-type': mediaType }, body, retry: false });
      if (response.status !== 201) throw failed(response, `manifest ${repository}:${reference}: ${(await response.text()).slice(0, 300)}`);
      return { digest: sha256(body), subject: response.headers.get('oci-subject') ?? undefined };
    },
    async referrers(repository, digest) {
      const response = await request(`${url}/v2/${repository}/referrers/${digest}`, pull(repository), { method: 'GET', headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
      // The OCI spec: a registry without the API answers 404 (Distribution 2.x routes the path nowhere).
      if (response.status === 404 || response.status === 400 || response.status === 405) return undefined;
      if (!response.ok) throw failed(response, `the referrers of ${repository}@${digest}`);
      let index: { manifests?: Descriptor[] } | undefined;
      try {
        index = JSON.parse(await response.text()) as typeof index;
      } catch {
        // Not an index (a proxy's page, say): as good as no referrers API.
      }
      return Array.isArray(index?.manifests) ? index.manifests : undefined;
    },
  };
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A manifest as served: its digest is the sha256 of these exact bytes. */
export function parseManifest(body: Buffer, contentType: string | null): RemoteManifest {
  const json = JSON.parse(body.toString('utf8')) as { mediaType?: string; config?: { digest?: string }; manifests?: unknown[]; layers?: { digest: string; size: number }[] };
  const mediaType = json.mediaType ?? contentType?.split(';')[0] ?? '';
  const isList = Array.isArray(json.manifests) || /manifest\.list|image\.index/.test(mediaType);
  return {
    digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
    mediaType,
    configDigest: isList ? undefined : json.config?.digest,
    isList,
    layers: (json.layers ?? []).map((l) => ({ digest: l.digest, size: l.size })),
  };
}
