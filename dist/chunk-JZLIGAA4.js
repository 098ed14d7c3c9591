#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  changedSelection
} from "./chunk-EYN5ZWON.js";
import {
  judge,
  present
} from "./chunk-PJZ3I2AX.js";
import "./chunk-YZ2FCRPJ.js";
import {
  runLint
} from "./chunk-VQ3ZG6YF.js";
import {
  baselinePath,
  toolsImage
} from "./chunk-VDRGIECY.js";
import {
  connectDocker
} from "./chunk-NGVIJIJW.js";
import {
  loadOptions
} from "./chunk-7HNLF3FK.js";
import "./chunk-VTW57CTW.js";
import {
  terminalLogger
} from "./chunk-4TZSK3EF.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-U7H76OMH.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-FLMQALUX.js";
import "./chunk-EDJIWXRY.js";

// cli/commands/lint.ts
async function lint(repoPath, flags) {
  const options = loadOptions({ root: repoPath, configFile: flags.config, flags: flags.overrides });
  const log = terminalLogger(Boolean(flags.verbose));
  const started = Date.now();
  const selection = await changedSelection(options, flags.changedSince, log);
  const runs = await runLint({ root: options.root, toolsImage: toolsImage(options), files: selection?.lint }, connectDocker(), log);
  const outcome = judge(runs, { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  return present(outcome, { title: "dagship lint", reports: flags.reports, summary: [`elapsed ${((Date.now() - started) / 1e3).toFixed(1)}s`] });
}
export {
  lint
};
