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
  changedSelection
} from "./chunk-QRGNMJOW.js";
import {
  judge,
  present
} from "./chunk-EFR3PT74.js";
import {
  runLint
} from "./chunk-M5DZTYN6.js";
import "./chunk-SQYA2VGU.js";
import "./chunk-MGNN7A3E.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-SBJPSN73.js";
import "./chunk-MPU4A5NT.js";
import "./chunk-KI6M5PBK.js";
import {
  loadSettings
} from "./chunk-534TERUE.js";
import "./chunk-ZBQHUFCK.js";
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
  baselinePath,
  toolsImage
} from "./chunk-O4JILTWT.js";
import "./chunk-VTW57CTW.js";
import "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-HHFAD5KM.js";
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
