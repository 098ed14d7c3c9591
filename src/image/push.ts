import type { Options } from '../config.js';
import { engineAuth, maskCredentials, type Credentials } from '../credentials.js';
import type { ImageEngine } from '../engine/index.js';
import { DagshipError, reasonOf } from '../errors.js';
import type { GitRepo } from '../git.js';
import type { Logger } from '../logger.js';
import { registryApiHost, type ArtifactRegistry, type RemoteManifest } from '../registry/index.js';
import { onStop } from '../stop.js';
import { formatBytes } from './text.js';
import { mountBlobs, moveTag, stagedManifest, stagingPath, stagingTag, writeTag, type StagedManifest, type TagTarget } from './push-tag.js';
import type { ImageDetails, ProgressEvent } from '../engine/images.js';
import { classifyPushError, pushFailure } from './push-errors.js';
import { optionsTag, targetRepository } from './release.js';
import { parseImageReference } from '../image-reference.js';

export interface PushRequest {
  options: Options;
  /** A local image to push instead of `<repository>:<commit>`. */
  image?: string;
  /** Push an image built from uncommitted changes. */
  allowDirty?: boolean;
  /** How long the whole push may take (default 30 min): every registry request and the engine's upload end then. */
  timeoutMs?: number;
  /** The flag that sets it, for the message when it runs out, e.g. `--push-timeout 30m`. */
  deadlineName?: string;
}

/** The push's deadline, and what to call it in a message. */
export interface Deadline {
  signal: AbortSignal;
  what: string;
}

export interface PushDeps {
  engine: ImageEngine;
  git: GitRepo;
  credentialsFor: (registry: string) => Promise<Credentials | undefined>;
  registry: (host: string, credentials: Credentials | undefined, deadline: Deadline) => ArtifactRegistry;
  /** Waits before each retry of a transient push failure. */
  retryDelaysMs?: number[];
}

export interface PushOutcome {
  /** `repository@sha256:…`: what deploy pins. */
  reference: string;
  digest: string;
  /** Tags pushed (or found already holding the image). */
  tags: string[];
  /** False when the tag already held this image: nothing was uploaded. */
  uploaded: boolean;
  /** Compressed bytes of the layers the registry did not have yet. */
  bytesUploaded: number;
}

/** The local image, its registry and credentials: what every step of a push needs. */
interface Target extends TagTarget {
  ref: string;
  registry: string;
  tag: string;
  image: ImageDetails;
  credentials: Credentials | undefined;
  /** staging_repository's path, when configured. */
  stagingPath?: string;
}

/**
 * Pushes the commit's image. A tag is never moved: the engine uploads the image to a staging repository
 * beside the release one, and dagship writes the tag itself, last, after a fresh look-up (see push-tag.ts):
 * when the registry already has the tag with other content the push is refused (a gate, exit 1); with
 * the same content nothing is uploaded. The tag is read back before anything is reported as pushed.
 * Everything ends at the deadline (`timeoutMs`), with exit 2.
 */
export async function pushImage(request: PushRequest, deps: PushDeps, log: Logger): Promise<PushOutcome> {
  const started = Date.now();
  const deadline = { signal: AbortSignal.timeout(request.timeoutMs ?? 30 * 60_000), what: request.deadlineName ?? 'push deadline' };
  const target = await resolveTarget(request, deps, deadline);
  log.debug(`git, engine inspect and credentials in ${Date.now() - started} ms`);
  // Asked while the image is checked; awaited only once the image may be pushed.
  const existing = target.client.manifest(target.path, target.tag);
  existing.catch(() => undefined);
  if (target.image.labels['io.dagship.dirty'] === 'true' && !request.allowDirty) {
    throw new DagshipError(
      `${target.ref} was built from uncommitted changes (label io.dagship.dirty=true): it is not a release`,
      'commit, build again and push; or pass --allow-dirty to push it anyway',
      'gate',
    );
  }
  log.info(
    `pushing ${target.ref} (image ${target.image.id.slice(0, 19)}) to ${target.registry}${target.credentials ? ` as ${target.credentials.username ?? 'token'} (from ${target.credentials.source})` : ''}`,
  );
  const looking = Date.now();
  const remote = await existing;
  log.debug(`registry: tag looked up in ${Date.now() - looking} ms`);
  const held = remote ? sameImage(target, remote) : undefined;
  let bytesUploaded = 0;
  let digest: string;
  let staged: StagedManifest | undefined;
  if (held) {
    log.info(`${target.ref} already holds this image (${held.digest}): nothing to upload`);
    digest = held.digest;
  } else {
    const upload = await uploadToStaging(target, deps, deadline, log);
    staged = upload.staged;
    bytesUploaded = upload.bytesUploaded;
    const tagging = Date.now();
    digest = await writeTag(target, target.tag, staged, log);
    log.debug(`registry: tag looked up again, written and read back in ${Date.now() - tagging} ms`);
  }
  const tags = [target.tag];
  for (const extra of extraTags(request, target)) {
    staged ??= await stagedManifest(target, target.path, digest);
    await moveTag(target, extra, staged, log);
    tags.push(extra);
  }
  const reference = `${target.name}@${digest}`;
  log.info(`${held ? 'already pushed' : `pushed ${formatBytes(bytesUploaded)} of new layers`}: ${reference}`);
  return { reference, digest, tags, uploaded: !held, bytesUploaded };
}

