#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));

// src/checks/check-cache.ts
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
function cacheRoot(env = process.env) {
  return env.DAGSHIP_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(homedir(), ".cache"), "dagship");
}
var hashText = (text) => createHash("sha256").update(text).digest("hex");
function openCheckCache(root, scope, repo) {
  const dir = path.join(root, "check", hashText(scope).slice(0, 32));
  const contentOf = memo((file) => {
    try {
      return hashText(readFileSync(path.join(repo, file)));
    } catch {
      return "missing";
    }
  });
  const entryPath = (file) => path.join(dir, `${hashText(file).slice(0, 32)}.json`);
  const write = (target, value) => {
    mkdirSync(dir, { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify(value));
    renameSync(partial, target);
  };
  return {
    get(file) {
      const entry = readJson(entryPath(file));
      if (!entry || entry.content !== contentOf(file)) return void 0;
      return Object.entries(entry.deps).every(([dep, hash]) => contentOf(dep) === hash) ? entry : void 0;
    },
    put(file, entry, deps) {
      write(entryPath(file), { ...entry, content: contentOf(file), deps: Object.fromEntries(deps.map((d) => [d, contentOf(d)])) });
    },
    meta: () => readJson(path.join(dir, "meta.json")),
    putMeta: (meta) => write(path.join(dir, "meta.json"), meta)
  };
}
function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return void 0;
  }
}
function memo(fn) {
  const seen = /* @__PURE__ */ new Map();
  return (key) => {
    if (!seen.has(key)) seen.set(key, fn(key));
    return seen.get(key);
  };
}

export {
  cacheRoot,
  hashText,
  openCheckCache
};
