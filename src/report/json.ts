import type { Outcome } from '../outcome.js';

/** The machine-readable result: stable keys, one entry per finding with its fingerprint. */
export function toJson(outcome: Outcome, extra: Record<string, unknown> = {}): string {
  const findings = outcome.runs.flatMap((r) => r.findings.map((f) => ({ ...f, fingerprint: outcome.fingerprints.get(f) })));
  const body = {
    version: 1,
    passed: outcome.passed,
    fail_on: outcome.failOn,
    counts: {
      error: findings.filter((f) => f.severity === 'error').length,
      warning: findings.filter((f) => f.severity === 'warning').length,
      note: findings.filter((f) => f.severity === 'note').length,
      failing: outcome.failing.length,
      suppressed_by_baseline: outcome.suppressed,
    },
    tools: outcome.runs.map((r) => ({ tool: r.tool, version: r.version, files: r.files.length })),
    ...extra,
    findings,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
