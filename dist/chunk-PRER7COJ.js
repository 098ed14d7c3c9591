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
  changedSelection
} from "./chunk-XSW7EEWB.js";
import {
  judge,
  present
} from "./chunk-QGG3HRCQ.js";
import "./chunk-YZ2FCRPJ.js";
import {
  runLint
} from "./chunk-74E4C2ZI.js";
import {
  baselinePath,
  toolsImage
} from "./chunk-VDRGIECY.js";
import "./chunk-HD5HDXIZ.js";
import "./chunk-MPU4A5NT.js";
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

// cli/commands/lint.ts
async function lint(repoPath, flags) {
  const options = loadSettings(repoPath, flags);
  const log = terminalLogger(Boolean(flags.verbose));
  const started = Date.now();
  const engine = connectDocker();
  const tools = toolsImage(options);
  const selection = await changedSelection(options, flags.changedSince, log);
  const airflowMajor = await lintAirflowMajor(options, engine, (r) => resolveCredentials(r, { cwd: options.root }), log);
  const runs = await runLint({ root: options.root, toolsImage: tools, files: selection?.lint, airflowMajor }, engine, log);
  const outcome = judge(runs, { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  return present(outcome, { title: "dagship lint", reports: flags.reports, summary: [`elapsed ${((Date.now() - started) / 1e3).toFixed(1)}s`] });
}
export {
  lint
};
