#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  summaryLines
} from "./chunk-GVIUFOIG.js";
import {
  checkDags
} from "./chunk-V6DQS27Z.js";
import {
  VERSION
} from "./chunk-2E57LOES.js";
import "./chunk-XSXVIBYT.js";
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
import {
  pushImage
} from "./chunk-C7WZK77B.js";
import {
  setOutput
} from "./chunk-HN7AZG2M.js";
import {
  buildImage,
  loadBuildOptions,
  withBuildFlags
} from "./chunk-3ZXZMSBL.js";
import {
  connectRegistry,
  parseImageReference,
  resolveCredentials
} from "./chunk-445HSIDF.js";
import {
  gitRepo
} from "./chunk-2PXQBPQB.js";
import {
  connectDocker
} from "./chunk-JD33ZQ6Q.js";
import "./chunk-YEYSGKCL.js";
import "./chunk-2N3MEOMR.js";
import "./chunk-SJP5SR43.js";
import {
  painter,
  terminalLogger,
  useColor
} from "./chunk-MPMYMDUM.js";

// cli/commands/ship.ts
async function ship(repoPath, flags) {
  const options = withBuildFlags(loadBuildOptions(repoPath, flags), flags);
  const log = terminalLogger(Boolean(flags.verbose));
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
  const target = options.repository ? parseImageReference(options.repository).registry : void 0;
  const built = await log.group(
    "2/4 build: bake the DAGs into the base image",
    () => buildImage({ options, allowDirty: flags.allowDirty, includeBaseLayers: flags.includeBaseLayers }, { engine, git, credentialsFor: (r) => resolveCredentials(r, { cwd: options.root, target }) }, log)
  );
  const checked = await log.group(
    `3/4 check: import every DAG inside ${built.image}`,
    () => checkDags({ options, image: built.image, baked: true, dagshipVersion: VERSION }, engine, log)
  );
  const verdict = gate([...lintRuns, checked.run], summaryLines(checked.result, built.image, Date.now() - started));
  const code = verdict.show();
  if (!verdict.outcome.passed) return stopped(code, "check");
  const paint = painter(useColor());
  setOutput("image", built.image);
  setOutput("image-id", built.id);
  if (flags.push === false) {
    process.stdout.write(`${paint("green", "\u2714 shipped locally")} ${built.image} (${built.id.slice(0, 19)}) \u2014 not pushed (--no-push)
`);
    return 0;
  }
  const pushed = await log.group(
    "4/4 push",
    () => pushImage(
      { options, image: built.image, allowDirty: flags.allowDirty },
      { engine, git, credentialsFor: (r) => resolveCredentials(r, { cwd: options.root }), registry: (host, credentials) => connectRegistry(host, fetch, { credentials }) },
      log
    )
  );
  setOutput("reference", pushed.reference);
  setOutput("digest", pushed.reference.split("@")[1] ?? "");
  process.stdout.write(`${paint("green", "\u2714 shipped")} ${pushed.reference}
`);
  return 0;
}
function stopped(code, stage) {
  process.stderr.write(`ship stopped at ${stage}: nothing was ${stage === "lint" ? "built or " : ""}pushed
`);
  return code;
}
export {
  ship
};
