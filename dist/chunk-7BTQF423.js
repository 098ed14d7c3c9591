#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  pushImage
} from "./chunk-DXH635WC.js";
import {
  loadBuildOptions,
  withBuildFlags
} from "./chunk-QZWTNLLY.js";
import {
  auditConfiguredValues,
  joinRuns
} from "./chunk-NUM66ZME.js";
import "./chunk-2ZBJNGZI.js";
import {
  parseDuration
} from "./chunk-S6XVGDDK.js";
import "./chunk-KRX7BCAN.js";
import {
  gitRepo
} from "./chunk-V7QBZOY7.js";
import {
  lintAirflowMajor
} from "./chunk-YIUZMMJF.js";
import {
  artifactRegistry,
  pinnedImage,
  signingKey
} from "./chunk-XO3FLVQ6.js";
import {
  recordResult,
  rulesApplied
} from "./chunk-SRZQVFBH.js";
import {
  summaryLines
} from "./chunk-TEOKI3JI.js";
import {
  checkDags
} from "./chunk-Q4H3WGNF.js";
import {
  VERSION
} from "./chunk-2E57LOES.js";
import "./chunk-QRGNMJOW.js";
import {
  judge,
  present
} from "./chunk-QGG3HRCQ.js";
import {
  setOutput
} from "./chunk-YZ2FCRPJ.js";
import {
  runLint
} from "./chunk-M5DZTYN6.js";
import {
  baselinePath,
  toolsImage
} from "./chunk-VDRGIECY.js";
import {
  connectDocker
} from "./chunk-W3BSIFFT.js";
import "./chunk-PGO46X7C.js";
import "./chunk-VTW57CTW.js";
import "./chunk-PICL6GY7.js";
import {
  painter,
  terminalLogger,
  useColor
} from "./chunk-V7LOU7YI.js";
import "./chunk-3P7JFNUS.js";
import {
  buildImage
} from "./chunk-NQCYET2J.js";
import "./chunk-DAQT7YYS.js";
import "./chunk-JBNNLYTR.js";
import "./chunk-MPU4A5NT.js";
import {
  connectRegistry,
  credentialsOnce,
  parseImageReference,
  resolveCredentials
} from "./chunk-AUY4KTVI.js";
import "./chunk-WDFNAZ3S.js";
import "./chunk-VYGZMEHB.js";
import "./chunk-KI6M5PBK.js";
import "./chunk-5CYYP5ST.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-PCYVD2PZ.js";
import "./chunk-4L3VKM7L.js";
import {
  DagshipError,
  isDagshipError
} from "./chunk-EDJIWXRY.js";

// cli/commands/ship.ts
async function ship(repoPath, flags) {
  const options = withBuildFlags(loadBuildOptions(repoPath, flags), flags);
  const log = terminalLogger(Boolean(flags.verbose));
  const key = flags.push === false ? void 0 : signingKey();
  const pushTimeoutMs = parseDuration(flags.pushTimeout ?? "30m", "--push-timeout");
  const engine = connectDocker();
  const git = gitRepo(options.root);
  const started = Date.now();
  const gate = (runs, summary = []) => {
    const outcome = judge(runs, { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
    return { outcome, show: () => present(outcome, { title: "dagship ship", reports: flags.reports, summary }) };
  };
  const target = options.repository ? parseImageReference(options.repository).registry : void 0;
  const credentialsFor = (r) => resolveCredentials(r, { cwd: options.root, target });
  const lintRuns = await log.group(
    "1/4 lint: ruff and bandit",
    async () => runLint({ root: options.root, toolsImage: toolsImage(options), airflowMajor: await lintAirflowMajor(options, engine, credentialsFor, log) }, engine, log)
  );
  const linted = gate(lintRuns);
  if (!linted.outcome.passed) return stopped(linted.show(), "lint");
  const auditRuns = options.audit.values.length ? [await log.group("audit: Helm values against the production checklist", async () => auditConfiguredValues(options, VERSION).run)] : [];
  const audited = gate([...lintRuns, ...auditRuns]);
  if (!audited.outcome.passed) return stopped(audited.show(), "audit");
  const built = await log.group(
    "2/4 build: bake the DAGs into the base image",
    () => buildImage({ options, allowDirty: flags.allowDirty, includeBaseLayers: flags.includeBaseLayers }, { engine, git, credentialsFor }, log)
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
      { options, image: built.image, allowDirty: flags.allowDirty, timeoutMs: pushTimeoutMs, deadlineName: `--push-timeout ${flags.pushTimeout ?? "30m"}` },
      { engine, git, credentialsFor: pushCredentials, registry: (host, credentials, deadline) => connectRegistry(host, fetch, { credentials, deadline }) },
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
