#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  gitRepo
} from "./chunk-2TGSJXID.js";
import {
  connectDocker
} from "./chunk-NGVIJIJW.js";
import {
  loadOptions
} from "./chunk-7HNLF3FK.js";
import "./chunk-VTW57CTW.js";
import {
  painter,
  useColor
} from "./chunk-4TZSK3EF.js";
import "./chunk-3P7JFNUS.js";
import {
  connectRegistry,
  parseImageReference
} from "./chunk-OSDVXIV5.js";
import "./chunk-A7S7IP7A.js";
import "./chunk-U7H76OMH.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-FLMQALUX.js";
import {
  isDagshipError,
  reasonOf
} from "./chunk-EDJIWXRY.js";

// src/doctor.ts
async function runDoctor(options, deps) {
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
  checks.push(await gitCheck(options, deps));
  checks.push(await imageCheck("Airflow image", options.base_image, "base_image", "apache/airflow:3.3.2", engine, deps));
  checks.push(await imageCheck("Tools image", options.tools_image, "tools_image", "a Python image with ruff and bandit", engine, deps));
  return checks;
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
  const options = loadOptions({ root: repoPath, configFile: flags.config, flags: flags.overrides });
  const checks = await runDoctor(options, {
    docker: connectDocker(),
    git: gitRepo(options.root),
    registry: (host) => connectRegistry(host)
  });
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
