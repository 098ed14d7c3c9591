import type { Options } from '../config.js';
import type { ToolRun } from '../findings.js';
import type { AuditOptions } from './context.js';
import { CHART_DEFAULTS } from './defaults.js';
import { runAudit } from './index.js';
import { readValuesFiles } from './parse.js';
import { mergeValues, type Values } from './values.js';

/** A values audit as the gate sees it, with the merged values for the summary line. */
export interface ValuesAudit {
  run: ToolRun;
  values: Values;
  options: AuditOptions;
}

/** The audit settings of dagship.yaml (audit.*, DAGSHIP_AUDIT_*), with `repository` as the baked image. */
export function auditOptionsOf(options: Options): AuditOptions {
  return {
    repository: options.repository,
    strict: options.audit.strict,
    minParallelism: options.audit.min_parallelism,
    expectedHeartbeat: options.audit.expected_heartbeat,
  };
}

/**
 * Audits values files (merged in order onto the chart's defaults) into one `dagship` tool run. Paths are
 * relative to `cwd`, and findings name them that way: the repository root for dagship.yaml's audit.values.
 */
export function auditValues(files: string[], cwd: string, options: AuditOptions, version: string): ValuesAudit {
  const values = mergeValues(CHART_DEFAULTS, readValuesFiles(files, cwd));
  return { run: { tool: 'dagship', version, files: values.files, findings: runAudit(values, options) }, values, options };
}

/** The values audit dagship.yaml configures (audit.values, relative to the repository root). */
export function auditConfiguredValues(options: Options, version: string): ValuesAudit {
  return auditValues(options.audit.values, options.root, auditOptionsOf(options), version);
}

/** One `dagship` run out of the DAG check and the audit: SARIF has one run per tool. */
export function joinRuns(run: ToolRun, more: ToolRun[]): ToolRun {
  const all = [run, ...more];
  return { ...run, files: all.flatMap((r) => r.files), findings: all.flatMap((r) => r.findings) };
}
