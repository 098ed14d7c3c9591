#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  parseManifest,
  registryApiHost
} from "./chunk-55SI5XW5.js";
import {
  commitTag,
  formatBytes,
  targetRepository
} from "./chunk-6QQE5BCR.js";
import {
  engineAuth,
  maskCredentials
} from "./chunk-YMHZUKT3.js";
import {
  REPOSITORY_SETTING
} from "./chunk-O4JILTWT.js";
import {
  parseImageReference
} from "./chunk-DDMSHZPD.js";
import {
  onStop
} from "./chunk-NJNJ5BY3.js";
import {
  DagshipError,
  isDagshipError,
  reasonOf
} from "./chunk-EDJIWXRY.js";

// src/image/push-tag.ts
import { randomBytes } from "node:crypto";
function stagingPath(path, configured) {
  return configured ?? `${path}-dagship-staging`;
}
function stagingTag(tag) {
  return `${tag.slice(0, 110)}-${randomBytes(4).toString("hex")}`;
}
async function stagedManifest(target, staging, digest) {
  const raw = await target.client.rawManifest(staging, digest);
  const manifest = raw && parseManifest(raw.body, raw.mediaType);
  if (!raw || !manifest || manifest.digest !== digest || manifest.configDigest !== target.imageId) {
    throw new DagshipError(
      `after uploading to ${staging} the registry ${target.client.host} ${manifest ? `serves ${manifest.digest} (image ${manifest.configDigest})` : "does not have it"}, not the pushed ${digest} of ${target.imageId}`,
      "push again; if it persists, the registry is losing writes",
      "infra"
    );
  }
  return { ...raw, manifest };
}
async function mountBlobs(target, staging, staged, log) {
  const digests = [staged.manifest.configDigest, ...staged.manifest.layers.map((l) => l.digest)];
  const copied = [];
  for (let i = 0; i < digests.length; i += 8) {
    await Promise.all(
      digests.slice(i, i + 8).map(async (digest) => {
        if (await target.client.mountBlob(target.path, digest, staging)) return;
        const blob = await target.client.blob(staging, digest);
        if (!blob) throw new DagshipError(`the registry ${target.client.host} lost blob ${digest} of ${staging}`, "push again", "infra");
        await target.client.putBlob(target.path, blob);
        copied.push(digest);
      })
    );
  }
  if (copied.length) log.warn(`the registry ${target.client.host} did not mount ${copied.length} blob(s) from ${staging}: copied them through dagship`);
}
async function writeTag(target, tag, staged, log, settle = settleMs) {
  const digest = staged.manifest.digest;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const now = await target.client.manifest(target.path, tag);
    if (now) return heldOrRefused(target, tag, now, digest, attempt === 1 ? "was written while this push uploaded" : "was written by another writer while dagship's own write had no answer");
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
    if (!after) throw new DagshipError(`the registry does not have ${target.name}:${tag} right after dagship wrote it`, "push again; if it persists, the registry is losing writes", "infra");
    held = heldOrRefused(target, tag, after, digest, `was moved by another writer right after dagship wrote ${digest}`);
  }
  log.debug(`tag ${tag} still holds ${held} ${wait} ms after the write`);
  return held;
}
function settleMs(lookupToWriteMs) {
  return Math.min(2e3, Math.max(250, 4 * lookupToWriteMs));
}
function heldOrRefused(target, tag, now, digest, how) {
  if (now.digest === digest || !now.isList && now.configDigest === target.imageId) return now.digest;
  throw new DagshipError(
    `${target.name}:${tag} ${how}: the tag holds ${target.name}@${now.digest} (image ${now.configDigest ?? "a manifest list"}), not this push's ${digest} (image ${target.imageId}); not reporting it as pushed`,
    "another writer pushed the same tag with other content: a tag never changes content; find who else pushes this tag, then commit and build again for a new tag",
    "gate"
  );
}
async function moveTag(target, tag, staged, log) {
  const before = await target.client.manifest(target.path, tag);
  if (before?.digest === staged.manifest.digest) return;
  await target.client.putManifest(target.path, tag, staged.body, staged.mediaType);
  const after = await target.client.manifest(target.path, tag);
  if (after?.digest !== staged.manifest.digest) {
    throw new DagshipError(`${target.name}:${tag} holds ${after?.digest ?? "nothing"} right after dagship wrote ${staged.manifest.digest}`, "another writer moves this tag too; push again", "gate");
  }
  if (before) log.info(`${target.name}:${tag} moved from ${before.digest} to ${staged.manifest.digest}`);
}

