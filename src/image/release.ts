import { createHash } from 'node:crypto';
import path from 'node:path';
import { AIRFLOW_VERSION_LABEL } from '../airflow-version.js';
import { REPOSITORY_SETTING, type Options } from '../config.js';
import { DagshipError } from '../errors.js';
import type { GitRepo } from '../git.js';
import { utc } from './image-config.js';
import { parseImageReference } from '../image-reference.js';

/** The commit an image is built from, as tags and labels need it. */
export interface Release {
  revision: string;
  /** ISO 8601, UTC. */
  commitTime: string;
  /** Uncommitted changes under the baked paths, relative to the repository root. */
  dirtyPaths: string[];
  /** The git remote URL without credentials, if the repository has one. */
  source?: string;
  /** Files git ignores that would be baked all the same: the image then holds more than the commit. */
  ignoredPaths: string[];
}

/** Reads the release of the repository at `root`; `baked` says which repository paths go into the image. */
export async function readRelease(root: string, git: GitRepo, baked: (relative: string) => boolean): Promise<Release> {
  // One round of git processes: commit, status with the ignored files, and the remotes.
  const state = await git.state({ ignored: true, remote: true });
  if (!state) {
    throw new DagshipError(`${root} is not inside a git repository`, 'dagship tags and labels images by commit: run git init and commit the DAG repository', 'usage');
  }
  const underRoot = (paths: string[]) => paths.map((p) => path.relative(root, path.join(state.root, p)).split(path.sep).join('/')).filter((p) => !p.startsWith('..') && baked(p));
  const source = state.remoteUrl ? publicUrl(state.remoteUrl) : undefined;
  return { revision: state.revision, commitTime: utc(state.commitTime), dirtyPaths: underRoot(state.dirtyPaths), source, ignoredPaths: underRoot(state.ignoredPaths ?? []) };
}

/**
 * A remote URL fit for a public label: credentials dropped (https://user:token@host/… → https://host/…),
 * scp-style git@host:org/repo.git as https://host/org/repo.git. A local path or file:// remote says
 * nothing to anyone else and differs between clones of the same commit: undefined.
 */
export function publicUrl(url: string): string | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+)$/.exec(url);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^file:/i.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    // An ssh or git port is no https port: the web URL is host and path.
    if (parsed.protocol === 'ssh:' || parsed.protocol === 'git:') return `https://${parsed.hostname}${parsed.pathname}`;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return undefined;
  }
}

/** The configured repository, validated: a registry/repository without tag or digest. */
export function targetRepository(options: Options): string {
  const repository = options.repository;
  if (!repository) {
    throw new DagshipError('no repository configured for images', "set 'repository' in dagship.yaml (e.g. registry.example.com/team/airflow-dags) or pass --repository", 'config');
  }
  const ref = parseImageReference(repository, REPOSITORY_SETTING);
  if (ref.tag || ref.digest) {
    throw new DagshipError(`'repository' ${repository} includes a tag or digest`, 'give only registry/repository: dagship tags each image with its commit', 'config');
  }
  return repository;
}

/**
 * The commit tag: the full SHA, or its first 12 characters; `-<8 hex>` when settings given by flag or
 * environment change what is baked (overrides, see Options.contentOverrides), so such a build never takes
 * the tag of the commit's default image; `-dirty` for a build of uncommitted work.
 */
export function commitTag(revision: string, options: { short?: boolean; dirty?: boolean; overrides?: Record<string, unknown> }): string {
  const suffix = overridesKey(options.overrides);
  return `${options.short ? revision.slice(0, 12) : revision}${suffix ? `-${suffix}` : ''}${options.dirty ? '-dirty' : ''}`;
}

/** The commit tag of the options' build: the one build gives, push pushes and ship looks up. */
export function optionsTag(revision: string, options: Options, dirty = false): string {
  return commitTag(revision, { short: options.build.short_sha, dirty, overrides: options.contentOverrides });
}

/** 8 hex of a sha256 over the overrides, sorted by key; undefined for none. */
export function overridesKey(overrides: Record<string, unknown> | undefined): string | undefined {
  const text = overridesText(overrides);
  return text && createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** The overrides as JSON with sorted keys (what the tag suffix hashes and the label shows); undefined for none. */
function overridesText(overrides: Record<string, unknown> | undefined): string | undefined {
  const keys = Object.keys(overrides ?? {}).sort();
  return keys.length ? JSON.stringify(Object.fromEntries(keys.map((k) => [k, overrides![k]]))) : undefined;
}

/** The label that records the overridden content settings, as JSON: {"dags_folder":"other"}. */
export const OVERRIDES_LABEL = 'io.dagship.overrides';

export interface LabelInput {
  release: Release;
  dirty: boolean;
  version: string;
  baseName: string;
  baseDigest: string;
  dagsDigest: string;
  /** apache-airflow in the image (src/airflow-version.ts); no label when it could not be read. */
  airflowVersion?: string;
  /** Content settings overridden by flag or environment (Options.contentOverrides). */
  overrides?: Record<string, unknown>;
}

/** OCI annotations (as labels) plus dagship's own; only values that are the same on every rebuild. */
export function releaseLabels(input: LabelInput): Record<string, string> {
  return {
    'org.opencontainers.image.revision': input.release.revision,
    ...(input.release.source ? { 'org.opencontainers.image.source': input.release.source } : {}),
    'org.opencontainers.image.created': input.release.commitTime,
    'org.opencontainers.image.version': input.version,
    'org.opencontainers.image.base.name': input.baseName,
    'org.opencontainers.image.base.digest': input.baseDigest,
    'io.dagship.dags.digest': input.dagsDigest,
    ...(input.airflowVersion ? { [AIRFLOW_VERSION_LABEL]: input.airflowVersion } : {}),
    ...(input.dirty ? { 'io.dagship.dirty': 'true' } : {}),
    ...(overridesText(input.overrides) ? { [OVERRIDES_LABEL]: overridesText(input.overrides)! } : {}),
  };
}

/** The refusal for a dirty tree, naming what is uncommitted. */
export function dirtyError(release: Release): DagshipError {
  return new DagshipError(
    `uncommitted changes in what the image bakes: ${shortList(release.dirtyPaths)}`,
    'commit them (an image is tagged by its commit), or pass --allow-dirty for a <sha>-dirty image that push refuses as a release',
    'usage',
  );
}

/** "a, b, c, d, e and 2 more". */
export function shortList(items: string[], shown = 5): string {
  return items.slice(0, shown).join(', ') + (items.length > shown ? ` and ${items.length - shown} more` : '');
}
