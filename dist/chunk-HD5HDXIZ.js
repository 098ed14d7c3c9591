#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  engineAuth,
  maskCredentials
} from "./chunk-EYLIXMRA.js";
import {
  parseImageReference
} from "./chunk-DDMSHZPD.js";
import {
  DagshipError,
  reasonOf
} from "./chunk-EDJIWXRY.js";

// src/image/base.ts
async function ensureBase(engine, ref, credentialsFor, log) {
  const held = await engine.inspect(ref);
  if (held) return held;
  const { registry } = parseImageReference(ref);
  const credentials = await credentialsFor(registry);
  log.info(`base image ${ref} is not on the engine: pulling it${credentials ? ` (credentials from ${credentials.source})` : ""}`);
  const started = Date.now();
  try {
    await engine.pull(ref, engineAuth(credentials, registry));
  } catch (err) {
    throw new DagshipError(
      maskCredentials(`base image ${ref} is not on the Docker Engine and pulling it failed: ${reasonOf(err)}`, credentials),
      `check 'base_image' (dagship.yaml or --base-image), that this machine reaches ${registry}, and credentials (docker login ${registry}); or load the image first (docker pull / docker load)`,
      "config",
      { cause: err }
    );
  }
  log.info(`pulled ${ref} in ${((Date.now() - started) / 1e3).toFixed(1)}s`);
  const pulled = await engine.inspect(ref);
  if (!pulled) throw new DagshipError(`the engine pulled ${ref} but does not list it`, "run the build again", "infra");
  return pulled;
}
function baseDigest(base, ref) {
  const { registry, repository } = parseImageReference(ref);
  const wanted = registry === "docker.io" ? [repository, repository.replace(/^library\//, ""), `docker.io/${repository}`] : [`${registry}/${repository}`];
  const digests = [...base.repoDigests].sort();
  const match = digests.find((d) => wanted.includes(d.split("@")[0])) ?? digests[0];
  return match?.split("@")[1] ?? base.id;
}

export {
  ensureBase,
  baseDigest
};
