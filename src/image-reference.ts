import { DagshipError } from './errors.js';

/*
 * Image references, `[registry[:port]/]repository[:tag][@sha256:digest]`: split as written, normalised the
 * way Docker does (Docker Hub when no registry host is named), formatted back. Every other module reads
 * references through here, so a tag or a digest means the same thing in build, push, deploy and audit.
 */

const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = 'sha256:[a-f0-9]{64}';
// Docker's grammar for a registry host and for each path component of a repository.
const HOST = /^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::\d+)?$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const REFERENCE = new RegExp(`^(?<name>[^@\\s]+?)(?::(?<tag>${TAG}))?(?:@(?<digest>${DIGEST}))?$`);

/** Docker's grammar for a tag: a word character, then up to 127 word characters, dots or dashes. */
export function isTag(text: string): boolean {
  return new RegExp(`^${TAG}$`).test(text);
}

/** A reference split as written: `name[:tag][@digest]`, `name` not normalised (`airflow` stays `airflow`). */
export interface SplitReference {
  name: string;
  tag?: string;
  digest?: string;
}

/** A reference normalised: `airflow` is registry docker.io, repository library/airflow. */
export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export function splitReference(ref: string): SplitReference | undefined {
  const groups = REFERENCE.exec(ref.trim())?.groups;
  if (!groups?.name) return undefined;
  return { name: groups.name, tag: groups.tag, digest: groups.digest };
}

/** Docker's rule: the first path part names a registry when it has a dot or a port, or is localhost. */
function hostAndPath(name: string): { registry: string; repository: string } {
  const [first, ...rest] = name.split('/');
  if (rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost')) return { registry: first!, repository: rest.join('/') };
  return { registry: 'docker.io', repository: rest.length ? name : `library/${name}` };
}

/**
 * Splits and normalises a reference; a malformed one is a usage error. `source` says where it was written
 * (`--image`, `'repository' (dagship.yaml or --repository)`), so the hint points at what to fix.
 */
export function parseImageReference(ref: string, source?: string): ImageReference {
  const split = splitReference(ref);
  const parts = split && hostAndPath(split.name);
  if (!split || !parts || !HOST.test(parts.registry) || !parts.repository.split('/').every((c) => COMPONENT.test(c))) {
    throw new DagshipError(
      `invalid image reference '${ref}'${source ? ` (${source})` : ''}`,
      'expected [registry/]repository[:tag][@sha256:digest], lowercase, e.g. registry.example.com/team/airflow:1a2b3c',
      'usage',
    );
  }
  return { ...parts, tag: split.tag, digest: split.digest };
}

/** The repository an image runs from, so `repo:1`, `repo@sha256:…` and `docker.io/library/repo` compare equal. */
export function repositoryOf(ref: string): string | undefined {
  const split = splitReference(ref);
  if (!split) return undefined;
  const { registry, repository } = hostAndPath(split.name);
  return `${registry}/${repository}`;
}

/** `registry/repository[:tag][@digest]`, the normalised form (Docker Hub written out). */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The reference without its digest: what a tag or a repository is looked up by. */
export function withoutDigest(ref: string): string {
  return ref.replace(new RegExp(`@${DIGEST}$`), '');
}

/**
 * `registry:5000/team/dags:tag` → repository and tag as the Engine API takes them: the name as written,
 * and the digest standing in for the tag when there is one.
 */
export function engineRepoTag(ref: string): { repository: string; tag?: string } {
  const split = splitReference(ref);
  if (!split) return { repository: ref };
  return { repository: split.name, tag: split.digest ?? split.tag };
}
