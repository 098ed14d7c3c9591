import { countBySeverity, type FailOn, type ToolRun } from '../findings.js';
import type { Outcome } from '../outcome.js';

/** The predicate type of dagship's check result: versioned, changed only with an incompatible predicate. */
export const PREDICATE_TYPE = 'https://dagship.dev/check-result/v1';

/**
 * What dagship found about one image: the predicate of an in-toto statement whose subject is the image's
 * manifest digest. It is what deploy (and a Kyverno or policy-controller policy) decides on.
 */
export interface CheckResult {
  outcome: 'passed' | 'failed';
  /** Built from uncommitted changes (label io.dagship.dirty): never a release. */
  dirty: boolean;
  revision?: string;
  dagship_version: string;
  fail_on: FailOn;
  /** The tools that ran, with their versions, and the rule ids that had something to say or gate on. */
  tools: { tool: string; version: string; files: number }[];
  rules: string[];
  findings: { error: number; warning: number; note: number; failing: number; suppressed: number };
  checked_at: string;
}

export interface ResultInput {
  outcome: Outcome;
  /** Runs whose rule sets were applied: their ids are recorded even when nothing was found. */
  rulesRun: string[];
  labels: Record<string, string>;
  dagshipVersion: string;
  now?: Date;
}

export function checkResult(input: ResultInput): CheckResult {
  const { outcome } = input;
  const all = outcome.runs.flatMap((r) => r.findings);
  const found = all.map((f) => f.rule);
  return {
    outcome: outcome.passed ? 'passed' : 'failed',
    dirty: input.labels['io.dagship.dirty'] === 'true',
    revision: input.labels['org.opencontainers.image.revision'],
    dagship_version: input.dagshipVersion,
    fail_on: outcome.failOn,
    tools: outcome.runs.map((r: ToolRun) => ({ tool: r.tool, version: r.version, files: r.files.length })),
    rules: [...new Set([...input.rulesRun, ...found])].sort(),
    findings: { ...countBySeverity(all), failing: outcome.failing.length, suppressed: outcome.suppressed },
    checked_at: (input.now ?? new Date()).toISOString(),
  };
}

const CHECK_RULES = [
  'dag-import-error',
  'dag-import-timeout',
  'dag-cycle',
  'dag-duplicate-id',
  'dag-process-crash',
  'dag-slow-import',
  'dag-parse-time-lookup',
  'dag-leftover-process',
  'dag-leftover-thread',
  'dag-task-param',
  'dag-import-output',
];
const POLICY_RULES: Record<string, string> = {
  owner: 'dag-policy-owner',
  tags: 'dag-policy-tags',
  allowed_tags: 'dag-policy-tags',
  min_retries: 'dag-policy-retries',
  explicit_schedule: 'dag-policy-schedule',
  catchup_off: 'dag-policy-catchup',
  max_tasks: 'dag-policy-max-tasks',
  dag_id_pattern: 'dag-policy-dag-id',
};

/** The rule ids a check applies under these settings (plus the lint tools' own sets when lint ran). */
export function rulesApplied(check: { policies: Record<string, unknown>; local_settings?: string }, linted: boolean): string[] {
  const policies = Object.entries(check.policies).flatMap(([key, value]) => (value === undefined || value === false ? [] : [POLICY_RULES[key]!]));
  return [...(linted ? ['ruff', 'bandit'] : []), ...CHECK_RULES, ...policies, ...(check.local_settings ? ['dag-policy-cluster'] : [])];
}
