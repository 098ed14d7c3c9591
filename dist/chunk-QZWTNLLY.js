#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  gitRepo
} from "./chunk-V7QBZOY7.js";
import {
  connectDocker
} from "./chunk-W3BSIFFT.js";
import {
  loadOptions
} from "./chunk-PGO46X7C.js";
import {
  terminalLogger
} from "./chunk-V7LOU7YI.js";
import {
  parseImageReference,
  resolveCredentials
} from "./chunk-AUY4KTVI.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// cli/commands/build.ts
async function build(repoPath, flags) {
  const options = withBuildFlags(loadBuildOptions(repoPath, flags), flags);
  const log = terminalLogger(Boolean(flags.verbose));
  log.debug(`build starts ${Math.round(performance.now())} ms after the process`);
  const { buildImage } = await import("./chunk-ILQPMU52.js");
  const result = await buildImage(
    { options, allowDirty: flags.allowDirty, includeBaseLayers: flags.includeBaseLayers },
    {
      engine: connectDocker(),
      git: gitRepo(options.root),
      // DAGSHIP_REGISTRY_* are for the push target; a base image on another registry never gets them.
      credentialsFor: (registry) => resolveCredentials(registry, { cwd: options.root, target: options.repository ? parseImageReference(options.repository).registry : void 0 })
    },
    log
  );
  for (const tag of result.tags.slice(1)) log.info(`also tagged ${tag}`);
  process.stdout.write(`${result.image}
`);
  return 0;
}
function loadBuildOptions(repoPath, flags) {
  return loadOptions({
    root: repoPath,
    configFile: flags.config,
    flags: { ...flags.overrides, "build.dockerfile": flags.dockerfile, plugins_folder: flags.pluginsFolder, requirements: flags.requirements }
  });
}
function withBuildFlags(options, flags) {
  for (const tag of flags.tag ?? []) {
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) {
      throw new DagshipError(`invalid tag '${tag}'`, "a tag is letters, digits, _ . and -, at most 128 characters, not starting with . or -", "usage");
    }
  }
  return {
    ...options,
    build: { ...options.build, short_sha: options.build.short_sha || Boolean(flags.shortSha), extra_tags: [.../* @__PURE__ */ new Set([...options.build.extra_tags, ...flags.tag ?? []])] }
  };
}

export {
  build,
  loadBuildOptions,
  withBuildFlags
};