// src/image/push-errors.ts
function classifyPushError(message) {
  if (/no space left on device|disk quota exceeded|insufficient storage|\b507\b/i.test(message)) return "disk-full";
  if (/unauthorized|authentication required|no basic auth credentials|denied|\b40[13]\b/i.test(message)) return "auth";
  if (/no such host|server misbehaving|ENOTFOUND|EAI_AGAIN|name resolution|Name or service not known/i.test(message)) return "unknown-host";
  if (/connection refused|connection reset|ECONNRESET|ECONNREFUSED|broken pipe|\bEOF\b|i\/o timeout|timeout|TLS handshake|temporarily unavailable|too many requests|\b429\b|\b50[0234]\b|bad gateway|service unavailable|internal server error|socket hang up/i.test(
    message
  )) {
    return "transient";
  }
  return "other";
}
function pushFailure(kind, ref, registry, err, attempts) {
  const reason = reasonOf(err);
  switch (kind) {
    case "disk-full":
      return new DagshipError(`pushing ${ref} failed: a disk is full (${reason})`, `free space on the registry's storage (or on this machine's Docker data root), then push again`, "infra", { cause: err });
    case "auth":
      return new DagshipError(
        `the registry ${registry} refused the push of ${ref}: ${reason}`,
        `check the credentials (docker login ${registry}, DAGSHIP_REGISTRY_USERNAME/PASSWORD or --username with --password-stdin) and that the account may push there`,
        "infra",
        { cause: err }
      );
    case "unknown-host":
      return new DagshipError(`unknown registry host in ${ref}: ${reason}`, `check the registry host in ${REPOSITORY_SETTING} and this machine's DNS`, "infra", { cause: err });
    case "transient":
      return new DagshipError(`pushing ${ref} failed ${attempts} time(s), the last with: ${reason}`, `check that the registry ${registry} is up and reachable, then push again (nothing was reported as pushed)`, "infra", { cause: err });
    default:
      return new DagshipError(`pushing ${ref} failed: ${reason}`, "run with --verbose to see the engine progress", "infra", { cause: err });
  }
}

