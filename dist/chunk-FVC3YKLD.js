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
} from "./chunk-V7QBZOY7.js";
import {
  loadSettings
} from "./chunk-534TERUE.js";
import {
  setOutput
} from "./chunk-ZBQHUFCK.js";
import {
  connectDocker
} from "./chunk-544YBR7N.js";
import "./chunk-PICL6GY7.js";
import {
  terminalLogger
} from "./chunk-MSPDIVQH.js";
import "./chunk-PKJVO3JP.js";
import {
  resolveCredentials
} from "./chunk-YMHZUKT3.js";
import "./chunk-WDFNAZ3S.js";
import "./chunk-M5D5RXX2.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-O4JILTWT.js";
import "./chunk-VTW57CTW.js";
import {
  parseImageReference
} from "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-HHFAD5KM.js";
import "./chunk-4L3VKM7L.js";
import "./chunk-EDJIWXRY.js";

// cli/commands/build.ts
async function build(repoPath, flags) {
  const options = withBuildFlags(loadSettings(repoPath, flags), flags);
  const log = terminalLogger(Boolean(flags.verbose));
  log.debug(`build starts ${Math.round(performance.now())} ms after the process`);
  const { buildImage } = await import("./chunk-XPWOQRH7.js");
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
  setOutput("image", result.image);
  process.stdout.write(`${result.image}
`);
  return 0;
}
export {
  build
};
