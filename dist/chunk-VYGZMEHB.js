#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  onStop
} from "./chunk-NJNJ5BY3.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// src/temp.ts
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
var REFUSALS = { ENOSPC: "is full", EDQUOT: "is over its disk quota", EROFS: "is read-only", EACCES: "is not writable", EPERM: "is not writable" };
var ANY_PATH = /* @__PURE__ */ new Set(["ENOSPC", "EDQUOT"]);
function makeTempDir(prefix) {
  try {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    chmodSync(dir, 448);
    return dir;
  } catch (err) {
    throw tempError(err) ?? err;
  }
}
async function withTempDir(prefix, work) {
  const dir = makeTempDir(prefix);
  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  const unregister = onStop(remove);
  try {
    return await work(dir);
  } finally {
    unregister();
    remove();
  }
}
function tempError(err, need = "room for the files it writes") {
  const { code, path: where } = err ?? {};
  const what = code ? REFUSALS[code] : void 0;
  if (!what) return void 0;
  const temp = tmpdir();
  if (!ANY_PATH.has(code) && !(where && path.resolve(where).startsWith(path.resolve(temp)))) return void 0;
  return new DagshipError(`the temp folder ${temp} ${what} (${code})`, `point TMPDIR at a writable folder with ${need}, or free space in ${temp}`, "infra", { cause: err });
}

// src/checks/empty-dags.ts
var HINT = "point 'dags_folder' (dagship.yaml or --dags-folder) at the folder holding the DAG files; pass --allow-empty-dags (or allow_empty_dags: true) if a release without DAGs is intended";
function refuseEmptyDagFolder(options, dagFiles) {
  if (dagFiles > 0 || options.allow_empty_dags) return;
  throw new DagshipError(`the DAG folder ${options.dags_folder}/ has no Python files: a release from it would remove every DAG from Airflow`, HINT, "config");
}
function refuseAllIgnored(options, discovered, present) {
  if (discovered > 0 || present === 0 || options.allow_empty_dags) return;
  throw new DagshipError(
    `Airflow lists none of the ${present === void 0 ? "" : `${present} `}file(s) in ${options.dags_folder}/ as DAG files (.airflowignore, or safe mode skips files that never mention "dag" and "airflow"): a release from it would remove every DAG`,
    HINT,
    "config"
  );
}

export {
  withTempDir,
  tempError,
  refuseEmptyDagFolder,
  refuseAllIgnored
};
