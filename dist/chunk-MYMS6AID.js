#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  commitTag,
  formatBytes,
  repositoryOf
} from "./chunk-DFLPPKUF.js";
import {
  engineAuth,
  maskCredentials,
  parseImageReference,
  registryApiHost
} from "./chunk-OSDVXIV5.js";
import {
  DagshipError,
  reasonOf
} from "./chunk-EDJIWXRY.js";

// src/build/push-errors.ts
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
      return new DagshipError(`unknown registry host in ${ref}: ${reason}`, "check the registry host in 'repository' (dagship.yaml or --repository) and this machine's DNS", "infra", { cause: err });
    case "transient":
      return new DagshipError(`pushing ${ref} failed ${attempts} time(s), the last with: ${reason}`, `check that the registry ${registry} is up and reachable, then push again (nothing was reported as pushed)`, "infra", { cause: err });
    default:
      return new DagshipError(`pushing ${ref} failed: ${reason}`, "run with --verbose to see the engine progress", "infra", { cause: err });
  }
}

// src/build/push.ts
async function pushImage(request, deps, log) {
  const started = Date.now();
  const target = await resolveTarget(request, deps);
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
  log.info(`${held ? "already pushed" : `pushed ${formatBytes(bytesUploaded)} of new layers`}: ${reference}`);
  return { reference, digest, tags, uploaded: !held, bytesUploaded };
}
async function resolveTarget(request, deps) {
  const { ref, image } = request.image ? { ref: request.image, image: await deps.engine.inspect(request.image) } : await commitImage(request, deps);
  if (!image) throw new DagshipError(`${ref} is not on the Docker Engine`, "build it first: dagship build (or pass --image with a local image)", "usage");
  const parsed = parseImageReference(ref);
  if (!parsed.tag || parsed.digest) throw new DagshipError(`push needs a tagged image reference, got ${ref}`, "pass --image registry/repository:tag", "usage");
  const name = ref.slice(0, ref.length - parsed.tag.length - 1);
  const credentials = await deps.credentialsFor(parsed.registry);
  const client = deps.registry(registryApiHost(parsed.registry), credentials);
  return { ref, name, registry: parsed.registry, path: parsed.repository, tag: parsed.tag, image, credentials, client };
}
async function commitImage(request, deps) {
  const repository = repositoryOf(request.options);
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
async function pushWithRetries(target, tag, deps, log) {
  const delays = deps.retryDelaysMs ?? [1e3, 2e3, 4e3, 8e3];
  const ref = `${target.name}:${tag}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.engine.push(ref, engineAuth(target.credentials, target.registry), progressLogger(log));
    } catch (err) {
      const message = maskCredentials(reasonOf(err), target.credentials);
      const kind = classifyPushError(message);
      if (kind !== "transient" || attempt > delays.length) throw pushFailure(kind, ref, target.registry, new Error(message, { cause: err }), attempt);
      log.warn(`push of ${ref} failed (${message}); retrying in ${delays[attempt - 1] / 1e3}s (attempt ${attempt + 1} of ${delays.length + 1})`);
      await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]));
    }
  }
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
async function verifyPushed(target, tag, digest, events) {
  const remote = await target.client.manifest(target.path, tag);
  if (!remote || remote.digest !== digest || remote.configDigest !== target.image.id) {
    throw new DagshipError(
      `after pushing ${target.name}:${tag} the registry ${remote ? `holds ${remote.digest} (image ${remote.configDigest})` : "does not have it"}, not the pushed ${digest} of ${target.image.id}: not reporting it as pushed`,
      "push again; if it persists, another writer may be pushing the same tag or the registry is losing writes",
      "infra"
    );
  }
  const uploaded = new Set(events.filter((e) => e.status === "Pushed" && e.id).map((e) => e.id));
  return target.image.layers.reduce((sum, diffId, i) => sum + (uploaded.has(diffId.slice(7, 19)) ? remote.layers[i]?.size ?? 0 : 0), 0);
}

export {
  pushImage
};
