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

export {
  toAnnotations,
  toJobSummary,
  data
};
