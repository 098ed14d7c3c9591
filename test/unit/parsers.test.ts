import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBanditJson } from '../../src/checks/bandit.js';
import { parseRuffFormatJson, parseRuffJson } from '../../src/checks/ruff.js';
import { parseProgressLine, type ProgressEvent } from '../../src/engine/progress.js';
import { describeTally, pullTally } from '../../src/image/pull.js';

// Recorded from the real tools by test/fixtures/record (versions in test/fixtures/recorded/VERSIONS).
const recorded = (name: string) => readFileSync(new URL(`../fixtures/recorded/${name}`, import.meta.url), 'utf8');

describe('parseRuffJson (recorded ruff output)', () => {
  const findings = parseRuffJson(recorded('ruff.json'), '/src', 3);

  it('keeps every entry with repo-relative paths, codes and positions', () => {
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`)).toContain('dags/legacy_etl.py:2:8 F401');
    expect(findings.every((f) => !f.file.startsWith('/'))).toBe(true);
    expect(findings.find((f) => f.rule === 'AIR301')).toMatchObject({
      severity: 'error',
      message: '`schedule_interval` is removed in Airflow 3.0',
      helpUri: expect.stringContaining('airflow3-removal'),
    });
  });

  it('reports a file ruff cannot parse as invalid-syntax, and Airflow 3 suggestions as warnings', () => {
    expect(findings.find((f) => f.file === 'dags/broken_syntax.py')).toMatchObject({ rule: 'invalid-syntax', severity: 'error', line: 4 });
    expect(findings.filter((f) => f.rule.startsWith('AIR31')).every((f) => f.severity === 'warning')).toBe(true);
  });

  it('sets the Airflow rules’ levels by the target image’s Airflow: AIR3xx fail only on Airflow 3', () => {
    const level = (major: number | undefined) => parseRuffJson(recorded('ruff.json'), '/src', major).find((f) => f.rule === 'AIR301')?.severity;
    expect([level(3), level(2), level(undefined)]).toEqual(['error', 'warning', 'warning']);
  });

  it('says how to apply a fix ruff offers', () => {
    expect(findings.find((f) => f.rule === 'F401')?.help).toBe('Remove unused import: `os` (ruff check --fix)');
  });
});

describe('parseBanditJson (recorded bandit output)', () => {
  const findings = parseBanditJson(recorded('bandit.json'), '/src');

  it('maps severity high → error, medium → warning, low → note', () => {
    expect(findings.find((f) => f.rule === 'B602')).toMatchObject({ severity: 'error', file: 'dags/legacy_etl.py', line: 21 });
    expect(findings.find((f) => f.rule === 'B301')?.severity).toBe('warning');
    expect(findings.find((f) => f.rule === 'B105')?.severity).toBe('note');
    expect(findings.find((f) => f.rule === 'B602')?.message).toMatch(/shell=True.*severity high, confidence high, CWE-78\]$/);
  });

  it('turns a file bandit could not scan into an error finding', () => {
    expect(findings.find((f) => f.rule === 'bandit-scan-error')).toMatchObject({ file: 'dags/broken_syntax.py', severity: 'error' });
  });
});

describe('parseRuffFormatJson (recorded ruff format --check output)', () => {
  it('gives one ruff-format error per file ruff would reformat, and leaves unparsable files to ruff check', () => {
    expect(parseRuffFormatJson(recorded('ruff-format.json'), '/src')).toEqual([
      {
        tool: 'ruff',
        rule: 'ruff-format',
        severity: 'error',
        file: 'dags/legacy_etl.py',
        line: expect.any(Number),
        column: expect.any(Number),
        message: 'File would be reformatted by ruff format',
        help: 'ruff format dags/legacy_etl.py',
      },
    ]);
    expect(recorded('ruff-format.json')).toContain('"invalid-syntax"');
  });
});

describe('parseToolOutput', async () => {
  const { parseToolOutput } = await import('../../src/checks/lint.js');
  const run = (stdout: string, stderr = '', exitCode = 0) => ({ exitCode, stdout, stderr, timedOut: false, truncated: false });

  it('reads the version line and the JSON report', () => {
    expect(parseToolOutput('ruff', run('ruff 0.17.5\n[]'), () => [])).toEqual({ version: '0.17.5', findings: [] });
  });

  it('refuses to pass when the tool could not read a file, failed or printed no report', () => {
    expect(() => parseToolOutput('ruff', run('ruff 0.17.5\n[]', 'warning: Encountered error: Permission denied (os error 13)'), () => [])).toThrow(
      /ruff could not check every file: warning: Encountered error: Permission denied/,
    );
    expect(() => parseToolOutput('bandit', run('bandit 1.9.4\n', 'boom', 2), () => [])).toThrow(/bandit failed \(exit 2\): boom/);
    expect(() => parseToolOutput('bandit', run('bandit 1.9.4\nnot json'), () => [])).toThrow(/bandit failed/);
  });
});

describe('pullTally (a recorded Engine pull stream)', () => {
  const events = recorded('engine-pull.jsonl')
    .split('\n')
    .filter(Boolean)
    .map((line) => parseProgressLine(line) as ProgressEvent);

  it('counts new layers, layers the engine held, and bytes as the pull goes', () => {
    // Mid-pull: both layers announced, one Downloading event each, nothing extracted yet.
    const firstDownloads = events.findIndex((e, i) => i > 0 && e.status === 'Downloading' && events.slice(0, i).some((p) => p.status === 'Downloading' && p.id !== e.id));
    const early = pullTally(events.slice(0, firstDownloads + 1));
    expect(early).toMatchObject({ layers: 2, done: 0, held: 1, totalBytes: 5001737 + 30009363 });
    expect(early.bytes).toBeLessThan(early.totalBytes);
    expect(pullTally(events)).toEqual({ layers: 2, done: 2, held: 1, bytes: 35011100, totalBytes: 35011100 });
    expect(describeTally(pullTally(events))).toBe('2/2 new layer(s) done, 35 MB of 35 MB (1 already on the engine)');
  });
});
