#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  fingerprintAll,
  readBaseline
} from "./chunk-SQYA2VGU.js";
import {
  toAnnotations,
  toJobSummary
} from "./chunk-MGNN7A3E.js";
import {
  countBySeverity,
  failsGate,
  sortFindings
} from "./chunk-3P7JFNUS.js";
import {
  appendSummary,
  inGitHubActions,
  setOutput
} from "./chunk-ZBQHUFCK.js";
import {
  painter,
  redact,
  redactDeep,
  useColor
} from "./chunk-MSPDIVQH.js";

// src/outcome.ts
function judge(runs, options) {
  const known = options.baseline ? readBaseline(options.baseline) : /* @__PURE__ */ new Set();
  const fingerprints = /* @__PURE__ */ new Map();
  let suppressed = 0;
  const kept = runs.map((run) => {
    const prints = fingerprintAll(run.findings, options.root);
    const findings = run.findings.filter((f, i) => {
      if (known.has(prints[i])) {
        suppressed++;
        return false;
      }
      fingerprints.set(f, prints[i]);
      return true;
    });
    return { ...run, findings };
  });
  const failing = kept.flatMap((r) => r.findings).filter((f) => failsGate(f, options.failOn));
  return { runs: kept, fingerprints, suppressed, failing, failOn: options.failOn, passed: failing.length === 0 };
}

// src/report/files.ts
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

// src/report/json.ts
function toJson(outcome, extra = {}) {
  const findings = outcome.runs.flatMap((r) => r.findings.map((f) => ({ ...f, fingerprint: outcome.fingerprints.get(f) })));
  const body = {
    version: 1,
    passed: outcome.passed,
    fail_on: outcome.failOn,
    counts: {
      error: findings.filter((f) => f.severity === "error").length,
      warning: findings.filter((f) => f.severity === "warning").length,
      note: findings.filter((f) => f.severity === "note").length,
      failing: outcome.failing.length,
      suppressed_by_baseline: outcome.suppressed
    },
    tools: outcome.runs.map((r) => ({ tool: r.tool, version: r.version, files: r.files.length })),
    ...extra,
    findings
  };
  return `${JSON.stringify(body, null, 2)}
`;
}

// src/report/junit.ts
function toJunit(runs, failOn) {
  const suites = runs.map((run) => {
    const byFile = new Map(run.files.map((f) => [f, []]));
    for (const f of run.findings) byFile.set(f.file, [...byFile.get(f.file) ?? [], f]);
    let failures = 0;
    const cases = [...byFile.entries()].map(([file, findings]) => {
      const failing = findings.filter((f) => failsGate(f, failOn));
      const other = findings.filter((f) => !failsGate(f, failOn));
      if (failing.length) failures++;
      const failure = failing.length ? `<failure message="${esc(summary(failing))}" type="${esc(failing[0].rule)}">${esc(failing.map(describe).join("\n\n"))}</failure>` : "";
      const out = other.length ? `<system-out>${esc(other.map(describe).join("\n\n"))}</system-out>` : "";
      return `    <testcase classname="${esc(run.tool)}" name="${esc(file)}" file="${esc(file)}">${failure}${out}</testcase>`;
    });
    return [`  <testsuite name="${esc(run.tool)}" tests="${byFile.size}" failures="${failures}" errors="0" skipped="0">`, ...cases, "  </testsuite>"].join("\n");
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites name="dagship">', ...suites, "</testsuites>", ""].join("\n");
}
function summary(findings) {
  const first = findings[0];
  return `${first.rule}: ${first.message.split("\n")[0]}${findings.length > 1 ? ` (+${findings.length - 1} more)` : ""}`;
}
function describe(f) {
  const where = [f.file, f.line, f.column].filter((x) => x !== void 0).join(":");
  return [`${where} ${f.severity} ${f.rule}: ${f.message}`, f.help, f.detail].filter(Boolean).join("\n");
}
function esc(text) {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// src/report/sarif.ts
var INFO = {
  ruff: "https://docs.astral.sh/ruff/",
  bandit: "https://bandit.readthedocs.io/"
};
function toSarif(runs, fingerprints) {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: runs.map((run) => toRun(run, fingerprints))
  };
}
function toRun(run, fingerprints) {
  const rules = [];
  const index = /* @__PURE__ */ new Map();
  for (const f of run.findings) {
    if (index.has(f.rule)) continue;
    index.set(f.rule, rules.length);
    rules.push({ id: f.rule, shortDescription: { text: f.rule }, ...f.helpUri ? { helpUri: f.helpUri } : {} });
  }
  const results = run.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule),
    level: f.severity,
    message: { text: [f.message, f.help, f.detail].filter(Boolean).join("\n\n") },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.file), uriBaseId: "%SRCROOT%" },
          ...f.line ? { region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn } } : {}
        }
      }
    ],
    partialFingerprints: { "dagship/v1": fingerprints.get(f) ?? "" }
  }));
  return {
    tool: { driver: { name: run.tool, version: run.version || void 0, informationUri: INFO[run.tool], rules } },
    results
  };
}

