import { failsGate, type FailOn, type Finding, type TestCase, type ToolRun } from '../findings.js';

/**
 * JUnit XML: a suite per tool, a test case per file; findings that fail the gate are failures. A run of
 * tests (pytest, DAG runs) has its own cases: one per test and one per task.
 */
export function toJunit(runs: ToolRun[], failOn: FailOn): string {
  const suites = runs.map((run) => {
    if (run.cases) return caseSuite(run.tool, run.cases);
    const byFile = new Map<string, Finding[]>(run.files.map((f) => [f, []]));
    for (const f of run.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    let failures = 0;
    const cases = [...byFile.entries()].map(([file, findings]) => {
      const failing = findings.filter((f) => failsGate(f, failOn));
      const other = findings.filter((f) => !failsGate(f, failOn));
      if (failing.length) failures++;
      const failure = failing.length ? `<failure message="${esc(summary(failing))}" type="${esc(failing[0]!.rule)}">${esc(failing.map(describe).join('\n\n'))}</failure>` : '';
      const out = other.length ? `<system-out>${esc(other.map(describe).join('\n\n'))}</system-out>` : '';
      return `    <testcase classname="${esc(run.tool)}" name="${esc(file)}" file="${esc(file)}">${failure}${out}</testcase>`;
    });
    return [`  <testsuite name="${esc(run.tool)}" tests="${byFile.size}" failures="${failures}" errors="0" skipped="0">`, ...cases, '  </testsuite>'].join('\n');
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites name="dagship">', ...suites, '</testsuites>', ''].join('\n');
}

function caseSuite(name: string, cases: TestCase[]): string {
  const count = (status: TestCase['status']) => cases.filter((c) => c.status === status).length;
  const lines = cases.map((c) => {
    const attrs = `classname="${esc(c.classname)}" name="${esc(c.name)}"${c.file ? ` file="${esc(c.file)}"` : ''}${c.line ? ` line="${c.line}"` : ''}${c.seconds !== undefined ? ` time="${c.seconds.toFixed(3)}"` : ''}`;
    const body =
      c.status === 'failed'
        ? `<failure message="${esc(c.message ?? 'failed')}">${esc(c.detail ?? '')}</failure>`
        : c.status === 'skipped'
          ? `<skipped message="${esc(c.message ?? 'skipped')}"/>`
          : c.detail
            ? `<system-out>${esc(c.detail)}</system-out>`
            : '';
    return `    <testcase ${attrs}>${body}</testcase>`;
  });
  return [`  <testsuite name="${esc(name)}" tests="${cases.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}">`, ...lines, '  </testsuite>'].join('\n');
}

function summary(findings: Finding[]): string {
  const first = findings[0]!;
  return `${first.rule}: ${first.message.split('\n')[0]}${findings.length > 1 ? ` (+${findings.length - 1} more)` : ''}`;
}

function describe(f: Finding): string {
  const where = [f.file, f.line, f.column].filter((x) => x !== undefined).join(':');
  return [`${where} ${f.severity} ${f.rule}: ${f.message}`, f.help, f.detail].filter(Boolean).join('\n');
}

function esc(text: string): string {
  return (
    text
      // XML 1.0 has no way to carry most control characters; a DAG's output may contain them.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}
