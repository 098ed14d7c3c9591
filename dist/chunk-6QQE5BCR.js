#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  AIRFLOW_VERSION_LABEL
} from "./chunk-MPU4A5NT.js";
import {
  REPOSITORY_SETTING
} from "./chunk-O4JILTWT.js";
import {
  parseImageReference
} from "./chunk-DDMSHZPD.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// src/image/release.ts
import path from "node:path";

// src/image/image-config.ts
import { createHash } from "node:crypto";
var RUNTIME_KEYS = ["User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels", "StopSignal", "Healthcheck", "OnBuild", "Shell", "ArgsEscaped"];
var REQUIREMENT_STEPS = ["dagship: COPY requirements.txt", "dagship: pip install -r requirements.txt"];
function imageConfig(input) {
  const runtime = {};
  for (const key of RUNTIME_KEYS) {
    const value = key === "Labels" ? sortedLabels({ ...input.parent.config.Labels ?? {}, ...input.labels }) : input.parent.config[key];
    if (value !== void 0 && value !== null && !(typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0)) runtime[key] = value;
  }
  const created = utc(input.created);
  const parentLayers = input.parent.layers;
  const history = [
    ...parentLayers.map((_, i) => ({ created_by: i < input.baseLayerCount ? "base image layer" : REQUIREMENT_STEPS[i - input.baseLayerCount] ?? "requirements" })),
    ...input.layers.map((l) => ({ created, created_by: l.createdBy }))
  ];
  const config = {
    architecture: input.parent.architecture,
    ...input.parent.variant ? { variant: input.parent.variant } : {},
    config: runtime,
    created,
    history,
    os: input.parent.os,
    rootfs: { type: "layers", diff_ids: [...parentLayers, ...input.layers.map((l) => l.diffId)] }
  };
  const json = JSON.stringify(config);
  return { json, digest: `sha256:${createHash("sha256").update(json).digest("hex")}` };
}
function sortedLabels(labels) {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
}
function utc(time) {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) throw new Error(`not a time: ${time}`);
  return date.toISOString().replace(/\.000Z$/, "Z");
}

// src/image/release.ts
async function readRelease(root, git, baked) {
  const state = await git.state({ ignored: true, remote: true });
  if (!state) {
    throw new DagshipError(`${root} is not inside a git repository`, "dagship tags and labels images by commit: run git init and commit the DAG repository", "usage");
  }
  const underRoot = (paths) => paths.map((p) => path.relative(root, path.join(state.root, p)).split(path.sep).join("/")).filter((p) => !p.startsWith("..") && baked(p));
  const source = state.remoteUrl ? publicUrl(state.remoteUrl) : void 0;
  return { revision: state.revision, commitTime: utc(state.commitTime), dirtyPaths: underRoot(state.dirtyPaths), source, ignoredPaths: underRoot(state.ignoredPaths ?? []) };
}
function publicUrl(url) {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+)$/.exec(url);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^file:/i.test(url)) return void 0;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "ssh:" || parsed.protocol === "git:") return `https://${parsed.hostname}${parsed.pathname}`;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return void 0;
  }
}
function targetRepository(options) {
  const repository = options.repository;
  if (!repository) {
    throw new DagshipError("no repository configured for images", "set 'repository' in dagship.yaml (e.g. registry.example.com/team/airflow-dags) or pass --repository", "config");
  }
  const ref = parseImageReference(repository, REPOSITORY_SETTING);
  if (ref.tag || ref.digest) {
    throw new DagshipError(`'repository' ${repository} includes a tag or digest`, "give only registry/repository: dagship tags each image with its commit", "config");
  }
  return repository;
}
function commitTag(revision, options) {
  return `${options.short ? revision.slice(0, 12) : revision}${options.dirty ? "-dirty" : ""}`;
}
function releaseLabels(input) {
  return {
    "org.opencontainers.image.revision": input.release.revision,
    ...input.release.source ? { "org.opencontainers.image.source": input.release.source } : {},
    "org.opencontainers.image.created": input.release.commitTime,
    "org.opencontainers.image.version": input.version,
    "org.opencontainers.image.base.name": input.baseName,
    "org.opencontainers.image.base.digest": input.baseDigest,
    "io.dagship.dags.digest": input.dagsDigest,
    ...input.airflowVersion ? { [AIRFLOW_VERSION_LABEL]: input.airflowVersion } : {},
    ...input.dirty ? { "io.dagship.dirty": "true" } : {}
  };
}
function dirtyError(release) {
  return new DagshipError(
    `uncommitted changes in what the image bakes: ${shortList(release.dirtyPaths)}`,
    "commit them (an image is tagged by its commit), or pass --allow-dirty for a <sha>-dirty image that push refuses as a release",
    "usage"
  );
}
function shortList(items, shown = 5) {
  return items.slice(0, shown).join(", ") + (items.length > shown ? ` and ${items.length - shown} more` : "");
}

// src/image/text.ts
function formatBytes(bytes) {
  if (bytes < 1e3) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1e3;
  let unit = 0;
  while (value >= 1e3 && unit < units.length - 1) {
    value /= 1e3;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export {
  formatBytes,
  imageConfig,
  readRelease,
  targetRepository,
  commitTag,
  releaseLabels,
  dirtyError,
  shortList
};