/**
 * The engine pushes the image under a one-time tag of the staging repository (it uploads only the layers
 * the registry lacks), then the blobs are mounted into the release repository. The staging tag is dropped
 * from the engine afterwards; in the registry it stays for a retention rule to expire.
 */
async function uploadToStaging(target: Target, deps: PushDeps, deadline: Deadline, log: Logger): Promise<{ staged: StagedManifest; bytesUploaded: number }> {
  const staging = stagingPath(target.path, target.stagingPath);
  const ref = `${target.registry}/${staging}:${stagingTag(target.tag)}`;
  log.debug(`engine uploads to ${ref}`);
  await deps.engine.tag(target.image.id, ref);
  const untag = () => deps.engine.untag(ref).catch(() => undefined);
  // A signal mid-upload exits at once: the release tag is not written yet, only the engine's staging tag is undone.
  const forget = onStop(untag);
  try {
    const pushing = Date.now();
    const pushed = await pushWithRetries(target, ref, deps, deadline, log);
    const mounting = Date.now();
    const staged = await stagedManifest(target, staging, pushed.digest);
    await mountBlobs(target, staging, staged, log);
    log.debug(`engine pushed in ${mounting - pushing} ms; registry: blobs mounted in ${Date.now() - mounting} ms`);
    return { staged, bytesUploaded: uploadedBytes(target, staged, pushed.events) };
  } finally {
    forget();
    await untag();
  }
}

async function resolveTarget(request: PushRequest, deps: PushDeps, deadline: Deadline): Promise<Target> {
  const { ref, image } = request.image ? { ref: request.image, image: await deps.engine.inspect(request.image) } : await commitImage(request, deps);
  if (!image) throw new DagshipError(`${ref} is not on the Docker Engine`, 'build it first: dagship build (or pass --image with a local image)', 'usage');
  const parsed = parseImageReference(ref);
  if (!parsed.tag || parsed.digest) throw new DagshipError(`push needs a tagged image reference, got ${ref}`, 'pass --image registry/repository:tag', 'usage');
  const name = ref.slice(0, ref.length - parsed.tag.length - 1);
  const credentials = await deps.credentialsFor(parsed.registry);
  const client = deps.registry(registryApiHost(parsed.registry), credentials, deadline);
  const staging = request.options.staging_repository && parseImageReference(request.options.staging_repository);
  if (staging && staging.registry !== parsed.registry) {
    throw new DagshipError(
      `staging_repository ${request.options.staging_repository} is on another registry than ${ref}`,
      'the staging repository must be on the same registry (its blobs are mounted, not copied): e.g. <registry>/<team>/dags-staging',
      'config',
    );
  }
  return { ref, name, registry: parsed.registry, path: parsed.repository, tag: parsed.tag, image, imageId: image.id, credentials, client, stagingPath: staging ? staging.repository : undefined };
}

/** `<repository>:<commit>` of HEAD; with --allow-dirty, the `-dirty` build when there is no clean one. */
async function commitImage(request: PushRequest, deps: PushDeps): Promise<{ ref: string; image: ImageDetails }> {
  const repository = targetRepository(request.options);
  // Only the commit matters here: no status walk of the work tree.
  const state = await deps.git.state({ dirty: false });
  if (!state) throw new DagshipError(`${request.options.root} is not inside a git repository`, 'push the image of a commit: run dagship build in the DAG repository first, or pass --image', 'usage');
  const clean = `${repository}:${optionsTag(state.revision, request.options)}`;
  const dirty = `${repository}:${optionsTag(state.revision, request.options, true)}`;
  const cleanImage = await deps.engine.inspect(clean);
  if (cleanImage) return { ref: clean, image: cleanImage };
  const dirtyImage = await deps.engine.inspect(dirty);
  if (dirtyImage) {
    if (request.allowDirty) return { ref: dirty, image: dirtyImage };
    throw new DagshipError(
      `only a build of uncommitted changes (${dirty}) exists for commit ${state.revision.slice(0, 12)}: it is not a release`,
      'commit, run dagship build and push again; or pass --allow-dirty to push it anyway',
      'gate',
    );
  }
  throw new DagshipError(`no image for commit ${state.revision.slice(0, 12)} on the Docker Engine (${clean})`, 'run dagship build first (with the same --short-sha setting)', 'usage');
}

