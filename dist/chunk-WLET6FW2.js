#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  hostUser,
  listDagFolderFiles,
  zs
} from "./chunk-M5DZTYN6.js";
import {
  refuseAllIgnored,
  refuseEmptyDagFolder,
  tempError,
  withTempDir
} from "./chunk-VYGZMEHB.js";
import {
  hashText,
  openCheckCache
} from "./chunk-KI6M5PBK.js";
import {
  redact,
  registerLookups
} from "./chunk-MSPDIVQH.js";
import {
  tail
} from "./chunk-4L3VKM7L.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// src/checks/dags.ts
import { existsSync as existsSync2, readFileSync as readFileSync2 } from "node:fs";
import path2 from "node:path";

// src/checks/checker.ts
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
var REPO = "/repo";
var AIRFLOW_HOME = "/opt/airflow";
var SETTINGS = "/dagship-settings/airflow_local_settings.py";
var CHECKER_DEADLINE_MS = 60 * 6e4;
function checkerRequest(options, files, baked = false) {
  const check = options.check;
  return {
    repo_root: baked ? AIRFLOW_HOME : REPO,
    dags_folder: baked ? `${AIRFLOW_HOME}/dags` : path.posix.join(REPO, options.dags_folder),
    plugins_folder: baked ? `${AIRFLOW_HOME}/plugins` : path.posix.join(REPO, options.plugins_folder),
    files: files ?? null,
    timeout: check.timeout,
    workers: check.workers,
    slow_import_seconds: check.slow_import_seconds,
    memory_limit_mb: check.memory_limit_mb,
    local_settings: check.local_settings ? SETTINGS : null,
    variables: check.variables ? readJsonObject(options, check.variables, "check.variables") : {},
    connections: check.connections ? readJsonObject(options, check.connections, "check.connections") : {},
    missing_lookups: check.missing_lookups,
    policies: check.policies,
    max_output_bytes: 65536
  };
}
async function runChecker(options, image, request, docker) {
  return withTempDir("dagship-check-", async (out) => {
    try {
      writeFileSync(path.join(out, "request.json"), JSON.stringify(request), { mode: 384 });
    } catch (err) {
      throw tempError(err) ?? err;
    }
    const baked = request.repo_root === AIRFLOW_HOME;
    const mounts = [
      ...baked ? [] : [{ source: options.root, target: REPO }],
      { source: checkerDir(), target: "/dagship" },
      { source: out, target: "/out", writable: true }
    ];
    const settings = options.check.local_settings;
    if (settings) mounts.push({ source: resolveInRepo(options, settings, "check.local_settings"), target: SETTINGS });
    const run = await docker.run({
      image,
      entrypoint: ["python"],
      cmd: ["/dagship/dagship_check.py", "--request", "/out/request.json", "--output", "/out/result.json"],
      mounts,
      user: hostUser()?.replace(/:\d+$/, ":0"),
      network: "none",
      timeoutMs: CHECKER_DEADLINE_MS,
      maxOutputBytes: 256 * 1024
    });
    const resultFile = path.join(out, "result.json");
    if (!existsSync(resultFile)) {
      throw new DagshipError(
        `the DAG checker did not finish in ${image} (exit ${run.exitCode}${run.timedOut ? ", timed out" : ""}): ${redact(tail(run.stderr || run.stdout, 6))}`,
        "is this an Airflow image (2.7+ or 3.x) with python on PATH?",
        "infra"
      );
    }
    const result = redactResult(JSON.parse(readFileSync(resultFile, "utf8")));
    if (result.error) {
      const settingsBroken = /local_settings/.test(result.error);
      throw new DagshipError(
        `the DAG check could not run in ${image}: ${result.error}`,
        settingsBroken ? "fix the airflow_local_settings.py given as check.local_settings" : "check that the image runs Airflow: docker run --rm IMAGE airflow version",
        settingsBroken ? "config" : "infra"
      );
    }
    return baked ? toRepoPaths(result, options) : result;
  });
}
function resolveInRepo(options, file, key) {
  const full = path.resolve(options.root, file);
  if (!existsSync(full)) throw new DagshipError(`${key}: ${full} does not exist`, `fix the path of ${key} (relative to the repository, or absolute)`, "config");
  if (!statSync(full).isFile()) throw new DagshipError(`${key}: ${full} is a folder, not a file`, `point ${key} at the file itself`, "config");
  return full;
}
function readJsonObject(options, file, key) {
  const full = resolveInRepo(options, file, key);
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(full, "utf8"));
  } catch (err) {
    throw new DagshipError(`${key}: ${full} is not valid JSON`, "export it with airflow variables export / airflow connections export", "config", { cause: err });
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new DagshipError(`${key}: ${full} must be a JSON object keyed by variable key or connection id`, "use the format of airflow variables export / connections export", "config");
  }
  registerLookups(parsed);
  return parsed;
}
function redactResult(result) {
  const text = (value) => value ? redact(value) : value;
  return {
    ...result,
    error: text(result.error),
    files: result.files.map((f) => ({ ...f, output: text(f.output), dags: f.dags.map((d) => ({ ...d, dag_id: redact(d.dag_id) })) })),
    findings: result.findings.map((f) => ({ ...f, message: redact(f.message), detail: text(f.detail), dag_id: text(f.dag_id) }))
  };
}
function checkerDir() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const found = [path.join(here, "..", "src", "python"), path.join(here, "..", "python")].find((d) => existsSync(path.join(d, "dagship_check.py")));
  if (!found) throw new DagshipError("the DAG checker (src/python/dagship_check.py) is missing from this dagship installation", "reinstall dagship", "infra");
  return found;
}
function toRepoPaths(result, options) {
  const map = (p) => p.startsWith("dags/") ? `${options.dags_folder}/${p.slice(5)}` : p.startsWith("plugins/") ? `${options.plugins_folder}/${p.slice(8)}` : p;
  return {
    ...result,
    files: result.files.map((f) => ({ ...f, path: map(f.path), local_modules: f.local_modules.map(map) })),
    findings: result.findings.map((f) => ({ ...f, file: map(f.file), message: f.message.replaceAll(/\bdags\/[\w./-]+/g, (m) => map(m)) })),
    skipped: result.skipped.map(map)
  };
}

