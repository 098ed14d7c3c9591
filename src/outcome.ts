import { readBaseline, fingerprintAll } from './baseline.js';
import { failsGate, type FailOn, type Finding, type ToolRun } from './findings.js';

/** The verdict on a set of tool runs: what is reported, what fails the gate. */
export interface Outcome {
  runs: ToolRun[];
  fingerprints: Map<Finding, string>;
  /** Findings left out because the baseline lists them. */
  suppressed: number;
  failing: Finding[];
  failOn: FailOn;
  passed: boolean;
}

export interface JudgeOptions {
  root: string;
  failOn: FailOn;
  /** Path of a baseline file; its findings are known and neither reported nor failing. */
  baseline?: string;
}

export function judge(runs: ToolRun[], options: JudgeOptions): Outcome {
  const known = options.baseline ? readBaseline(options.baseline) : new Set<string>();
  const fingerprints = new Map<Finding, string>();
  let suppressed = 0;
  const kept = runs.map((run) => {
    const prints = fingerprintAll(run.findings, options.root);
    const findings = run.findings.filter((f, i) => {
      if (known.has(prints[i]!)) {
        suppressed++;
        return false;
      }
      fingerprints.set(f, prints[i]!);
      return true;
    });
    return { ...run, findings };
  });
  const failing = kept.flatMap((r) => r.findings).filter((f) => failsGate(f, options.failOn));
  return { runs: kept, fingerprints, suppressed, failing, failOn: options.failOn, passed: failing.length === 0 };
}
