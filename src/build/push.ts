import type { Options } from '../config.js';
import { engineAuth, maskCredentials, type Credentials } from '../credentials.js';
import type { ImageEngine } from '../docker.js';
import { DagshipError, reasonOf } from '../errors.js';
import type { GitRepo } from '../git.js';
import type { Logger } from '../logger.js';
import { parseImageReference, registryApiHost, type RegistryClient, type RemoteManifest } from '../registry.js';
import { formatBytes } from './text.js';
import type { ImageDetails, ProgressEvent } from './engine-images.js';
import { classifyPushError, pushFailure } from './push-errors.js';
import { commitTag, repositoryOf } from './release.js';

export interface PushRequest {
  options: Options;
  /** A local image to push instead of `<repository>:<commit>`. */
  image?: string;
  /** Push an image built from uncommitted changes. */
  allowDirty?: boolean;
}

export interface PushDeps {
  engine: ImageEngine;
  git: GitRepo;
  credentialsFor: (registry: string) => Promise<Credentials | undefined>;
  registry: (host: string, credentials: Credentials | undefined) => RegistryClient;
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
interface Target {
  ref: string;
  name: string;
  registry: string;
  path: string;
  tag: string;
  image: ImageDetails;
  credentials: Credentials | undefined;
  client: RegistryClient;
}

/**
 * Pushes the commit's image. A tag is never moved: when the registry already has it with other content
 * the push is refused (a gate, exit 1); with the same content nothing is uploaded. The pushed manifest is
 * read back from the registry before anything is reported as pushed.
 */
export async function pushImage(request: PushRequest, deps: PushDeps, log: Logger): Promise<PushOutcome> {
  const started = Date.now();
  const target = await resolveTarget(request, deps);
  log.debug(`git, engine inspect and credentials in ${Date.now() - started} ms`);
  // Asked while the image is checked; awaited only once the image may be pushed.
  const existing = target.client.manifest(target.path, target.tag);
  existing.catch(() => undefined);
  if (target.image.labels['io.dagship.dirty'] === 'true' && !request.allowDirty) {
    throw new DagshipError(`${target.ref} was built from uncommitted changes (label io.dagship.dirty=true): it is not a release`, 'commit, build again and push; or pass --allow-dirty to push it anyway', 'gate');
  }
  log.info(`pushing ${target.ref} (image ${target.image.id.slice(0, 19)}) to ${target.registry}${target.credentials ? ` as ${target.credentials.username ?? 'token'} (from ${target.credentials.source})` : ''}`);
  const looking = Date.now();
  const remote = await existing;
  log.debug(`registry: tag looked up in ${Date.now() - looking} ms`);
  const held = remote ? sameImage(target, remote) : undefined;
  let bytesUploaded = 0;
  let digest: string;
  if (held) {
    log.info(`${target.ref} already holds this image (${held.digest}): nothing to upload`);
    digest = held.digest;
  } else {
    const pushing = Date.now();
    const pushed = await pushWithRetries(target, target.tag, deps, log);
    digest = pushed.digest;
    const reading = Date.now();
    bytesUploaded = await verifyPushed(target, target.tag, digest, pushed.events);
    log.debug(`engine pushed in ${reading - pushing} ms; registry read back in ${Date.now() - reading} ms`);
  }
  const tags = [target.tag];
  for (const extra of extraTags(request, target)) {
    const pushed = await pushWithRetries(target, extra, deps, log);
    await verifyPushed(target, extra, pushed.digest, pushed.events);
    tags.push(extra);
  }
  const reference = `${target.name}@${digest}`;
  log.info(`${held ? 'already pushed' : `pushed ${formatBytes(bytesUploaded)} of new layers`}: ${reference}`);
  return { reference, digest, tags, uploaded: !held, bytesUploaded };
}

async function resolveTarget(request: PushRequest, deps: PushDeps): Promise<Target> {
  const { ref, image } = request.image ? { ref: request.image, image: await deps.engine.inspect(request.image) } : await commitImage(request, deps);
  if (!image) throw new DagshipError(`${ref} is not on the Docker Engine`, 'build it first: dagship build (or pass --image with a local image)', 'usage');
  const parsed = parseImageReference(ref);
  if (!parsed.tag || parsed.digest) throw new DagshipError(`push needs a tagged image reference, got ${ref}`, 'pass --image registry/repository:tag', 'usage');
  const name = ref.slice(0, ref.length - parsed.tag.length - 1);
  const credentials = await deps.credentialsFor(parsed.registry);
  const client = deps.registry(registryApiHost(parsed.registry), credentials);
  return { ref, name, registry: parsed.registry, path: parsed.repository, tag: parsed.tag, image, credentials, client };
}

/** `<repository>:<commit>` of HEAD; with --allow-dirty, the `-dirty` build when there is no clean one. */
async function commitImage(request: PushRequest, deps: PushDeps): Promise<{ ref: string; image: ImageDetails }> {
  const repository = repositoryOf(request.options);
  // Only the commit matters here: no status walk of the work tree.
  const state = await deps.git.state({ dirty: false });
  if (!state) throw new DagshipError(`${request.options.root} is not inside a git repository`, 'push the image of a commit: run dagship build in the DAG repository first, or pass --image', 'usage');
  const clean = `${repository}:${commitTag(state.revision, { short: request.options.build.short_sha })}`;
  const dirty = `${repository}:${commitTag(state.revision, { short: request.options.build.short_sha, dirty: true })}`;
  const cleanImage = await deps.engine.inspect(clean);
  if (cleanImage) return { ref: clean, image: cleanImage };
  const dirtyImage = await deps.engine.inspect(dirty);
  if (dirtyImage) {
    if (request.allowDirty) return { ref: dirty, image: dirtyImage };
    throw new DagshipError(`only a build of uncommitted changes (${dirty}) exists for commit ${state.revision.slice(0, 12)}: it is not a release`, 'commit, run dagship build and push again; or pass --allow-dirty to push it anyway', 'gate');
  }
  throw new DagshipError(`no image for commit ${state.revision.slice(0, 12)} on the Docker Engine (${clean})`, 'run dagship build first (with the same --short-sha setting)', 'usage');
}

/** The existing manifest when it is this very image; a refusal when the tag holds anything else. */
function sameImage(target: Target, remote: RemoteManifest): RemoteManifest | undefined {
  if (remote.isList) {
    throw new DagshipError(`${target.ref} already exists in the registry as a manifest list (multi-platform image) ${target.name}@${remote.digest}: dagship never moves a tag`, 'build from a new commit to get a new tag', 'gate');
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

/** One tag pushed through the engine; transient failures retried with growing waits, others explained. */
async function pushWithRetries(target: Target, tag: string, deps: PushDeps, log: Logger): Promise<{ digest: string; events: ProgressEvent[] }> {
  const delays = deps.retryDelaysMs ?? [1000, 2000, 4000, 8000];
  const ref = `${target.name}:${tag}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.engine.push(ref, engineAuth(target.credentials, target.registry), progressLogger(log));
    } catch (err) {
      const message = maskCredentials(reasonOf(err), target.credentials);
      const kind = classifyPushError(message);
      if (kind !== 'transient' || attempt > delays.length) throw pushFailure(kind, ref, target.registry, new Error(message, { cause: err }), attempt);
      log.warn(`push of ${ref} failed (${message}); retrying in ${delays[attempt - 1]! / 1000}s (attempt ${attempt + 1} of ${delays.length + 1})`);
      await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]));
    }
  }
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
    if (status === 'Pushing' && !seen.has('uploading')) (seen.add('uploading'), log.info('uploading new layers'));
  };
}

/**
 * Reads the tag back from the registry: it must point at the manifest the engine pushed, of this image.
 * Returns the compressed bytes of the layers that were uploaded (not already there).
 */
async function verifyPushed(target: Target, tag: string, digest: string, events: ProgressEvent[]): Promise<number> {
  const remote = await target.client.manifest(target.path, tag);
  if (!remote || remote.digest !== digest || remote.configDigest !== target.image.id) {
    throw new DagshipError(
      `after pushing ${target.name}:${tag} the registry ${remote ? `holds ${remote.digest} (image ${remote.configDigest})` : 'does not have it'}, not the pushed ${digest} of ${target.image.id}: not reporting it as pushed`,
      'push again; if it persists, another writer may be pushing the same tag or the registry is losing writes',
      'infra',
    );
  }
  const uploaded = new Set(events.filter((e) => e.status === 'Pushed' && e.id).map((e) => e.id!));
  return target.image.layers.reduce((sum, diffId, i) => sum + (uploaded.has(diffId.slice(7, 19)) ? (remote.layers[i]?.size ?? 0) : 0), 0);
}