// src/report/files.ts
function writeReports(outcome, paths, extra = {}) {
  const written = [];
  const write = (file, content) => {
    if (!file) return;
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const partial = `${file}.partial`;
    writeFileSync(partial, redact(content()));
    renameSync(partial, file);
    written.push(file);
  };
  write(paths.sarif, () => `${JSON.stringify(toSarif(outcome.runs, outcome.fingerprints), null, 2)}
`);
  write(paths.junit, () => toJunit(outcome.runs, outcome.failOn));
  write(paths.json, () => toJson(outcome, extra));
  return written;
}

// cli/present.ts
async function present(outcome, how) {
  const paint = painter(useColor());
  const all = outcome.runs.flatMap((r) => r.findings);
  const print = (text) => process.stdout.write(redact(text));
  print(renderFindings(all, paint));
  for (const line of how.summary ?? []) print(`${line}
`);
  print(`${renderCounts(outcome)}
`);
  for (const file of writeReports(outcome, how.reports, how.json)) process.stderr.write(`wrote ${file}
`);
  if (inGitHubActions()) {
    const counts = countBySeverity(all);
    setOutput("passed", outcome.passed);
    setOutput("errors", counts.error);
    setOutput("warnings", counts.warning);
    for (const [kind, file] of Object.entries(how.reports)) if (file) setOutput(kind, file);
    print(`${toAnnotations(redactDeep(all)).join("\n")}
`);
    await appendSummary(redact(toJobSummary(how.title, outcome.runs, outcome.passed, how.summary?.map((l) => `${l}
`))));
  }
  const verdict = outcome.passed ? paint("green", `\u2714 ${how.title} passed`) : paint("red", `\u2716 ${how.title} failed: ${outcome.failing.length} finding(s) at or above '${outcome.failOn}'`);
  print(`${verdict}
`);
  return outcome.passed ? 0 : 1;
}
var colour = { error: "red", warning: "yellow", note: "dim" };
function renderFindings(findings, paint) {
  const byFile = /* @__PURE__ */ new Map();
  for (const f of sortFindings(findings)) byFile.set(f.file, [...byFile.get(f.file) ?? [], f]);
  const out = [];
  for (const [file, list] of [...byFile.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(paint("bold", file));
    for (const f of list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))) {
      const where = f.line ? `${f.line}:${f.column ?? 1}` : "-";
      out.push(`  ${where.padEnd(8)} ${paint(colour[f.severity], f.severity.padEnd(7))} ${`${f.tool} ${f.rule}`.padEnd(24)} ${f.message}`);
      const pad = " ".repeat(43);
      if (f.help) out.push(`${pad}${paint("dim", `hint: ${f.help}`)}`);
      if (f.detail) out.push(...f.detail.split("\n").slice(-8).map((l) => `${pad}${paint("dim", `\u2502 ${l}`)}`));
    }
  }
  return out.length ? `${out.join("\n")}

` : "";
}
function renderCounts(outcome) {
  const parts = outcome.runs.map((r) => {
    const c = countBySeverity(r.findings);
    return `${r.tool}${r.version ? ` ${r.version}` : ""}: ${r.files.length} file(s), ${c.error} error(s), ${c.warning} warning(s)${c.note ? `, ${c.note} note(s)` : ""}`;
  });
  if (outcome.suppressed) parts.push(`${outcome.suppressed} known finding(s) hidden by the baseline`);
  return parts.join(" \xB7 ");
}

export {
  judge,
  present
};
