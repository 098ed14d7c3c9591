#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// src/baseline.ts
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
function fingerprintAll(findings, root) {
  const lines = new SourceLines(root);
  const seen = /* @__PURE__ */ new Map();
  return findings.map((f) => {
    const source = f.line ? lines.get(f.file, f.line) ?? "" : "";
    const message = f.message.replace(/\bline \d+/g, "line N").replace(/:\d+(:\d+)?\b/g, ":N");
    const base = createHash("sha256").update([f.tool, f.rule, f.file, message, source.trim()].join("\0")).digest("hex").slice(0, 32);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}
var SourceLines = class {
  constructor(root) {
    this.root = root;
  }
  root;
  cache = /* @__PURE__ */ new Map();
  get(file, line) {
    if (!this.cache.has(file)) {
      try {
        this.cache.set(file, readFileSync(path.join(this.root, file), "latin1").split("\n"));
      } catch {
        this.cache.set(file, void 0);
      }
    }
    return this.cache.get(file)?.[line - 1];
  }
};
function writeBaseline(fingerprints) {
  const body = { version: 1, fingerprints: [...new Set(fingerprints)].sort() };
  return `${JSON.stringify(body, null, 2)}
`;
}
function readBaseline(file) {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new DagshipError(`cannot read baseline ${file}: ${err.message}`, "create one with dagship baseline, or fix the path", "usage", { cause: err });
  }
  const fingerprints = parsed?.fingerprints;
  if (parsed?.version !== 1 || !Array.isArray(fingerprints)) {
    throw new DagshipError(`${file} is not a dagship baseline (expected {"version": 1, "fingerprints": [...]})`, "recreate it with dagship baseline", "usage");
  }
  return new Set(fingerprints.map(String));
}

export {
  fingerprintAll,
  writeBaseline,
  readBaseline
};
