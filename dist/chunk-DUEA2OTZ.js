#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  maskSecret,
  outputsSet,
  setOutput
} from "./chunk-ZBQHUFCK.js";
import {
  error,
  getInput,
  isDebug
} from "./chunk-PKJVO3JP.js";
import {
  envName
} from "./chunk-O4JILTWT.js";
import "./chunk-VTW57CTW.js";
import "./chunk-DDMSHZPD.js";
import {
  onStop,
  stoppedBy
} from "./chunk-NJNJ5BY3.js";
import "./chunk-HHFAD5KM.js";
import "./chunk-4L3VKM7L.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// cli/commands/action.ts
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";

// cli/action-inputs.ts
var PATH = { own: "the repository folder, the positional [path]" };
var CREDENTIALS = {
  "registry-username": { env: "DAGSHIP_REGISTRY_USERNAME" },
  "registry-password": { env: "DAGSHIP_REGISTRY_PASSWORD" }
};
var REPOSITORY = { path: PATH, config: { flag: "--config" } };
var IMAGES = { "base-image": { setting: "base_image" }, "tools-image": { setting: "tools_image" } };
var GATE = { "fail-on": { setting: "fail_on" }, baseline: { setting: "baseline" } };
var SETTINGS_IN_FILE = "a dagship.yaml setting that belongs in the file, not in each workflow";
var DEBUG = "on when the runner's debug logging is (RUNNER_DEBUG)";
var COMMON_NOT_INPUTS = { "--dags-folder": SETTINGS_IN_FILE, "--allow-empty-dags": SETTINGS_IN_FILE, "--verbose": DEBUG, "--json": "SARIF (code scanning) and the job summary cover a CI run; the JSON report is for scripts" };
var BUILD_NOT_INPUTS = {
  "--short-sha": "a release is tagged with the full commit, which deploy and the audit trail rely on",
  "--tag": "moving tags are what dagship replaces with commit tags and digests",
  "--allow-dirty": "a CI checkout is clean; a dirty image is no release",
  "--include-base-layers": "automatic on the containerd image store"
};
var CHECK_NOT_INPUTS = {
  "--workers": SETTINGS_IN_FILE,
  "--local-settings": SETTINGS_IN_FILE,
  "--no-cache": "a CI job starts without the cache",
  "--attest": "ship records the result of the image it built; the root action runs it"
};
var DEPLOY_INPUTS = {
  release: { flag: "--release", to: ["deploy"] },
  namespace: { flag: "--namespace", to: ["deploy"] },
  kubeconfig: { own: "a path, or the content (from a secret) written to a private file under RUNNER_TEMP; becomes KUBECONFIG" },
  context: { flag: "--context", to: ["deploy"] },
  "lock-timeout": { flag: "--lock-timeout", to: ["deploy"] },
  "public-key": { flag: "--public-key", to: ["deploy"] },
  "skip-verify": { flag: "--skip-verify", to: ["deploy"], kind: "boolean" },
  strategy: { flag: "--strategy", to: ["deploy"] },
  chart: { flag: "--chart", to: ["deploy"] },
  "chart-version": { flag: "--chart-version", to: ["deploy"] },
  "dry-run": { flag: "--dry-run", to: ["deploy"], kind: "boolean" }
};
var DEPLOY_NOT_INPUTS = { "--revision": "the image tag or digest is the revision a CI deploy records", "--verbose": DEBUG };
var ACTIONS = {
  root: {
    commands: ["lint", "check", "audit", "ship", "deploy"],
    inputs: {
      stages: { own: "the stages to run, of lint, check, build, push, deploy; build without push is ship --no-push", flags: ["--no-push"] },
      path: PATH,
      config: { flag: "--config", to: ["lint", "check", "audit", "ship"] },
      ...IMAGES,
      repository: { setting: "repository" },
      ...CREDENTIALS,
      ...GATE,
      "changed-since": { flag: "--changed-since", to: ["lint", "check"] },
      timeout: { setting: "check.timeout" },
      variables: { setting: "check.variables" },
      connections: { setting: "check.connections" },
      values: { setting: "audit.values" },
      "signing-key": { env: "DAGSHIP_SIGNING_KEY" },
      "push-timeout": { flag: "--push-timeout", to: ["ship"] },
      image: { own: "with stages deploy alone, the pinned reference to promote (with build, the one ship pushed)", flags: ["--image"] },
      ...DEPLOY_INPUTS,
      "deploy-timeout": { flag: "--timeout", to: ["deploy"] },
      sarif: { own: "the SARIF report of ship or check; lint's and audit's get the prefix lint-/audit- when they run beside check", flags: ["--sarif"] }
    },
    notInputs: {
      ...COMMON_NOT_INPUTS,
      ...BUILD_NOT_INPUTS,
      ...DEPLOY_NOT_INPUTS,
      ...CHECK_NOT_INPUTS,
      "--pr-comment": "actions/check writes the pull request comment",
      "--junit": "actions/check writes JUnit; the staged run reports SARIF",
      "--values": "the values input, as the audit.values setting ship reads too",
      "--image-repository": "the repository input",
      "--strict": SETTINGS_IN_FILE,
      "--min-parallelism": SETTINGS_IN_FILE,
      "--expected-heartbeat": SETTINGS_IN_FILE
    }
  },
  lint: {
    commands: ["lint"],
    inputs: { ...REPOSITORY, ...IMAGES, ...GATE, "changed-since": { flag: "--changed-since" }, sarif: { flag: "--sarif" } },
    notInputs: { ...COMMON_NOT_INPUTS, "--repository": "lint builds and pushes nothing", "--junit": "SARIF is what code scanning reads" }
  },
  check: {
    commands: ["check"],
    inputs: {
      ...REPOSITORY,
      image: { flag: "--image" },
      ...GATE,
      "changed-since": { flag: "--changed-since" },
      timeout: { flag: "--timeout" },
      variables: { flag: "--variables" },
      connections: { flag: "--connections" },
      sarif: { flag: "--sarif" },
      junit: { flag: "--junit" },
      comment: { flag: "--pr-comment", kind: "boolean" },
      "comment-key": { env: "DAGSHIP_COMMENT_KEY" },
      "github-token": { env: "DAGSHIP_GITHUB_TOKEN" }
    },
    notInputs: {
      ...COMMON_NOT_INPUTS,
      "--base-image": "the image input",
      "--tools-image": "check runs no linter",
      "--repository": "check builds and pushes nothing",
      ...CHECK_NOT_INPUTS
    }
  },
  build: {
    commands: ["build"],
    inputs: { ...REPOSITORY, "base-image": { setting: "base_image" }, repository: { setting: "repository" } },
    notInputs: {
      ...COMMON_NOT_INPUTS,
      ...BUILD_NOT_INPUTS,
      "--tools-image": "build runs no linter",
      "--dockerfile": SETTINGS_IN_FILE,
      "--plugins-folder": SETTINGS_IN_FILE,
      "--requirements": SETTINGS_IN_FILE
    }
  },
  push: {
    commands: ["push"],
    inputs: { ...REPOSITORY, repository: { setting: "repository" }, ...CREDENTIALS, "push-timeout": { flag: "--push-timeout" } },
    notInputs: {
      ...COMMON_NOT_INPUTS,
      ...BUILD_NOT_INPUTS,
      "--base-image": "push builds nothing",
      "--tools-image": "push runs no linter",
      "--image": "actions/push pushes the commit image actions/build made",
      "--username": "the registry-username input",
      "--password-stdin": "the registry-password input"
    }
  },
  ship: {
    commands: ["ship"],
    inputs: {
      ...REPOSITORY,
      ...IMAGES,
      repository: { setting: "repository" },
      push: { flag: "--no-push", kind: "negated" },
      ...GATE,
      timeout: { setting: "check.timeout" },
      ...CREDENTIALS,
      "signing-key": { env: "DAGSHIP_SIGNING_KEY" },
      "push-timeout": { flag: "--push-timeout" },
      sarif: { flag: "--sarif" }
    },
    notInputs: { ...COMMON_NOT_INPUTS, ...BUILD_NOT_INPUTS, "--junit": "SARIF is what code scanning reads", "--changed-since": "a release checks every DAG" }
  },
  deploy: {
    commands: ["deploy"],
    inputs: { image: { flag: "--image" }, ...DEPLOY_INPUTS, timeout: { flag: "--timeout" }, ...CREDENTIALS },
    notInputs: DEPLOY_NOT_INPUTS
  }
};

