#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  lintAirflowMajor
} from "./chunk-SOW4C5RX.js";
import {
  checkDags
} from "./chunk-OYLDYUED.js";
import {
  VERSION
} from "./chunk-2E57LOES.js";
import {
  runLint
} from "./chunk-74E4C2ZI.js";
import {
  airflowImage,
  fingerprintAll,
  toolsImage,
  writeBaseline
} from "./chunk-VDRGIECY.js";
import "./chunk-HD5HDXIZ.js";
import "./chunk-MPU4A5NT.js";
import "./chunk-VYGZMEHB.js";
import "./chunk-KI6M5PBK.js";
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
import "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-4L3VKM7L.js";
import "./chunk-EDJIWXRY.js";

// cli/commands/baseline.ts
import { writeFileSync } from "node:fs";
import path from "node:path";
async function baseline(repoPath, flags) {
  const options = loadSettings(repoPath, flags);
  const log = terminalLogger(Boolean(flags.verbose));
  const docker = connectDocker();
  const airflowMajor = await lintAirflowMajor(options, docker, (r) => resolveCredentials(r, { cwd: options.root }), log);
  const lintRuns = await runLint({ root: options.root, toolsImage: toolsImage(options), airflowMajor }, docker, log);
  const checked = await checkDags({ options, image: airflowImage(options, flags.image), dagshipVersion: VERSION }, docker, log);
  const runs = [...lintRuns, checked.run];
  const fingerprints = runs.flatMap((r) => fingerprintAll(r.findings, options.root));
  const output = path.resolve(options.root, flags.output ?? options.baseline ?? ".dagship-baseline.json");
  writeFileSync(output, writeBaseline(fingerprints));
  process.stdout.write(`wrote ${fingerprints.length} known finding(s) to ${output}
use it with --baseline ${path.relative(process.cwd(), output) || output} (or 'baseline:' in dagship.yaml)
`);
  return 0;
}
export {
  baseline
};
