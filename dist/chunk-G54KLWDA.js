#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  changedSelection
} from "./chunk-XSXVIBYT.js";
import {
  judge,
  present
} from "./chunk-FUOWHSPT.js";
import {
  runLint
} from "./chunk-LX26HTVE.js";
import {
  baselinePath,
  toolsImage
} from "./chunk-AR3DR67Z.js";
import "./chunk-HN7AZG2M.js";
import "./chunk-2PXQBPQB.js";
import {
  connectDocker
} from "./chunk-JD33ZQ6Q.js";
import {
  loadOptions
} from "./chunk-YEYSGKCL.js";
import "./chunk-2N3MEOMR.js";
import "./chunk-SJP5SR43.js";
import {
  terminalLogger
} from "./chunk-MPMYMDUM.js";

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
