#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  cacheRoot
} from "./chunk-KI6M5PBK.js";

// src/airflow-version.ts
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
var AIRFLOW_VERSION_LABEL = "io.dagship.airflow.version";
var READ = 'import importlib.metadata as m; print(m.version("apache-airflow"))';
async function readAirflowVersion(image, docker, log, env = process.env) {
  const held = await docker.image(image);
  if (!held) return void 0;
  const labelled = parseVersion(held.labels[AIRFLOW_VERSION_LABEL]);
  if (labelled) return { ...labelled, source: "label" };
  const file = path.join(cacheRoot(env), "airflow-version", held.id.replace(/^sha256:/, ""));
  const cached = parseVersion(readQuietly(file));
  if (cached) return { ...cached, source: "cache" };
  const started = Date.now();
  const run = await docker.run({ image: held.id, entrypoint: ["python", "-c"], cmd: [READ], network: "none", timeoutMs: 6e4, maxOutputBytes: 64 * 1024 });
  const read = run.exitCode === 0 ? parseVersion(run.stdout.trim()) : void 0;
  log.debug(`Airflow version of ${image}: ${read?.version ?? `unreadable (exit ${run.exitCode}: ${run.stderr.trim().split("\n").at(-1) ?? ""})`} in ${Date.now() - started} ms`);
  if (read) writeQuietly(file, read.version);
  return read && { ...read, source: "image" };
}
function parseVersion(text) {
  const match = text?.match(/^(\d+)\.\d+(?:\.\d+)?\S*$/);
  return match ? { version: text, major: Number(match[1]) } : void 0;
}
function readQuietly(file) {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return void 0;
  }
}
function writeQuietly(file, text) {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, `${text}
`);
    renameSync(partial, file);
  } catch {
  }
}

export {
  AIRFLOW_VERSION_LABEL,
  readAirflowVersion
};
