#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  cacheRoot,
  checkDags
} from "./chunk-V6DQS27Z.js";
import {
  VERSION
} from "./chunk-2E57LOES.js";
import {
  changedSelection
} from "./chunk-XSXVIBYT.js";
import {
  judge,
  present
} from "./chunk-FUOWHSPT.js";
import {
  airflowImage,
  baselinePath
} from "./chunk-AR3DR67Z.js";
import {
  connectDocker
} from "./chunk-JD33ZQ6Q.js";
import {
  loadOptions
} from "./chunk-YEYSGKCL.js";
import {
  terminalLogger
} from "./chunk-MPMYMDUM.js";

// cli/commands/check.ts
async function check(repoPath, flags) {
  const options = loadOptions({ root: repoPath, configFile: flags.config, flags: flags.overrides });
  const image = airflowImage(options, flags.image);
  const log = terminalLogger(Boolean(flags.verbose));
  const started = Date.now();
  const selection = await changedSelection(options, flags.changedSince, log);
  const cacheDir = flags.cache === false ? void 0 : cacheRoot();
  const { run, result } = await checkDags({ options, image, files: selection?.dags, dagshipVersion: VERSION, cacheDir }, connectDocker(), log);
  const outcome = judge([run], { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  return present(outcome, {
    title: "dagship check",
    reports: flags.reports,
    summary: summaryLines(result, image, Date.now() - started),
    json: { airflow_version: result.airflow_version, image, files: result.files, timings: result.timings }
  });
}
function summaryLines(result, image, elapsedMs) {
  const dags = result.files.reduce((n, f) => n + f.dags.length, 0);
  const tasks = result.files.reduce((n, f) => n + f.dags.reduce((m, d) => m + d.tasks, 0), 0);
  const slowest = [...result.files].sort((a, b) => b.import_seconds - a.import_seconds).slice(0, 3).map((f) => `${f.path} ${f.import_seconds.toFixed(2)}s`);
  return [
    `Airflow ${result.airflow_version} (${image}): ${result.files.length} DAG file(s) checked of ${result.discovered} discovered${result.timings.cached ? ` (${result.timings.cached} unchanged, from cache)` : ""}, ${dags} DAG(s), ${tasks} task(s)`,
    `slowest: ${slowest.join(", ") || "-"} \xB7 airflow import ${result.timings.airflow_import_seconds.toFixed(1)}s \xB7 ${result.timings.workers} worker(s) \xB7 elapsed ${(elapsedMs / 1e3).toFixed(1)}s`
  ];
}

export {
  check,
  summaryLines
};
