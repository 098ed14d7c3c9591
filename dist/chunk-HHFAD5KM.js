#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// src/duration.ts
var DURATION_FORMS = "90s, 5m, 1h, or a bare number of seconds";
var UNIT_MS = { ms: 1, s: 1e3, m: 6e4, h: 36e5 };
function durationMs(value) {
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? value * 1e3 : void 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? "s"] : 0;
  return ms > 0 ? ms : void 0;
}
function parseDuration(text, name) {
  const ms = durationMs(text);
  if (ms === void 0) throw new DagshipError(`invalid ${name} '${text}'`, `use a positive duration: ${DURATION_FORMS}`, "usage");
  return ms;
}

export {
  DURATION_FORMS,
  durationMs,
  parseDuration
};
