#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  artifactRegistry,
  signingKey
} from "./chunk-4QBNJSCT.js";
import {
  pinnedImage,
  recordResult,
  rulesApplied
} from "./chunk-4VCFSQRQ.js";
import "./chunk-BRR2QREV.js";
import {
  summaryLines
} from "./chunk-XGTTT5KZ.js";
import {
  checkDags
} from "./chunk-OYLDYUED.js";
import {
  VERSION
} from "./chunk-2E57LOES.js";
import {
  judge,
  present
} from "./chunk-QGG3HRCQ.js";
import "./chunk-YZ2FCRPJ.js";
import "./chunk-74E4C2ZI.js";
import {
  baselinePath
} from "./chunk-VDRGIECY.js";
import "./chunk-VYGZMEHB.js";
import "./chunk-KI6M5PBK.js";
import {
  connectDocker
} from "./chunk-2C5PDK3L.js";
import "./chunk-PICL6GY7.js";
import {
  terminalLogger
} from "./chunk-V7LOU7YI.js";
import "./chunk-3P7JFNUS.js";
import {
  credentialsOnce,
  engineAuth
} from "./chunk-EYLIXMRA.js";
import "./chunk-BKTJISMR.js";
import "./chunk-FQABKW32.js";
import "./chunk-4L4YC4GF.js";
import "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
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
