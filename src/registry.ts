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

export function connectRegistry(host: string, fetchImpl: typeof fetch = fetch): Registry {
  const url = registryBaseUrl(host);
  return {
    host,
    async ping() {
      let response: Response;
      try {
        response = await fetchImpl(`${url}/v2/`, { signal: AbortSignal.timeout(10_000) });
      } catch (err) {
        throw new DagshipError(
          `cannot reach the registry ${host} (${url}): ${reasonOf((err as { cause?: unknown }).cause ?? err)}`,
          'check the registry host and port in the image repository, and that the registry is running',
          'infra',
          { cause: err },
        );
      }
      if (response.status === 200 || response.status === 401) return { url, authRequired: response.status === 401 };
      throw new DagshipError(
        `the registry ${host} answered ${response.status} on ${url}/v2/; it does not look like an OCI registry`,
        'check the registry host in the image repository',
        'infra',
      );
    },
  };
}
