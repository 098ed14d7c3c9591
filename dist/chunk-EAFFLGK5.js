#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  artifactRegistry,
  pinnedImage,
  signingKey
} from "./chunk-IBM3I2U5.js";
import {
  recordResult,
  rulesApplied
} from "./chunk-KPDUV3AF.js";
import {
  summaryLines
} from "./chunk-GLTMBGXY.js";
import {
  checkDags
} from "./chunk-5DLLH6Y6.js";
import {
  VERSION
} from "./chunk-2E57LOES.js";
import "./chunk-EYN5ZWON.js";
import {
  judge,
  present
} from "./chunk-PJZ3I2AX.js";
import "./chunk-YZ2FCRPJ.js";
import "./chunk-VQ3ZG6YF.js";
import {
  baselinePath
} from "./chunk-VDRGIECY.js";
import {
  connectDocker
} from "./chunk-NGVIJIJW.js";
import "./chunk-7HNLF3FK.js";
import "./chunk-VTW57CTW.js";
import {
  terminalLogger
} from "./chunk-4TZSK3EF.js";
import "./chunk-3P7JFNUS.js";
import {
  credentialsOnce,
  engineAuth
} from "./chunk-OSDVXIV5.js";
import "./chunk-A7S7IP7A.js";
import "./chunk-U7H76OMH.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-FLMQALUX.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// cli/commands/check-attest.ts
async function checkAndAttest(options, flags) {
  if (!flags.image) throw new DagshipError("--attest needs --image", "pass the pinned reference dagship push printed: --image registry/repository@sha256:\u2026", "usage");
  if (flags.changedSince) throw new DagshipError("--attest checks the whole image; --changed-since does not apply", "drop --changed-since", "usage");
  const target = pinnedImage(flags.image);
  const key = signingKey();
  const log = terminalLogger(Boolean(flags.verbose));
  const started = Date.now();
  const engine = connectDocker();
  const credentialsFor = credentialsOnce({ cwd: options.root });
  const registry = await artifactRegistry(target.host, credentialsFor);
  await ensureLocal(engine, flags.image, target.host, credentialsFor, log);
  const { run, result } = await checkDags({ options, image: flags.image, baked: true, dagshipVersion: VERSION }, engine, log);
  const outcome = judge([run], { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  const labels = (await engine.image(flags.image))?.labels ?? {};
  await recordResult(registry, { image: target, outcome, rulesRun: rulesApplied(options.check, false), labels, dagshipVersion: VERSION, signingKey: key }, log);
  return present(outcome, {
    title: "dagship check",
    reports: flags.reports,
    summary: summaryLines(result, flags.image, Date.now() - started),
    json: { airflow_version: result.airflow_version, image: flags.image, files: result.files, timings: result.timings }
  });
}
async function ensureLocal(engine, reference, host, credentialsFor, log) {
  if (await engine.image(reference)) return;
  log.info(`pulling ${reference}`);
  await engine.pull(reference, engineAuth(await credentialsFor(host), host));
}
export {
  checkAndAttest
};