// src/image/push.ts
async function pushImage(request, deps, log) {
  const started = Date.now();
  const deadline = { signal: AbortSignal.timeout(request.timeoutMs ?? 30 * 6e4), what: request.deadlineName ?? "push deadline" };
  const target = await resolveTarget(request, deps, deadline);
  log.debug(`git, engine inspect and credentials in ${Date.now() - started} ms`);
  const existing = target.client.manifest(target.path, target.tag);
  existing.catch(() => void 0);
  if (target.image.labels["io.dagship.dirty"] === "true" && !request.allowDirty) {
    throw new DagshipError(`${target.ref} was built from uncommitted changes (label io.dagship.dirty=true): it is not a release`, "commit, build again and push; or pass --allow-dirty to push it anyway", "gate");
  }
  log.info(`pushing ${target.ref} (image ${target.image.id.slice(0, 19)}) to ${target.registry}${target.credentials ? ` as ${target.credentials.username ?? "token"} (from ${target.credentials.source})` : ""}`);
  const looking = Date.now();
  const remote = await existing;
  log.debug(`registry: tag looked up in ${Date.now() - looking} ms`);
  const held = remote ? sameImage(target, remote) : void 0;
  let bytesUploaded = 0;
  let digest;
  let staged;
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
  log.info(`${held ? "already pushed" : `pushed ${formatBytes(bytesUploaded)} of new layers`}: ${reference}`);
  return { reference, digest, tags, uploaded: !held, bytesUploaded };
}
async function uploadToStaging(target, deps, deadline, log) {
  const staging = stagingPath(target.path, target.stagingPath);
  const ref = `${target.registry}/${staging}:${stagingTag(target.tag)}`;
  log.debug(`engine uploads to ${ref}`);
  await deps.engine.tag(target.image.id, ref);
  const untag = () => deps.engine.untag(ref).catch(() => void 0);
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
async function resolveTarget(request, deps, deadline) {
  const { ref, image } = request.image ? { ref: request.image, image: await deps.engine.inspect(request.image) } : await commitImage(request, deps);
  if (!image) throw new DagshipError(`${ref} is not on the Docker Engine`, "build it first: dagship build (or pass --image with a local image)", "usage");
  const parsed = parseImageReference(ref);
  if (!parsed.tag || parsed.digest) throw new DagshipError(`push needs a tagged image reference, got ${ref}`, "pass --image registry/repository:tag", "usage");
  const name = ref.slice(0, ref.length - parsed.tag.length - 1);
  const credentials = await deps.credentialsFor(parsed.registry);
  const client = deps.registry(registryApiHost(parsed.registry), credentials, deadline);
  const staging = request.options.staging_repository && parseImageReference(request.options.staging_repository);
  if (staging && staging.registry !== parsed.registry) {
    throw new DagshipError(`staging_repository ${request.options.staging_repository} is on another registry than ${ref}`, "the staging repository must be on the same registry (its blobs are mounted, not copied): e.g. <registry>/<team>/dags-staging", "config");
  }
  return { ref, name, registry: parsed.registry, path: parsed.repository, tag: parsed.tag, image, imageId: image.id, credentials, client, stagingPath: staging ? staging.repository : void 0 };
}
async function commitImage(request, deps) {
  const repository = targetRepository(request.options);
  const state = await deps.git.state({ dirty: false });
  if (!state) throw new DagshipError(`${request.options.root} is not inside a git repository`, "push the image of a commit: run dagship build in the DAG repository first, or pass --image", "usage");
  const clean = `${repository}:${commitTag(state.revision, { short: request.options.build.short_sha })}`;
  const dirty = `${repository}:${commitTag(state.revision, { short: request.options.build.short_sha, dirty: true })}`;
  const cleanImage = await deps.engine.inspect(clean);
  if (cleanImage) return { ref: clean, image: cleanImage };
  const dirtyImage = await deps.engine.inspect(dirty);
  if (dirtyImage) {
    if (request.allowDirty) return { ref: dirty, image: dirtyImage };
    throw new DagshipError(`only a build of uncommitted changes (${dirty}) exists for commit ${state.revision.slice(0, 12)}: it is not a release`, "commit, run dagship build and push again; or pass --allow-dirty to push it anyway", "gate");
  }
  throw new DagshipError(`no image for commit ${state.revision.slice(0, 12)} on the Docker Engine (${clean})`, "run dagship build first (with the same --short-sha setting)", "usage");
}
function sameImage(target, remote) {
  if (remote.isList) {
    throw new DagshipError(`${target.ref} already exists in the registry as a manifest list (multi-platform image) ${target.name}@${remote.digest}: dagship never moves a tag`, "build from a new commit to get a new tag", "gate");
  }
  if (remote.configDigest === target.image.id) return remote;
  throw new DagshipError(
    `${target.ref} already exists in the registry with different content: ${target.name}@${remote.digest} (image ${remote.configDigest ?? "unknown"}), this build is ${target.image.id}`,
    "a tag never changes content: commit and build again for a new tag (a rebuild of the same commit and base gives the same image)",
    "gate"
  );
}
function extraTags(request, target) {
  if (target.image.labels["io.dagship.dirty"] === "true") return [];
  const wanted = request.options.build.extra_tags;
  return wanted.filter((t) => t !== target.tag && target.image.tags.includes(`${target.name}:${t}`));
}
async function pushWithRetries(target, ref, deps, deadline, log) {
  const delays = deps.retryDelaysMs ?? [1e3, 2e3, 4e3, 8e3];
  for (let attempt = 1; ; attempt++) {
    try {
      return await untilDeadline(deps.engine.push(ref, engineAuth(target.credentials, target.registry), progressLogger(log), deadline.signal), deadline);
    } catch (err) {
      if (deadline.signal.aborted) throw deadlineError(target, deadline);
      const message = maskCredentials(reasonOf(err), target.credentials);
      const kind = classifyPushError(message);
      if (kind !== "transient" || attempt > delays.length) throw pushFailure(kind, `${target.ref} (uploaded through ${ref})`, target.registry, new Error(message, { cause: err }), attempt);
      log.warn(`push of ${ref} failed (${message}); retrying in ${delays[attempt - 1] / 1e3}s (attempt ${attempt + 1} of ${delays.length + 1})`);
      await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]));
    }
  }
}
function untilDeadline(work, deadline) {
  return new Promise((resolve, reject) => {
    const stop = () => reject(deadline.signal.reason);
    if (deadline.signal.aborted) return stop();
    deadline.signal.addEventListener("abort", stop, { once: true });
    work.then(resolve, reject).finally(() => deadline.signal.removeEventListener("abort", stop));
  });
}
function deadlineError(target, deadline) {
  return new DagshipError(
    `the engine's upload of ${target.ref} to ${target.registry} did not finish before the ${deadline.what} ran out: the registry stopped answering or is too slow`,
    "check the registry (and any proxy in front of it) is up and answering, then push again; for a slow link give more time; nothing was reported as pushed",
    "infra"
  );
}
function progressLogger(log) {
  const seen = /* @__PURE__ */ new Set();
  return (event) => {
    const status = event.status ?? "";
    const retry = `${event.id}:retrying`;
    if (/^Retrying in/.test(status)) return seen.has(retry) ? void 0 : (seen.add(retry), log.warn(`layer ${event.id}: upload interrupted; the engine retries it (${status.toLowerCase()})`));
    seen.delete(retry);
    const key = `${event.id}:${status}`;
    if (!event.id || seen.has(key) || !/^(Pushing|Pushed|Layer already exists|Mounted from)/.test(status)) return;
    seen.add(key);
    log.debug(`layer ${event.id}: ${status === "Pushing" ? "uploading" : status}`);
    if (status === "Pushing" && !seen.has("uploading")) seen.add("uploading"), log.info("uploading new layers");
  };
}
function uploadedBytes(target, staged, events) {
  const uploaded = new Set(events.filter((e) => e.status === "Pushed" && e.id).map((e) => e.id));
  return target.image.layers.reduce((sum, diffId, i) => sum + (uploaded.has(diffId.slice(7, 19)) ? staged.manifest.layers[i]?.size ?? 0 : 0), 0);
}

export {
  pushImage
};