// src/checks/dags.ts
async function checkDags(request, docker, log) {
  const { options } = request;
  const dagsFolder = path2.join(options.root, options.dags_folder);
  if (!existsSync2(dagsFolder)) {
    throw new DagshipError(`DAG folder ${dagsFolder} does not exist`, "set 'dags_folder' in dagship.yaml to the folder with your DAG files (relative to the repository)", "config");
  }
  if (request.baked) return checkBaked(request, docker, log);
  const all = await listDagFolderFiles(options.root, options.dags_folder);
  refuseEmptyDagFolder(options, all.length);
  const candidates = request.files ?? all;
  const cache = request.cacheDir ? await openCache(request, docker) : void 0;
  const hits = new Map(candidates.flatMap((f) => cache?.get(f) ? [[f, cache.get(f)]] : []));
  const misses = candidates.filter((f) => !hits.has(f));
  log.info(`check: ${candidates.length} file(s) in ${options.dags_folder}/, ${hits.size} unchanged since a cached run; importing ${misses.length} in ${request.image}`);
  const needRun = misses.length > 0 || !cache?.meta();
  const fresh = needRun ? await runChecker(options, request.image, checkerRequest(options, misses), docker) : void 0;
  logDegraded(fresh, log);
  if (fresh) refuseAllIgnored(options, fresh.discovered, all.length);
  if (fresh && cache) store(cache, fresh, misses);
  const cached = [...hits.values()];
  const blamed = blameDuplicates([...cached.flatMap((e) => e.file ? [e.file] : []), ...fresh?.files ?? []]);
  const files = blamed.files;
  const findings = [...cached.flatMap((e) => e.findings), ...fresh?.findings ?? [], ...blamed.findings];
  const meta = fresh ?? cache.meta();
  const result = {
    airflow_version: meta.airflow_version,
    python_version: meta.python_version,
    discovered: fresh?.discovered ?? files.length,
    files,
    findings,
    skipped: [...fresh?.skipped ?? [], ...candidates.filter((f) => hits.has(f) && !hits.get(f).file)],
    timings: { ...fresh?.timings ?? { airflow_import_seconds: 0, total_seconds: 0, workers: 0 }, cached: hits.size }
  };
  return { result, run: toToolRun(result, request.dagshipVersion) };
}
async function checkBaked(request, docker, log) {
  log.info(`check: importing the DAGs baked into ${request.image}`);
  const fresh = await runChecker(request.options, request.image, checkerRequest(request.options, void 0, true), docker);
  logDegraded(fresh, log);
  refuseAllIgnored(request.options, fresh.discovered);
  const blamed = blameDuplicates(fresh.files);
  const result = { ...fresh, files: blamed.files, findings: [...fresh.findings, ...blamed.findings] };
  return { result, run: toToolRun(result, request.dagshipVersion) };
}
function logDegraded(result, log) {
  for (const line of result?.degraded ?? []) log.debug(`check: ${line}`);
}
async function openCache(request, docker) {
  const { options } = request;
  const image = await docker.image(request.image);
  if (!image) throw new DagshipError(`image ${request.image} is not on the Docker Engine`, `pull it (docker pull ${request.image}) or build it, then run again`, "config");
  const settings = options.check.local_settings ? readFileSync2(path2.resolve(options.root, options.check.local_settings)) : "";
  const ignore = path2.join(options.root, options.dags_folder, ".airflowignore");
  const scope = JSON.stringify({
    image: image.id,
    checker: checkerHash(),
    request: hashText(JSON.stringify(checkerRequest(options))),
    settings: hashText(settings),
    airflowignore: existsSync2(ignore) ? hashText(readFileSync2(ignore)) : "",
    root: options.root
  });
  return openCheckCache(request.cacheDir, scope, options.root);
}
function checkerHash() {
  const dir = checkerDir();
  const files = zs("**/*.py", { cwd: dir, posix: true }).sort();
  return hashText(files.map((f) => `${f}\0${hashText(readFileSync2(path2.join(dir, f)))}`).join("\n"));
}
function store(cache, result, requested) {
  cache.putMeta({ airflow_version: result.airflow_version, python_version: result.python_version });
  const byPath = new Map(result.files.map((f) => [f.path, f]));
  for (const file of requested) {
    const checked = byPath.get(file);
    if (checked && (checked.status === "ok" || checked.status === "error")) {
      const findings = result.findings.filter((f) => f.file === file);
      cache.put(file, { file: checked, findings }, checked.local_modules);
    } else if (!checked && result.skipped.includes(file)) {
      cache.put(file, { findings: [] }, []);
    }
  }
}
function blameDuplicates(checked) {
  const files = [...checked].sort((a, b) => airflowOrder(a.path, b.path));
  const owner = /* @__PURE__ */ new Map();
  const findings = [];
  const kept = files.map((file) => {
    const dags = file.dags.filter((dag) => {
      const first = owner.get(dag.dag_id);
      if (first === void 0) {
        owner.set(dag.dag_id, file.path);
        return true;
      }
      const message = `DAG id '${dag.dag_id}' is defined in both ${first} and ${file.path}`;
      findings.push({ rule: "dag-duplicate-id", severity: "error", file: file.path, line: dag.line ?? null, message, dag_id: dag.dag_id });
      return false;
    });
    return dags.length === file.dags.length ? file : { ...file, dags, status: "error" };
  });
  return { files: kept, findings };
}
function airflowOrder(a, b) {
  const left = a.split("/");
  const right = b.split("/");
  for (let i = 0; ; i++) {
    const leftIsFile = i === left.length - 1;
    const rightIsFile = i === right.length - 1;
    if (leftIsFile !== rightIsFile) return leftIsFile ? -1 : 1;
    if (left[i] !== right[i]) return left[i] < right[i] ? -1 : 1;
    if (leftIsFile) return 0;
  }
}
function toToolRun(result, version) {
  const findings = result.findings.map((f) => ({
    tool: "dagship",
    rule: f.rule,
    severity: f.severity,
    file: f.file,
    line: f.line ?? void 0,
    message: f.message,
    detail: f.detail ?? void 0,
    dagId: f.dag_id ?? void 0
  }));
  return { tool: "dagship", version, files: result.files.map((f) => f.path), findings };
}

export {
  checkDags
};
