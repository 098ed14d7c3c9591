#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  listPythonFiles
} from "./chunk-74E4C2ZI.js";

// cli/changed.ts
import { existsSync as existsSync2 } from "node:fs";
import path3 from "node:path";

// src/checks/changed.ts
import path2 from "node:path";

// src/checks/imports.ts
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
function localImports(repo, file, roots) {
  let source;
  try {
    source = readFileSync(path.join(repo, file), "latin1");
  } catch {
    return [];
  }
  const found = /* @__PURE__ */ new Set();
  for (const name of importedModules(source, path.posix.dirname(file), roots)) {
    for (const candidate of moduleFiles(repo, name, roots)) found.add(candidate);
  }
  found.delete(file);
  return [...found].sort();
}
function importedModules(source, fileDir, roots) {
  const names = [];
  const logical = source.replace(/\\\r?\n/g, " ").replace(/\(([^)]*)\)/gs, (m) => m.replace(/\r?\n/g, " "));
  for (const line of logical.split(/\r?\n/)) {
    const plain = /^\s*import\s+(.+)$/.exec(line);
    if (plain) {
      for (const part of plain[1].split(",")) names.push(part.trim().split(/\s+/)[0]);
      continue;
    }
    const from = /^\s*from\s+(\.*)([\w.]*)\s+import\s+\(?([^#]*)/.exec(line);
    if (!from) continue;
    const [, dots = "", base = "", imported = ""] = from;
    const pkg = dots ? relativePackage(fileDir, dots.length, roots) : "";
    if (dots && pkg === void 0) continue;
    const module = [pkg, base].filter(Boolean).join(".");
    if (module) names.push(module);
    for (const part of imported.replace(/[()]/g, "").split(",")) {
      const sub = part.trim().split(/\s+/)[0];
      if (sub && sub !== "*") names.push(module ? `${module}.${sub}` : sub);
    }
  }
  return names.filter((n) => /^[\w.]+$/.test(n));
}
function relativePackage(fileDir, dots, roots) {
  const root = roots.find((r) => r === "" || r === "." || fileDir === r || fileDir.startsWith(`${r}/`));
  if (root === void 0) return void 0;
  const inside = path.posix.relative(root === "." ? "" : root, fileDir);
  const parts = inside ? inside.split("/") : [];
  if (dots - 1 > parts.length) return void 0;
  return parts.slice(0, parts.length - (dots - 1)).join(".");
}
function moduleFiles(repo, name, roots) {
  const parts = name.split(".");
  for (const root of roots) {
    const base = root === "." ? "" : root;
    const files = [];
    for (let i = 1; i <= parts.length; i++) {
      const rel = path.posix.join(base, ...parts.slice(0, i));
      const init = `${rel}/__init__.py`;
      if (existsSync(path.join(repo, init))) files.push(init);
      else if (existsSync(path.join(repo, `${rel}.py`))) {
        files.push(`${rel}.py`);
        break;
      } else if (!isDir(path.join(repo, rel))) break;
    }
    if (files.length) return files;
  }
  return [];
}
function importClosure(repo, files, roots) {
  const direct = /* @__PURE__ */ new Map();
  const depsOf = (f) => {
    if (!direct.has(f)) direct.set(f, localImports(repo, f, roots));
    return direct.get(f);
  };
  const closure = /* @__PURE__ */ new Map();
  for (const file of files) {
    const seen = /* @__PURE__ */ new Set();
    const stack = [...depsOf(file)];
    while (stack.length) {
      const next = stack.pop();
      if (seen.has(next) || next === file) continue;
      seen.add(next);
      stack.push(...depsOf(next));
    }
    closure.set(file, seen);
  }
  return closure;
}
function isDir(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

// src/checks/changed.ts
function globalInputs(options) {
  const c = options.check;
  return [options.requirements, "dagship.yaml", "dagship.yml", path2.posix.join(options.dags_folder, ".airflowignore"), c.local_settings, c.variables, c.connections, options.configFile && path2.relative(options.root, options.configFile)].filter((x) => Boolean(x)).map((p) => path2.posix.normalize(p));
}
function selectChanged(options, changed, dagFolderFiles) {
  const within = (dir, f) => f === dir || f.startsWith(`${dir}/`);
  const global = globalInputs(options);
  const ignoreFile = (f) => within(options.dags_folder, f) && path2.posix.basename(f) === ".airflowignore";
  const trigger = changed.find((f) => global.includes(f) || within(options.plugins_folder, f) || ignoreFile(f));
  const lint = changed.filter((f) => f.endsWith(".py"));
  if (trigger) return { lint, reason: `${trigger} changed: checking every DAG file` };
  const changedSet = new Set(changed);
  const roots = [options.dags_folder, options.plugins_folder, "."];
  const closure = importClosure(options.root, dagFolderFiles, roots);
  const dags = dagFolderFiles.filter((f) => changedSet.has(f) || [...closure.get(f) ?? []].some((d) => changedSet.has(d)));
  return { lint, dags, reason: `${changed.length} changed file(s): ${dags.length} DAG file(s) to check` };
}

// cli/changed.ts
async function changedSelection(options, ref, log) {
  if (!ref) return void 0;
  const { gitRepo } = await import("./chunk-MBXCMOMI.js");
  const changed = (await gitRepo(options.root).changedSince(ref)).filter((f) => existsSync2(path3.join(options.root, f)));
  const dagFiles = (await listPythonFiles(options.root)).filter((f) => f.startsWith(`${options.dags_folder}/`));
  const selection = selectChanged(options, changed, dagFiles);
  log.info(`changed since ${ref}: ${selection.reason}`);
  return selection;
}

export {
  changedSelection
};
