#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  withBuildFlags
} from "./chunk-XQKWLKOQ.js";
import {
  gitRepo
} from "./chunk-Y34TUWUU.js";
import {
  loadSettings
} from "./chunk-IQROQ4KM.js";
import "./chunk-U3DOTDAQ.js";
import "./chunk-HHFAD5KM.js";
import {
  connectDocker
} from "./chunk-2C5PDK3L.js";
import "./chunk-PICL6GY7.js";
import {
  terminalLogger
} from "./chunk-V7LOU7YI.js";
import "./chunk-3P7JFNUS.js";
import {
  resolveCredentials
} from "./chunk-EYLIXMRA.js";
import "./chunk-BKTJISMR.js";
import "./chunk-FQABKW32.js";
import "./chunk-4L4YC4GF.js";
import {
  parseImageReference
} from "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-4L3VKM7L.js";
import "./chunk-EDJIWXRY.js";

// cli/commands/build.ts
async function build(repoPath, flags) {
  const options = withBuildFlags(loadSettings(repoPath, flags), flags);
  const log = terminalLogger(Boolean(flags.verbose));
  log.debug(`build starts ${Math.round(performance.now())} ms after the process`);
  const { buildImage } = await import("./chunk-YBOM2N4L.js");
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
export {
  build
};
