#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  connectRegistry
} from "./chunk-55SI5XW5.js";
import {
  gitRepo
} from "./chunk-V7QBZOY7.js";
import {
  loadSettings
} from "./chunk-534TERUE.js";
import {
  connectDocker
} from "./chunk-544YBR7N.js";
import {
  RUN_LABELS,
  leftoverReason,
  thisMachine
} from "./chunk-PICL6GY7.js";
import {
  painter,
  useColor
} from "./chunk-MSPDIVQH.js";
import "./chunk-PKJVO3JP.js";
import "./chunk-WDFNAZ3S.js";
import "./chunk-M5D5RXX2.js";
import "./chunk-FFWHJTTK.js";
import {
  REPOSITORY_SETTING
} from "./chunk-O4JILTWT.js";
import "./chunk-VTW57CTW.js";
import {
  parseImageReference
} from "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-HHFAD5KM.js";
import "./chunk-4L3VKM7L.js";
import {
  isDagshipError,
  reasonOf
} from "./chunk-EDJIWXRY.js";

// src/registry/immutability.ts
var KNOWN = [
  [/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/, { kind: "Amazon ECR", canEnforce: true, advice: "set imageTagMutability IMMUTABLE on the repository (and the staging one may stay MUTABLE); dagship cannot read it without AWS API access" }],
  [/-docker\.pkg\.dev$/, { kind: "Google Artifact Registry", canEnforce: true, advice: "create or update the repository with --immutable-tags; dagship cannot read it without Google Cloud API access" }],
  [/\.azurecr\.io$/, { kind: "Azure Container Registry", canEnforce: true, advice: "lock pushed tags: az acr repository update --image <repo>:<tag> --write-enabled false; dagship cannot read it without Azure API access" }],
  [/^ghcr\.io$/, { kind: "GitHub Container Registry", canEnforce: false, advice: "it cannot refuse a tag overwrite: dagship's look-up just before its tag write is the only guard, and a writer in the last milliseconds can still move a tag" }],
  [/^(docker\.io|registry-1\.docker\.io|index\.docker\.io)$/, { kind: "Docker Hub", canEnforce: false, advice: "it cannot refuse a tag overwrite: dagship's look-up just before its tag write is the only guard, and a writer in the last milliseconds can still move a tag" }]
];
function tagImmutability(registry) {
  const host = registry.replace(/:\d+$/, "");
  const known = KNOWN.find(([pattern]) => pattern.test(host));
  if (known) return known[1];
  return {
    kind: "a registry of unknown kind",
    canEnforce: void 0,
    advice: "Harbor can refuse tag overwrites (an immutable tag rule per project); the distribution registry (registry:2) cannot, and then dagship's look-up just before its tag write is the only guard"
  };
}

// src/leftovers.ts
async function findRunContainers(docker, now = Date.now(), probe = thisMachine) {
  const leftovers = [];
  const live = [];
  for (const container of await docker.runContainers()) {
    const reason = leftoverReason(container.labels, now - container.createdAt.getTime(), probe);
    if (reason) leftovers.push({ container, reason });
    else live.push(container);
  }
  return { leftovers, live };
}
function describeLeftover({ container, reason }) {
  return `${container.name} (${container.labels[RUN_LABELS.command] ?? "dagship"}, ${container.state}): ${reason}`;
}

