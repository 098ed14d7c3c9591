#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  pushImage
} from "./chunk-MYMS6AID.js";
import {
  auditConfiguredValues,
  joinRuns
} from "./chunk-F5QSCBKD.js";
import "./chunk-DCBPBWUP.js";
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
import {
  setOutput
} from "./chunk-YZ2FCRPJ.js";
import {
  runLint
} from "./chunk-VQ3ZG6YF.js";
import {
  baselinePath,
  toolsImage
} from "./chunk-VDRGIECY.js";
import {
  buildImage
} from "./chunk-VG43SFTA.js";
import "./chunk-DFLPPKUF.js";
import {
  loadBuildOptions,
  withBuildFlags
} from "./chunk-R5E3WFEJ.js";
import {
  gitRepo
} from "./chunk-2TGSJXID.js";
import {
  connectDocker
} from "./chunk-NGVIJIJW.js";
import "./chunk-7HNLF3FK.js";
import "./chunk-VTW57CTW.js";
import {
  painter,
  terminalLogger,
  useColor
} from "./chunk-4TZSK3EF.js";
import "./chunk-3P7JFNUS.js";
import {
  connectRegistry,
  credentialsOnce,
  parseImageReference,
  resolveCredentials
} from "./chunk-OSDVXIV5.js";
import "./chunk-A7S7IP7A.js";
import "./chunk-U7H76OMH.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-FLMQALUX.js";
import {
  DagshipError,
  isDagshipError
} from "./chunk-EDJIWXRY.js";

// cli/commands/ship.ts
async function ship(repoPath, flags) {
  const options = withBuildFlags(loadBuildOptions(repoPath, flags), flags);
  const log = terminalLogger(Boolean(flags.verbose));
  const key = flags.push === false ? void 0 : signingKey();
  const engine = connectDocker();
  const git = gitRepo(options.root);
  const started = Date.now();
  const gate = (runs, summary = []) => {
    const outcome = judge(runs, { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
    return { outcome, show: () => present(outcome, { title: "dagship ship", reports: flags.reports, summary }) };
  };
  const lintRuns = await log.group("1/4 lint: ruff and bandit", () => runLint({ root: options.root, toolsImage: toolsImage(options) }, engine, log));
  const linted = gate(lintRuns);
  if (!linted.outcome.passed) return stopped(linted.show(), "lint");
  const auditRuns = options.audit.values.length ? [await log.group("audit: Helm values against the production checklist", async () => auditConfiguredValues(options, VERSION).run)] : [];
  const audited = gate([...lintRuns, ...auditRuns]);
  if (!audited.outcome.passed) return stopped(audited.show(), "audit");
  const target = options.repository ? parseImageReference(options.repository).registry : void 0;
  const built = await log.group(
    "2/4 build: bake the DAGs into the base image",
    () => buildImage({ options, allowDirty: flags.allowDirty, includeBaseLayers: flags.includeBaseLayers }, { engine, git, credentialsFor: (r) => resolveCredentials(r, { cwd: options.root, target }) }, log)
  );
  const checked = await log.group(
    `3/4 check: import every DAG inside ${built.image}`,
    () => checkDags({ options, image: built.image, baked: true, dagshipVersion: VERSION }, engine, log)
  );
  const verdict = gate([...lintRuns, joinRuns(checked.run, auditRuns)], summaryLines(checked.result, built.image, Date.now() - started));
  const code = verdict.show();
  if (!verdict.outcome.passed) return stopped(code, "check");
  const paint = painter(useColor());
  setOutput("image", built.image);
  setOutput("tag", built.image.slice(built.image.lastIndexOf(":") + 1));
  setOutput("image-id", built.id);
  if (flags.push === false) {
    process.stdout.write(`${paint("green", "\u2714 shipped locally")} ${built.image} (${built.id.slice(0, 19)}) \u2014 not pushed (--no-push)
`);
    return 0;
  }
  const pushCredentials = credentialsOnce({ cwd: options.root });
  const pushed = await log.group(
    "4/4 push",
    () => pushImage(
      { options, image: built.image, allowDirty: flags.allowDirty },
      { engine, git, credentialsFor: pushCredentials, registry: (host, credentials) => connectRegistry(host, fetch, { credentials }) },
      log
    )
  );
  setOutput("reference", pushed.reference);
  setOutput("digest", pushed.reference.split("@")[1] ?? "");
  const pinned = pinnedImage(pushed.reference);
  try {
    await recordResult(await artifactRegistry(pinned.host, pushCredentials), { image: pinned, outcome: verdict.outcome, rulesRun: rulesApplied(options.check, true), labels: built.labels, dagshipVersion: VERSION, signingKey: key }, log);
  } catch (err) {
    if (!isDagshipError(err)) throw err;
    throw new DagshipError(`${pushed.reference} is pushed, but its check result could not be recorded: ${err.message}`, `run dagship ship again once the registry answers (the push is then a no-op) \u2014 until then deploy refuses this image; ${err.hint}`, err.kind, { cause: err });
  }
  process.stdout.write(`${paint("green", "\u2714 shipped")} ${pushed.reference}
`);
  return 0;
}
function stopped(code, stage) {
  process.stderr.write(`ship stopped at ${stage}: nothing was ${stage === "check" ? "" : "built or "}pushed
`);
  return code;
}
export {
  ship
};
