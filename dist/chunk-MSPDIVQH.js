#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  endGroup,
  startGroup,
  warning
} from "./chunk-PKJVO3JP.js";
import {
  mask
} from "./chunk-4L3VKM7L.js";

// src/secrets.ts
var MIN_SECRET_LENGTH = 3;
var NOT_SECRET = /* @__PURE__ */ new Set(["conn_type", "port", "description", "login", "host", "schema"]);
var known = /* @__PURE__ */ new Set();
var listeners = /* @__PURE__ */ new Set();
function onSecret(listener) {
  listeners.add(listener);
}
function registerSecret(value) {
  for (const form of secretForms(value)) {
    if (form.length < MIN_SECRET_LENGTH || known.has(form)) continue;
    known.add(form);
    for (const listener of listeners) listener(form);
  }
}
function registerLookups(exported) {
  for (const value of stringsOf(exported)) registerSecret(value);
}
function redact(text) {
  return maskUriPasswords(mask(text, [...known].sort((a, b) => b.length - a.length)));
}
function redactDeep(value) {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]));
  return value;
}
function maskUriPasswords(text) {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/@]+@/gi, "$1***@");
}
function secretForms(value) {
  const forms = new Set(encodings(value));
  const decoded = decode(value);
  if (decoded !== value) for (const form of encodings(decoded)) forms.add(form);
  const uri = uriCredentials(value);
  if (uri) {
    for (const form of [...encodings(uri.password), ...encodings(uri.rawPassword)]) forms.add(form);
    forms.add(base64(`${uri.user}:${uri.password}`));
  }
  return [...forms];
}
function encodings(value) {
  const quoted = pythonQuote(value);
  return [value, encodeURIComponent(value), quoted, quoted.replaceAll("%2F", "/"), quoted.replaceAll("%20", "+"), JSON.stringify(value).slice(1, -1), xml(value), base64(value)];
}
var xml = (value) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
function pythonQuote(value) {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
function decode(value) {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
var base64 = (value) => Buffer.from(value).toString("base64");
function uriCredentials(value) {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^\s:/@]*):([^\s/]*)@[^\s@]*$/i.exec(value.trim());
  if (!match || !match[2]) return void 0;
  return { user: decode(match[1]), password: decode(match[2]), rawPassword: match[2] };
}
function stringsOf(value) {
  if (typeof value === "string") return [value, ...jsonStrings(value)];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => NOT_SECRET.has(k) ? [] : stringsOf(v));
  return [];
}
function jsonStrings(value) {
  if (!/^\s*[[{]/.test(value)) return [];
  try {
    return stringsOf(JSON.parse(value));
  } catch {
    return [];
  }
}

// cli/terminal.ts
function useColor(stream = process.stdout, env = process.env) {
  return Boolean(stream.isTTY) && !("NO_COLOR" in env) && env.TERM !== "dumb";
}
var codes = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 };
var painter = (enabled) => (style, text) => enabled ? `\x1B[${codes[style]}m${text}\x1B[0m` : text;
function terminalLogger(verbose, paint = painter(useColor(process.stderr))) {
  const started = Date.now();
  const stamp = () => paint("dim", `[${((Date.now() - started) / 1e3).toFixed(1).padStart(5)}s]`);
  return {
    debug: (m) => verbose && process.stderr.write(`${stamp()} ${paint("dim", redact(m))}
`),
    info: (m) => process.stderr.write(`${stamp()} ${redact(m)}
`),
    warn: (raw) => {
      const m = redact(raw);
      process.stderr.write(`${stamp()} ${paint("yellow", "warning:")} ${m}
`);
      if (process.env.GITHUB_ACTIONS === "true") warning(m, { title: "dagship" });
    },
    async group(title, work) {
      if (process.env.GITHUB_ACTIONS !== "true") {
        process.stderr.write(`${stamp()} ${paint("bold", title)}
`);
        return work();
      }
      startGroup(title);
      try {
        return await work();
      } finally {
        endGroup();
      }
    }
  };
}

export {
  onSecret,
  registerLookups,
  redact,
  redactDeep,
  useColor,
  painter,
  terminalLogger
};