// src/doctor.ts
async function runDoctor(options, deps, clean = false) {
  const checks = [
    {
      name: "Configuration",
      status: "ok",
      detail: options.configFile ?? `no dagship.yaml in ${options.root}; using defaults`
    }
  ];
  const engine = await attempt("Docker Engine", async () => {
    const info = await deps.docker.info();
    return ok("Docker Engine", `${info.version} (API ${info.apiVersion}, ${info.storageDriver}, ${info.os}/${info.arch}) at ${info.host}`);
  });
  checks.push(engine);
  checks.push(await registryCheck(options, deps));
  if (options.repository) checks.push(immutabilityCheck(options.repository));
  checks.push(await gitCheck(options, deps));
  checks.push(await imageCheck("Airflow image", options.base_image, "base_image", "apache/airflow:3.3.2", engine, deps));
  checks.push(await imageCheck("Tools image", options.tools_image, "tools_image", "a Python image with ruff and bandit", engine, deps));
  if (engine.status === "ok") checks.push(await leftoverCheck(deps, clean));
  return checks;
}
async function leftoverCheck(deps, clean) {
  const name = "Leftover containers";
  return attempt(name, async () => {
    const { leftovers, live } = await findRunContainers(deps.docker);
    const going = live.length ? ` (${live.length} of dagship runs still going, left alone)` : "";
    if (leftovers.length === 0) return ok(name, `none${going}`);
    const list = leftovers.slice(0, 5).map(describeLeftover).join("; ") + (leftovers.length > 5 ? "; \u2026" : "");
    if (clean) {
      for (const l of leftovers) await deps.docker.remove(l.container.id);
      return ok(name, `removed ${leftovers.length} container(s) of killed dagship runs: ${list}${going}`);
    }
    return {
      name,
      status: "warning",
      detail: `${leftovers.length} container(s) of killed dagship runs: ${list}${going}`,
      hint: `dagship doctor --clean removes them (or: docker rm -f ${leftovers.map((l) => l.container.id.slice(0, 12)).join(" ")})`
    };
  });
}
async function registryCheck(options, deps) {
  const name = "Registry";
  if (!options.repository) {
    return { name, status: "warning", detail: "no repository configured", hint: "set 'repository' (e.g. registry.example.com/team/airflow) to build and push images" };
  }
  return attempt(name, async () => {
    const host = registryHost(parseImageReference(options.repository).registry);
    const status = await deps.registry(host).ping();
    return ok(name, `${host} reachable at ${status.url}${status.authRequired ? " (asks for credentials)" : ""}`);
  });
}
function immutabilityCheck(repository) {
  const registry = parseImageReference(repository).registry;
  const what = tagImmutability(registry);
  const name = "Tag immutability";
  if (what.canEnforce === false) return { name, status: "warning", detail: `${registry} is ${what.kind}: ${what.advice}`, hint: "a registry that enforces immutable tags (ECR, Artifact Registry, ACR, Harbor) closes that window" };
  return ok(name, `${registry} is ${what.kind}${what.canEnforce ? ", which can refuse tag overwrites" : ""}: ${what.advice}`);
}
function registryHost(registry) {
  return registry === "docker.io" ? "registry-1.docker.io" : registry;
}
async function gitCheck(options, deps) {
  const name = "Git repository";
  return attempt(name, async () => {
    const state = await deps.git.state();
    if (!state) {
      return { name, status: "warning", detail: `${options.root} is not in a git repository`, hint: "images are tagged by commit: git init and commit the DAG repository" };
    }
    const revision = `${state.revision.slice(0, 12)} in ${state.root}`;
    if (state.dirtyPaths.length === 0) return ok(name, `${revision}, clean`);
    const first = state.dirtyPaths.slice(0, 3).join(", ");
    return {
      name,
      status: "warning",
      detail: `${revision}, ${state.dirtyPaths.length} uncommitted change(s): ${first}${state.dirtyPaths.length > 3 ? ", \u2026" : ""}`,
      hint: "commit or stash before building a release image"
    };
  });
}
async function imageCheck(name, ref, key, example, engine, deps) {
  if (!ref) return { name, status: "problem", detail: "not configured", hint: `set '${key}' in dagship.yaml (${example})` };
  if (engine.status !== "ok") return { name, status: "problem", detail: `${ref}: cannot look, the Docker Engine is unreachable`, hint: engine.hint };
  return attempt(name, async () => {
    const image = await deps.docker.image(ref);
    if (!image) return { name, status: "problem", detail: `${ref} is not on the Docker Engine`, hint: `docker pull ${ref} (or build it), then run again` };
    return ok(name, `${ref} (${image.id.replace("sha256:", "").slice(0, 12)}, ${Math.round(image.size / 1e6)} MB)`);
  });
}
var ok = (name, detail) => ({ name, status: "ok", detail });
async function attempt(name, work) {
  try {
    return await work();
  } catch (err) {
    if (isDagshipError(err)) return { name, status: "problem", detail: err.message, hint: err.hint };
    return { name, status: "problem", detail: reasonOf(err) };
  }
}

// cli/commands/doctor.ts
async function doctor(repoPath, flags) {
  const options = loadSettings(repoPath, flags);
  const checks = await runDoctor(options, {
    docker: connectDocker(),
    git: gitRepo(options.root),
    registry: (host) => connectRegistry(host, fetch, { source: REPOSITORY_SETTING })
  }, flags.clean);
  const paint = painter(useColor());
  const mark = { ok: paint("green", "ok     "), warning: paint("yellow", "warning"), problem: paint("red", "problem") };
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.flatMap((c) => [
    `${mark[c.status]}  ${c.name.padEnd(width)}  ${c.detail}`,
    ...c.hint && c.status !== "ok" ? [`${" ".repeat(9 + width + 2)}${paint("dim", `hint: ${c.hint}`)}`] : []
  ]);
  const count = (s) => checks.filter((c) => c.status === s).length;
  lines.push("", `${count("ok")} ok, ${count("warning")} warning(s), ${count("problem")} problem(s)`);
  process.stdout.write(`${lines.join("\n")}
`);
  return count("problem") > 0 ? 2 : 0;
}
export {
  doctor
};