// cli/commands/action.ts
var STAGES = ["lint", "check", "build", "push", "deploy"];
async function action(name, cli) {
  const spec = ACTIONS[name];
  if (!spec) throw new DagshipError(`unknown action '${name}'`, `use one of ${Object.keys(ACTIONS).join(", ")}`, "usage");
  const inputs = readInputs(spec);
  maskSecrets(inputs);
  try {
    for (const command of spec.commands) flagArgs(spec, inputs, command);
    exportEnvironment(spec, inputs);
    const kubeconfig = useKubeconfig(inputs.kubeconfig ?? "");
    try {
      if (name === "root") return await staged(inputs, cli);
      if (name === "deploy") return await deployStage(cli, inputs, flagArgs(spec, inputs, "deploy"));
      const [command] = spec.commands;
      return await run(cli, [command, ...positional(spec, inputs), ...flagArgs(spec, inputs, command)]);
    } finally {
      kubeconfig?.();
    }
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    error(err.message);
    return 2;
  }
}
var InputError = class extends DagshipError {
  constructor(message) {
    super(message, "fix the inputs of the step", "usage");
  }
};
function readInputs(spec) {
  return Object.fromEntries(Object.keys(spec.inputs).map((input) => [input, getInput(input)]));
}
function maskSecrets(inputs) {
  maskSecret(inputs["registry-password"] ?? "");
  for (const line of (inputs["signing-key"] ?? "").split("\n")) if (line.trim() && !line.startsWith("-----")) maskSecret(line.trim());
}
function exportEnvironment(spec, inputs) {
  for (const [input, use] of Object.entries(spec.inputs)) {
    const value = inputs[input];
    if (!value) continue;
    if ("setting" in use) process.env[envName(use.setting)] = value;
    if ("env" in use) process.env[use.env] = value;
  }
}
var positional = (spec, inputs) => "path" in spec.inputs ? [inputs.path || "."] : [];
function flagArgs(spec, inputs, command) {
  const args = [];
  for (const [input, use] of Object.entries(spec.inputs)) {
    if (!("flag" in use) || !(use.to ?? spec.commands).includes(command)) continue;
    const value = inputs[input] ?? "";
    if (use.kind === "boolean" && bool(input, value)) args.push(use.flag);
    else if (use.kind === "negated" && !bool(input, value)) args.push(use.flag);
    else if (!use.kind && value) args.push(use.flag, value);
  }
  if (isDebug()) args.push("--verbose");
  return args;
}
function bool(input, value) {
  if (value === "" || value === "false") return false;
  if (value === "true") return true;
  throw new InputError(`input ${input} is '${value}': use true or false`);
}
var run = (cli, argv) => cli(argv);
function useKubeconfig(value) {
  if (!value) return void 0;
  if (!value.includes("apiVersion")) {
    process.env.KUBECONFIG = value;
    return void 0;
  }
  const file = path.join(process.env.RUNNER_TEMP || tmpdir(), `dagship-kubeconfig-${randomUUID()}`);
  writeFileSync(file, `${value}
`, { mode: 384 });
  process.env.KUBECONFIG = file;
  const remove = () => rmSync(file, { force: true });
  const unregister = onStop(remove);
  return () => {
    unregister();
    remove();
  };
}
async function deployStage(cli, inputs, flags) {
  requireTarget(inputs);
  const notDeployed = () => setOutput("deployed", false);
  const unregister = onStop(notDeployed);
  try {
    const code = await run(cli, ["deploy", ...flags]);
    if (code !== 0) notDeployed();
    return code;
  } catch (err) {
    notDeployed();
    throw err;
  } finally {
    unregister();
  }
}
async function staged(inputs, cli) {
  const spec = ACTIONS.root;
  const stages = parseStages(inputs.stages ?? "");
  const has = (stage) => stages.has(stage);
  const common = [...positional(spec, inputs), ...inputs.config ? ["--config", inputs.config] : []];
  const sarif = inputs.sarif || "dagship.sarif";
  if (has("build")) {
    if (has("deploy") && !has("push")) throw new InputError("deploy needs push: deploy takes the image from the registry, with its recorded result");
    if (has("deploy")) requireTarget(inputs);
    const code = await run(cli, ["ship", ...common, "--sarif", sarif, ...has("push") ? [] : ["--no-push"], ...flagArgs(spec, inputs, "ship")]);
    if (code !== 0 || !has("deploy")) return code;
    return deployStage(cli, inputs, ["--image", outputsSet.get("reference"), ...flagArgs(spec, inputs, "deploy")]);
  }
  if (has("push")) throw new InputError("push needs build: the pushed image is the one the checks ran in");
  if (has("deploy")) {
    if (has("lint") || has("check")) throw new InputError("deploy without build promotes an already checked image: use stages: deploy with the image input");
    if (!inputs.image) throw new InputError("stage deploy without build needs the image input (the pinned reference to promote)");
    return deployStage(cli, inputs, ["--image", inputs.image, ...flagArgs(spec, inputs, "deploy")]);
  }
  const runs = [];
  if (has("lint")) runs.push(["lint", ...common, "--sarif", prefixed("lint", sarif), ...flagArgs(spec, inputs, "lint")]);
  if (has("check")) runs.push(["check", ...common, "--sarif", sarif, ...flagArgs(spec, inputs, "check")]);
  if (inputs.values) runs.push(["audit", ...common, "--sarif", prefixed("audit", sarif), ...flagArgs(spec, inputs, "audit")]);
  return independently(cli, runs);
}
function parseStages(text) {
  const stages = text.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = stages.find((s) => !STAGES.includes(s));
  if (unknown !== void 0) throw new InputError(`unknown stage '${unknown}': use ${STAGES.join(", ")}`);
  if (!stages.length) throw new InputError(`no stages: use some of ${STAGES.join(", ")}`);
  return new Set(stages);
}
function requireTarget(inputs) {
  if (!inputs.release || !inputs.namespace) throw new InputError("stage deploy needs the inputs release and namespace");
}
var prefixed = (stage, file) => path.join(path.dirname(file), `${stage}-${path.basename(file)}`);
async function independently(cli, runs) {
  let status = 0;
  let failure;
  for (const argv of runs) {
    try {
      const code = await run(cli, argv);
      if (code !== 0) status = code;
    } catch (err) {
      if (stoppedBy()) throw err;
      failure ??= err;
    }
  }
  if (failure) throw failure;
  return status;
}
export {
  action
};
