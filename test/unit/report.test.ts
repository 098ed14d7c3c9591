import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintAll, writeBaseline } from '../../src/baseline.js';
import type { Finding, ToolRun } from '../../src/findings.js';
import { judge } from '../../src/outcome.js';
import { toAnnotations, toJobSummary } from '../../src/report/github.js';
import { toJunit } from '../../src/report/junit.js';
import { toSarif } from '../../src/report/sarif.js';

const importError: Finding = {
  tool: 'dagship',
  rule: 'dag-import-error',
  severity: 'error',
  file: 'dags/a b.py',
  line: 3,
  message: "ModuleNotFoundError: No module named 'x'",
  detail: 'Traceback…\n<x> & "y"',
};
const slow: Finding = { tool: 'dagship', rule: 'dag-slow-import', severity: 'warning', file: 'dags/c.py', message: 'took 7.1 s' };
const f401: Finding = {
  tool: 'ruff',
  rule: 'F401',
  severity: 'error',
  file: 'dags/c.py',
  line: 1,
  column: 8,
  message: '`os` imported but unused',
  helpUri: 'https://docs.astral.sh/ruff/rules/unused-import',
};
const runs: ToolRun[] = [
  { tool: 'ruff', version: '0.17.5', files: ['dags/a b.py', 'dags/c.py'], findings: [f401] },
  { tool: 'dagship', version: '0.1.0', files: ['dags/a b.py', 'dags/c.py', 'dags/ok.py'], findings: [importError, slow] },
];

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagship-report-'));
  for (const [f, c] of Object.entries(files)) {
    writeFileSync(path.join(dir, f.replace('dags/', '')), c);
  }
  return dir;
}

describe('SARIF', () => {
  it('has one run per tool, rule ids, levels, relative URIs and fingerprints', () => {
    const prints = new Map<Finding, string>([[f401, 'fp1']]);
    const log = toSarif(runs, prints);
    expect(log.version).toBe('2.1.0');
    expect(log.runs.map((r) => r.tool.driver.name)).toEqual(['ruff', 'dagship']);
    const [ruffRun, dagRun] = log.runs;
    expect(ruffRun!.tool.driver.rules).toEqual([{ id: 'F401', shortDescription: { text: 'F401' }, helpUri: f401.helpUri }]);
    expect(ruffRun!.results![0]).toMatchObject({
      ruleId: 'F401',
      ruleIndex: 0,
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'dags/c.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 1, startColumn: 8 } } }],
      partialFingerprints: { 'dagship/v1': 'fp1' },
    });
    expect(dagRun!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('dags/a%20b.py');
    expect(dagRun!.results![1]!.locations![0]!.physicalLocation).not.toHaveProperty('region');
    expect(dagRun!.results![1]!.level).toBe('warning');
  });
});

describe('JUnit', () => {
  it('has a case per file, failures for gate-failing findings, escaped text', () => {
    const xml = toJunit(runs, 'error');
    expect(xml).toContain('<testsuite name="dagship" tests="3" failures="1" errors="0" skipped="0">');
    expect(xml).toContain('<testcase classname="dagship" name="dags/ok.py" file="dags/ok.py"></testcase>');
    expect(xml).toContain('&lt;x&gt; &amp; &quot;y&quot;');
    expect(xml).toMatch(/name="dags\/c.py" file="dags\/c.py"><system-out>dags\/c.py warning dag-slow-import/);
    expect(toJunit(runs, 'warning')).toContain('<testsuite name="dagship" tests="3" failures="2"');
  });
});

describe('GitHub annotations and summary', () => {
  it('escapes messages and properties, and caps the count with a note', () => {
    const [first] = toAnnotations([importError]);
    expect(first).toBe('::error file=dags/a b.py,line=3,title=dagship dag-import-error::ModuleNotFoundError: No module named \'x\'%0ATraceback…%0A<x> & "y"');
    const many = Array.from({ length: 60 }, (_, i) => ({ ...slow, line: i + 1 }));
    const lines = toAnnotations(many);
    expect(lines).toHaveLength(51);
    expect(lines.at(-1)).toBe('::notice::10 more finding(s) not annotated; see the job summary or the SARIF/JSON report');
  });

  it('summarises counts per tool and lists errors first', () => {
    const md = toJobSummary('dagship check', runs, false);
    expect(md).toContain('### ❌ dagship check');
    expect(md).toContain('| dagship 0.1.0 | 3 | 1 | 1 | 0 |');
    expect(md.indexOf('dag-import-error')).toBeLessThan(md.indexOf('dag-slow-import'));
  });
});

describe('baseline and gate', () => {
  it('keeps a fingerprint when the flagged line moves, and tells repeats apart', () => {
    const root = repo({ 'dags/c.py': 'import os\n' });
    const before = fingerprintAll([f401], root);
    const shifted = repo({ 'dags/c.py': '"""doc"""\n\nimport os\n' });
    expect(fingerprintAll([{ ...f401, line: 3 }], shifted)).toEqual(before);
    const [a, b] = fingerprintAll([f401, f401], root);
    expect(b).toBe(`${a}#2`);
  });

  it('hides baselined findings from the verdict and fails on new ones', () => {
    const root = repo({ 'dags/c.py': 'import os\n', 'dags/a b.py': 'import x\n' });
    const baseline = path.join(root, 'baseline.json');
    writeFileSync(baseline, writeBaseline(fingerprintAll([f401], root)));
    const outcome = judge(runs, { root, failOn: 'error', baseline });
    expect(outcome.suppressed).toBe(1);
    expect(outcome.failing).toEqual([importError]);
    expect(outcome.passed).toBe(false);
    expect(judge(runs, { root, failOn: 'never' }).passed).toBe(true);
  });

  it('refuses a file that is not a baseline', () => {
    const root = repo({});
    writeFileSync(path.join(root, 'b.json'), '{"nope": 1}');
    expect(() => judge(runs, { root, failOn: 'error', baseline: path.join(root, 'b.json') })).toThrow(/is not a dagship baseline/);
  });
});
