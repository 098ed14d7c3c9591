import type { Log, ReportingDescriptor, Result, Run } from 'sarif';
import type { Finding, ToolRun } from '../findings.js';

const INFO: Partial<Record<string, string>> = {
  ruff: 'https://docs.astral.sh/ruff/',
  bandit: 'https://bandit.readthedocs.io/',
};

/** SARIF 2.1.0: one run per tool, repo-relative URIs, fingerprints that survive line shifts. */
export function toSarif(runs: ToolRun[], fingerprints: Map<Finding, string>): Log {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    // A test's failure is a result where it has a place: a file and a line.
    runs: runs.map((run) => toRun(run.cases ? { ...run, findings: run.findings.filter((f) => f.line) } : run, fingerprints)),
  };
}

function toRun(run: ToolRun, fingerprints: Map<Finding, string>): Run {
  const rules: ReportingDescriptor[] = [];
  const index = new Map<string, number>();
  for (const f of run.findings) {
    if (index.has(f.rule)) continue;
    index.set(f.rule, rules.length);
    rules.push({ id: f.rule, shortDescription: { text: f.rule }, ...(f.helpUri ? { helpUri: f.helpUri } : {}) });
  }
  const results: Result[] = run.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule),
    level: f.severity,
    message: { text: [f.message, f.help, f.detail].filter(Boolean).join('\n\n') },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
          ...(f.line ? { region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn } } : {}),
        },
      },
    ],
    partialFingerprints: { 'dagship/v1': fingerprints.get(f) ?? '' },
  }));
  return {
    tool: { driver: { name: run.tool, version: run.version || undefined, informationUri: INFO[run.tool], rules } },
    results,
  };
}
