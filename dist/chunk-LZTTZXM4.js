#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  artifactRegistry,
  signingKey
} from "./chunk-VTPWZORT.js";
import {
  pinnedImage,
  recordResult,
  rulesApplied
} from "./chunk-7E7MM5J4.js";
import "./chunk-55SI5XW5.js";
import {
  summaryLines
} from "./chunk-XGTTT5KZ.js";
import {
  checkDags
} from "./chunk-WLET6FW2.js";
import {
  VERSION
} from "./chunk-2E57LOES.js";
import {
  judge,
  present
} from "./chunk-EFR3PT74.js";
import "./chunk-M5DZTYN6.js";
import "./chunk-SQYA2VGU.js";
import "./chunk-MGNN7A3E.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-VYGZMEHB.js";
import "./chunk-KI6M5PBK.js";
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
  credentialsOnce,
  engineAuth
} from "./chunk-YMHZUKT3.js";
import "./chunk-WDFNAZ3S.js";
import "./chunk-M5D5RXX2.js";
import "./chunk-FFWHJTTK.js";
import {
  baselinePath
} from "./chunk-O4JILTWT.js";
import "./chunk-VTW57CTW.js";
import "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-HHFAD5KM.js";
import "./chunk-4L3VKM7L.js";
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