/** The existing manifest when it is this very image; a refusal when the tag holds anything else. */
function sameImage(target: Target, remote: RemoteManifest): RemoteManifest | undefined {
  if (remote.isList) {
    throw new DagshipError(
      `${target.ref} already exists in the registry as a manifest list (multi-platform image) ${target.name}@${remote.digest}: dagship never moves a tag`,
      'build from a new commit to get a new tag',
      'gate',
    );
  }
  if (remote.configDigest === target.image.id) return remote;
  throw new DagshipError(
    `${target.ref} already exists in the registry with different content: ${target.name}@${remote.digest} (image ${remote.configDigest ?? 'unknown'}), this build is ${target.image.id}`,
    'a tag never changes content: commit and build again for a new tag (a rebuild of the same commit and base gives the same image)',
    'gate',
  );
}

function extraTags(request: PushRequest, target: Target): string[] {
  if (target.image.labels['io.dagship.dirty'] === 'true') return [];
  const wanted = request.options.build.extra_tags;
  return wanted.filter((t) => t !== target.tag && target.image.tags.includes(`${target.name}:${t}`));
}

/** One image pushed through the engine; transient failures retried with growing waits, others explained. */
async function pushWithRetries(target: Target, ref: string, deps: PushDeps, deadline: Deadline, log: Logger): Promise<{ digest: string; events: ProgressEvent[] }> {
  const delays = deps.retryDelaysMs ?? [1000, 2000, 4000, 8000];
  for (let attempt = 1; ; attempt++) {
    try {
      return await untilDeadline(deps.engine.push(ref, engineAuth(target.credentials, target.registry), progressLogger(log), deadline.signal), deadline);
    } catch (err) {
      if (deadline.signal.aborted) throw deadlineError(target, deadline);
      const message = maskCredentials(reasonOf(err), target.credentials);
      const kind = classifyPushError(message);
      if (kind !== 'transient' || attempt > delays.length) throw pushFailure(kind, `${target.ref} (uploaded through ${ref})`, target.registry, new Error(message, { cause: err }), attempt);
      log.warn(`push of ${ref} failed (${message}); retrying in ${delays[attempt - 1]! / 1000}s (attempt ${attempt + 1} of ${delays.length + 1})`);
      await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]));
    }
  }
}

/** The engine's push, ended at the deadline even when the engine itself waits on a registry that stopped answering. */
function untilDeadline<T>(work: Promise<T>, deadline: Deadline): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(deadline.signal.reason);
    if (deadline.signal.aborted) return stop();
    deadline.signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => deadline.signal.removeEventListener('abort', stop));
  });
}

function deadlineError(target: Target, deadline: Deadline): DagshipError {
  return new DagshipError(
    `the engine's upload of ${target.ref} to ${target.registry} did not finish before the ${deadline.what} ran out: the registry stopped answering or is too slow`,
    'check the registry (and any proxy in front of it) is up and answering, then push again; for a slow link give more time; nothing was reported as pushed',
    'infra',
  );
}

/** Says when each layer starts uploading and is done, once; and when the engine retries an upload. */
function progressLogger(log: Logger) {
  const seen = new Set<string>();
  return (event: ProgressEvent) => {
    const status = event.status ?? '';
    // The engine counts down "Retrying in 5 seconds", "… 4 seconds": say it once per interruption.
    const retry = `${event.id}:retrying`;
    if (/^Retrying in/.test(status)) return seen.has(retry) ? undefined : (seen.add(retry), log.warn(`layer ${event.id}: upload interrupted; the engine retries it (${status.toLowerCase()})`));
    seen.delete(retry);
    const key = `${event.id}:${status}`;
    if (!event.id || seen.has(key) || !/^(Pushing|Pushed|Layer already exists|Mounted from)/.test(status)) return;
    seen.add(key);
    log.debug(`layer ${event.id}: ${status === 'Pushing' ? 'uploading' : status}`);
    if (status === 'Pushing' && !seen.has('uploading')) seen.add('uploading'), log.info('uploading new layers');
  };
}

/** Compressed bytes of the layers the engine uploaded (not already in the registry, nor mounted). */
function uploadedBytes(target: Target, staged: StagedManifest, events: ProgressEvent[]): number {
  const uploaded = new Set(events.filter((e) => e.status === 'Pushed' && e.id).map((e) => e.id!));
  return target.image.layers.reduce((sum, diffId, i) => sum + (uploaded.has(diffId.slice(7, 19)) ? (staged.manifest.layers[i]?.size ?? 0) : 0), 0);
}
