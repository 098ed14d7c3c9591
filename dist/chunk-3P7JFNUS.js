#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));

// src/findings.ts
var rank = { note: 0, warning: 1, error: 2 };
function failsGate(finding, failOn) {
  return failOn !== "never" && rank[finding.severity] >= rank[failOn];
}
function sortFindings(findings) {
  return [...findings].sort(
    (a, b) => rank[b.severity] - rank[a.severity] || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.rule.localeCompare(b.rule)
  );
}
function countBySeverity(findings) {
  const counts = { error: 0, warning: 0, note: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export {
  failsGate,
  sortFindings,
  countBySeverity
};
