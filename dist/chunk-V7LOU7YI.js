#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  countBySeverity,
  sortFindings
} from "./chunk-3P7JFNUS.js";
import {
  mask
} from "./chunk-4L3VKM7L.js";

// src/report/github.ts
var ANNOTATION_LIMIT = 50;
function toAnnotations(findings, limit = ANNOTATION_LIMIT) {
  const sorted = sortFindings(findings);
  const lines = sorted.slice(0, limit).map((f) => {
    const command = f.severity === "error" ? "error" : f.severity === "warning" ? "warning" : "notice";
    const props = [
      `file=${prop(f.file)}`,
      f.line ? `line=${f.line}` : "",
      f.column ? `col=${f.column}` : "",
      f.endLine ? `endLine=${f.endLine}` : "",
      `title=${prop(`${f.tool} ${f.rule}`)}`
    ].filter(Boolean);
    return `::${command} ${props.join(",")}::${data([f.message, f.help, f.detail].filter(Boolean).join("\n"))}`;
  });
  if (sorted.length > limit) lines.push(`::notice::${sorted.length - limit} more finding(s) not annotated; see the job summary or the SARIF/JSON report`);
  return lines;
}
function toJobSummary(title, runs, passed, extra = [], limit = 100) {
  const all = runs.flatMap((r) => r.findings);
  const rows = runs.map((r) => {
    const c = countBySeverity(r.findings);
    return `| ${r.tool} ${r.version} | ${r.files.length} | ${c.error} | ${c.warning} | ${c.note} |`;
  });
  const findings = sortFindings(all).slice(0, limit).map((f) => `| ${f.severity} | \`${cell(f.file)}${f.line ? `:${f.line}` : ""}\` | ${f.rule} | ${cell(f.message.split("\n")[0])} |`);
  return [
    `### ${passed ? "\u2705" : "\u274C"} ${title}`,
    "",
    ...extra,
    "| tool | files | errors | warnings | notes |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    ...findings.length ? ["| severity | where | rule | message |", "| --- | --- | --- | --- |", ...findings, ""] : [],
    ...all.length > limit ? [`_${all.length - limit} more finding(s) in the SARIF/JSON report._`, ""] : []
  ].join("\n");
}
var data = (s) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
var prop = (s) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
var cell = (s) => s.replace(/\|/g, "\\|").replace(/`/g, "'");

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
      if (process.env.GITHUB_ACTIONS === "true") process.stdout.write(`::warning title=dagship::${data(m)}
`);
    },
    async group(title, work) {
      if (process.env.GITHUB_ACTIONS !== "true") {
        process.stderr.write(`${stamp()} ${paint("bold", title)}
`);
        return work();
      }
      process.stdout.write(`::group::${title}
`);
      try {
        return await work();
      } finally {
        process.stdout.write("::endgroup::\n");
      }
    }
  };
}

export {
  toAnnotations,
  toJobSummary,
  data,
  onSecret,
  registerLookups,
  redact,
  redactDeep,
  useColor,
  painter,
  terminalLogger
};
