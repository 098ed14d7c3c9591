import { randomBytes } from 'node:crypto';
import { DagshipError, isDagshipError } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseManifest, type ArtifactRegistry, type RemoteManifest } from '../registry/index.js';

/** The manifest the engine uploaded, byte for byte: the same bytes give the same digest under the real tag. */
export interface StagedManifest {
  body: Buffer;
  mediaType: string;
  manifest: RemoteManifest;
}

/** What a tag write needs to know about its target. */
export interface TagTarget {
  /** `registry/repository`, for messages. */
  name: string;
  /** The repository path in the registry. */
  path: string;
  imageId: string;
  client: ArtifactRegistry;
}

/**
 * Where the engine uploads before dagship writes the tag: a sibling repository, so the staging tags never
 * sit in the release repository (a tag cannot be deleted there without deleting the release's manifest)
 * and a retention rule can expire them without touching a release. A sibling rather than a sub-path:
 * Docker Hub and Quay allow only two path components.
 */
export function stagingPath(path: string, configured?: string): string {
  return configured ?? `${path}-dagship-staging`;
}

/** A tag used once: two pushes of the same commit (even from one engine) never share it. */
export function stagingTag(tag: string): string {
  return `${tag.slice(0, 110)}-${randomBytes(4).toString('hex')}`;
}

/** Reads the manifest the engine pushed to staging by its digest, and checks it is this image. */
export async function stagedManifest(target: TagTarget, staging: string, digest: string): Promise<StagedManifest> {
  const raw = await target.client.rawManifest(staging, digest);
  const manifest = raw && parseManifest(raw.body, raw.mediaType);
  if (!raw || !manifest || manifest.digest !== digest || manifest.configDigest !== target.imageId) {
    throw new DagshipError(
      `after uploading to ${staging} the registry ${target.client.host} ${manifest ? `serves ${manifest.digest} (image ${manifest.configDigest})` : 'does not have it'}, not the pushed ${digest} of ${target.imageId}`,
      'push again; if it persists, the registry is losing writes',
      'infra',
    );
  }
  return { ...raw, manifest };
}

/** Makes the image's blobs part of the release repository: mounted from staging, copied when the registry will not mount. */
export async function mountBlobs(target: TagTarget, staging: string, staged: StagedManifest, log: Logger): Promise<void> {
  const digests = [staged.manifest.configDigest!, ...staged.manifest.layers.map((l) => l.digest)];
  const copied: string[] = [];
  for (let i = 0; i < digests.length; i += 8) {
    await Promise.all(
      digests.slice(i, i + 8).map(async (digest) => {
        if (await target.client.mountBlob(target.path, digest, staging)) return;
        const blob = await target.client.blob(staging, digest);
        if (!blob) throw new DagshipError(`the registry ${target.client.host} lost blob ${digest} of ${staging}`, 'push again', 'infra');
        await target.client.putBlob(target.path, blob);
        copied.push(digest);
      }),
    );
  }
  if (copied.length) log.warn(`the registry ${target.client.host} did not mount ${copied.length} blob(s) from ${staging}: copied them through dagship`);
}

/**
 * Writes the tag, last, after a fresh look-up: absent → written; this image already → nothing to do; other
 * content → refused. A write with no answer is never repeated blindly: the tag is read again and decides.
 * Then the tag is read back, twice: at once, and after a settling wait (see settleMs); another digest
 * there means another writer won, and nothing is reported. Returns the digest the tag holds.
 */
export async function writeTag(target: TagTarget, tag: string, staged: StagedManifest, log: Logger, settle = settleMs): Promise<string> {
  const digest = staged.manifest.digest;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const now = await target.client.manifest(target.path, tag);
    if (now) return heldOrRefused(target, tag, now, digest, attempt === 1 ? 'was written while this push uploaded' : "was written by another writer while dagship's own write had no answer");
    try {
      await target.client.putManifest(target.path, tag, staged.body, staged.mediaType);
      break;
    } catch (err) {
      if (!isDagshipError(err) || attempt >= 2) throw err;
      log.warn(`writing ${target.name}:${tag} failed (${err.message}); reading the tag to see whether the write landed`);
    }
  }
  const wait = settle(Date.now() - started);
  let held = digest;
  for (const pause of [0, wait]) {
    await new Promise((resolve) => setTimeout(resolve, pause));
    const after = await target.client.manifest(target.path, tag);
    if (!after) throw new DagshipError(`the registry does not have ${target.name}:${tag} right after dagship wrote it`, 'push again; if it persists, the registry is losing writes', 'infra');
    held = heldOrRefused(target, tag, after, digest, `was moved by another writer right after dagship wrote ${digest}`);
  }
  log.debug(`tag ${tag} still holds ${held} ${wait} ms after the write`);
  return held;
}

/**
 * How long to wait before the last read-back, from how long this push took from its look-up to its
 * write's answer. Another writer whose look-up came just before this write lands its own write about
 * that long after it: waiting a few times that (at least 250 ms, at most 2 s) lets the loser of two
 * writers in lockstep see it lost, so at most one of them reports success. A writer stalled for longer
 * between its look-up and its write can still move the tag unseen: only the registry can refuse that.
 */
export function settleMs(lookupToWriteMs: number): number {
  return Math.min(2000, Math.max(250, 4 * lookupToWriteMs));
}

/** The tag holds this image: its digest. Anything else: a gate naming both digests. */
function heldOrRefused(target: TagTarget, tag: string, now: RemoteManifest, digest: string, how: string): string {
  if (now.digest === digest || (!now.isList && now.configDigest === target.imageId)) return now.digest;
  throw new DagshipError(
    `${target.name}:${tag} ${how}: the tag holds ${target.name}@${now.digest} (image ${now.configDigest ?? 'a manifest list'}), not this push's ${digest} (image ${target.imageId}); not reporting it as pushed`,
    'another writer pushed the same tag with other content: a tag never changes content; find who else pushes this tag, then commit and build again for a new tag',
    'gate',
  );
}

/** Points an extra tag (e.g. `staging`, meant to move) at the image; says when it moves. */
export async function moveTag(target: TagTarget, tag: string, staged: StagedManifest, log: Logger): Promise<void> {
  const before = await target.client.manifest(target.path, tag);
  if (before?.digest === staged.manifest.digest) return;
  await target.client.putManifest(target.path, tag, staged.body, staged.mediaType);
  const after = await target.client.manifest(target.path, tag);
  if (after?.digest !== staged.manifest.digest) {
    throw new DagshipError(`${target.name}:${tag} holds ${after?.digest ?? 'nothing'} right after dagship wrote ${staged.manifest.digest}`, 'another writer moves this tag too; push again', 'gate');
  }
  if (before) log.info(`${target.name}:${tag} moved from ${before.digest} to ${staged.manifest.digest}`);
}
