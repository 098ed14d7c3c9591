import { DagshipError } from '../errors.js';
import { splitReference, type SplitReference } from '../image-reference.js';

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
