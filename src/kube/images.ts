import { DagshipError } from '../errors.js';

const REFERENCE = /^(?<name>[^@\s]+?)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/** An image reference split as written: `name[:tag][@digest]` (no Docker Hub normalisation of `name`). */
export interface SplitReference {
  name: string;
  tag?: string;
  digest?: string;
}

export function splitReference(ref: string): SplitReference | undefined {
  const groups = REFERENCE.exec(ref.trim())?.groups;
  if (!groups?.name) return undefined;
  return { name: groups.name, tag: groups.tag, digest: groups.digest };
}

/** The repository an image runs from, so `repo:1`, `repo@sha256:…` and `docker.io/library/repo` compare equal. */
export function repositoryOf(ref: string): string | undefined {
  const name = splitReference(ref)?.name;
  if (!name) return undefined;
  const [first, ...rest] = name.split('/');
  const firstIsHost = rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost');
  if (firstIsHost) return name;
  return `docker.io/${rest.length ? name : `library/${name}`}`;
}

/** The new image must be pinned: a tag can move under a running release, a digest cannot. */
export function requirePinned(ref: string): SplitReference {
  const split = splitReference(ref);
  if (!split) {
    throw new DagshipError(`invalid image reference '${ref}'`, 'expected registry/repository@sha256:<64 hex>, as `dagship push` prints it', 'usage');
  }
  if (!split.digest) {
    throw new DagshipError(
      `refusing to deploy '${ref}': it is not pinned by digest, and a tag can point at other content tomorrow`,
      'push first and deploy the pinned reference `dagship push` printed (registry/repository@sha256:…)',
      'usage',
    );
  }
  return split;
}

/**
 * The KubernetesExecutor worker image as `worker_container_repository` + `worker_container_tag`.
 * Airflow composes them as f"{repository}:{tag}", so the digest rides in the tag: `tag@sha256:…`
 * yields `repo:tag@sha256:…`, which runtimes pull by digest (the tag is only a label). Without a tag
 * in the reference we write `pinned`, since an empty tag would make Airflow ignore both settings.
 */
export function workerSettings(ref: string): { repository: string; tag: string } {
  const split = splitReference(ref);
  if (!split) return { repository: ref, tag: 'latest' };
  const tag = split.digest ? `${split.tag ?? 'pinned'}@${split.digest}` : (split.tag ?? 'latest');
  return { repository: split.name, tag };
}

/** The image Airflow would compose from worker settings (inverse of workerSettings). */
export function workerImage(repository: string, tag: string): string {
  return `${repository}:${tag}`;
}
