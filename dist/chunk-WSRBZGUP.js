#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  pushImage
} from "./chunk-U3IEJCZ2.js";
import {
  auditConfiguredValues,
  joinRuns
} from "./chunk-NUM66ZME.js";
import "./chunk-2ZBJNGZI.js";
import {
  lintAirflowMajor
} from "./chunk-DC3N4TEE.js";
import {
  signingKey
} from "./chunk-VTPWZORT.js";
import {
  pinnedImage,
  recordResult,
  rulesApplied
} from "./chunk-7E7MM5J4.js";
import {
  connectRegistry,
  registryApiHost
} from "./chunk-55SI5XW5.js";
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
import {
  runLint
} from "./chunk-M5DZTYN6.js";
import "./chunk-SQYA2VGU.js";
import "./chunk-MGNN7A3E.js";
import "./chunk-3P7JFNUS.js";
import {
  buildImage
} from "./chunk-M7FXXVTL.js";
import "./chunk-6QQE5BCR.js";
import "./chunk-SBJPSN73.js";
import "./chunk-MPU4A5NT.js";
import "./chunk-VYGZMEHB.js";
import "./chunk-KI6M5PBK.js";
import {
  withBuildFlags
} from "./chunk-XQKWLKOQ.js";
import {
  gitRepo
} from "./chunk-V7QBZOY7.js";
import {
  loadSettings
} from "./chunk-534TERUE.js";
import {
  setOutput
} from "./chunk-ZBQHUFCK.js";
import {
  connectDocker
} from "./chunk-544YBR7N.js";
import "./chunk-PICL6GY7.js";
import {
  painter,
  terminalLogger,
  useColor
} from "./chunk-MSPDIVQH.js";
import "./chunk-PKJVO3JP.js";
import {
  credentialsOnce,
  resolveCredentials
} from "./chunk-YMHZUKT3.js";
import "./chunk-WDFNAZ3S.js";
import "./chunk-M5D5RXX2.js";
import "./chunk-FFWHJTTK.js";
import {
  REPOSITORY_SETTING,
  baselinePath,
  toolsImage
} from "./chunk-O4JILTWT.js";
import "./chunk-VTW57CTW.js";
import {
  parseImageReference
} from "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import {
  parseDuration
} from "./chunk-HHFAD5KM.js";
import "./chunk-4L3VKM7L.js";
import {
  DagshipError,
  isDagshipError
} from "./chunk-EDJIWXRY.js";

// src/pipeline.ts
async function ship(request, deps, log) {
  const { options, dagshipVersion } = request;
  const { engine } = deps;
  const started = Date.now();
  const judged = (runs) => judge(runs, { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  const lintRuns = await log.group(
    "1/4 lint: ruff and bandit",
    async () => runLint({ root: options.root, toolsImage: toolsImage(options), airflowMajor: await lintAirflowMajor(options, engine, deps.credentialsFor, log) }, engine, log)
  );
  const linted = judged(lintRuns);
  if (!linted.passed) return { stoppedAt: "lint", outcome: linted, summary: [] };
  const auditRuns = options.audit.values.length ? [await log.group("audit: Helm values against the production checklist", async () => auditConfiguredValues(options, dagshipVersion).run)] : [];
  const audited = judged([...lintRuns, ...auditRuns]);
  if (!audited.passed) return { stoppedAt: "audit", outcome: audited, summary: [] };
  const built = await log.group(
    "2/4 build: bake the DAGs into the base image",
    () => buildImage({ options, allowDirty: request.allowDirty, includeBaseLayers: request.includeBaseLayers }, { engine, git: deps.git, credentialsFor: deps.credentialsFor }, log)
  );
  const checked = await log.group(
    `3/4 check: import every DAG inside ${built.image}`,
    () => checkDags({ options, image: built.image, baked: true, dagshipVersion }, engine, log)
  );
  const outcome = judged([...lintRuns, joinRuns(checked.run, auditRuns)]);
  const summary = summaryLines(checked.result, built.image, Date.now() - started);
  if (!outcome.passed) return { stoppedAt: "check", outcome, summary, built };
  deps.onChecked?.(built);
  if (!request.push) return { outcome, summary, built };
  const pushed = await log.group(
    "4/4 push",
    () => pushImage(
      { options, image: built.image, allowDirty: request.allowDirty, timeoutMs: request.pushTimeoutMs, deadlineName: request.pushDeadlineName },
      { engine, git: deps.git, credentialsFor: deps.pushCredentialsFor, registry: deps.registry },
      log
    )
  );
  const pinned = pinnedImage(pushed.reference);
  try {
    const registry = deps.registry(registryApiHost(pinned.host), await deps.pushCredentialsFor(pinned.host));
    await recordResult(registry, { image: pinned, outcome, rulesRun: rulesApplied(options.check, true), labels: built.labels, dagshipVersion, signingKey: request.signingKey }, log);
  } catch (err) {
    if (!isDagshipError(err)) throw err;
    throw new DagshipError(`${pushed.reference} is pushed, but its check result could not be recorded: ${err.message}`, `run dagship ship again once the registry answers (the push is then a no-op) \u2014 until then deploy refuses this image; ${err.hint}`, err.kind, { cause: err });
  }
  return { outcome, summary, built, pushed };
}

// cli/commands/ship.ts
async function ship2(repoPath, flags) {
  const options = withBuildFlags(loadSettings(repoPath, flags), flags);
  const log = terminalLogger(Boolean(flags.verbose));
  const push = flags.push !== false;
  const key = push ? signingKey() : void 0;
  const pushTimeout = flags.pushTimeout ?? "30m";
  const pushTimeoutMs = parseDuration(pushTimeout, "--push-timeout");
  const target = options.repository ? parseImageReference(options.repository, REPOSITORY_SETTING).registry : void 0;
  const result = await ship(
    { options, dagshipVersion: VERSION, allowDirty: flags.allowDirty, includeBaseLayers: flags.includeBaseLayers, push, pushTimeoutMs, pushDeadlineName: `--push-timeout ${pushTimeout}`, signingKey: key },
    {
      engine: connectDocker(),
      git: gitRepo(options.root),
      credentialsFor: (r) => resolveCredentials(r, { cwd: options.root, target }),
      pushCredentialsFor: credentialsOnce({ cwd: options.root }),
      registry: (host, credentials, deadline) => connectRegistry(host, fetch, { credentials, deadline, source: REPOSITORY_SETTING }),
      onChecked: (built2) => {
        setOutput("image", built2.image);
        setOutput("tag", built2.image.slice(built2.image.lastIndexOf(":") + 1));
        setOutput("image-id", built2.id);
      }
    },
    log
  );
  const code = await present(result.outcome, { title: "dagship ship", reports: flags.reports, summary: result.summary });
  if (result.stoppedAt) {
    process.stderr.write(`ship stopped at ${result.stoppedAt}: nothing was ${result.stoppedAt === "check" ? "" : "built or "}pushed
`);
    return code;
  }
  const paint = painter(useColor());
  const built = result.built;
  if (!result.pushed) {
    process.stdout.write(`${paint("green", "\u2714 shipped locally")} ${built.image} (${built.id.slice(0, 19)}) \u2014 not pushed (--no-push)
`);
    return 0;
  }
  setOutput("reference", result.pushed.reference);
  setOutput("digest", result.pushed.digest);
  process.stdout.write(`${paint("green", "\u2714 shipped")} ${result.pushed.reference}
`);
  return 0;
}
export {
  ship2 as ship
};
