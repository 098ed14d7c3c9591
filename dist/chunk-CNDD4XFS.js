#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  changedSelection
} from "./chunk-2YK5JOJB.js";
import {
  judge,
  present
} from "./chunk-XVTJVTDK.js";
import {
  runLint
} from "./chunk-WVFLYSV5.js";
import {
  baselinePath,
  toolsImage
} from "./chunk-HCEVGB6E.js";
import "./chunk-YZ2FCRPJ.js";
import "./chunk-M4ZL7T75.js";
import {
  connectDocker
} from "./chunk-P6SJXGDL.js";
import {
  loadOptions
} from "./chunk-ELWCUTVZ.js";
import "./chunk-TPJITKM3.js";
import {
  terminalLogger
} from "./chunk-4TZSK3EF.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-J73IMVUP.js";
import "./chunk-M2TGPJXJ.js";
import "./chunk-ZJ7SYHWN.js";
import "./chunk-K6F7WG7T.js";

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
