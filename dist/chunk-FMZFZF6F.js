#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  lintAirflowMajor
} from "./chunk-DC3N4TEE.js";
import {
  checkDags
} from "./chunk-WLET6FW2.js";
import {
  VERSION
} from "./chunk-2E57LOES.js";
import {
  runLint
} from "./chunk-M5DZTYN6.js";
import {
  fingerprintAll,
  writeBaseline
} from "./chunk-SQYA2VGU.js";
import "./chunk-SBJPSN73.js";
import "./chunk-MPU4A5NT.js";
import "./chunk-VYGZMEHB.js";
import "./chunk-KI6M5PBK.js";
import {
  loadSettings
} from "./chunk-534TERUE.js";
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
import {
  airflowImage,
  toolsImage
} from "./chunk-O4JILTWT.js";
import "./chunk-VTW57CTW.js";
import "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-HHFAD5KM.js";
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
