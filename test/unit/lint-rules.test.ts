import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVersion } from '../../src/airflow-version.js';
import { banditOptions, defaultRuffSelect, hasRuffConfig, hasRuffFormatConfig, ruffSeverity } from '../../src/checks/lint-rules.js';

function repoWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagship-rules-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

describe('ruff rules for the target Airflow', () => {
  it('selects the Airflow 3 migration rules only when the target may be Airflow 3', () => {
    expect([defaultRuffSelect(3), defaultRuffSelect(2), defaultRuffSelect(undefined)]).toEqual([
      ['F', 'E9', 'AIR'],
      ['F', 'E9', 'AIR0'],
      ['F', 'E9', 'AIR'],
    ]);
  });

  it('makes AIR001 a warning everywhere and AIR30x errors only on Airflow 3 or later', () => {
    const levels = (code: string) => [3, 2, undefined].map((major) => ruffSeverity(code, major));
    expect(levels('AIR001')).toEqual(['warning', 'warning', 'warning']);
    expect(levels('AIR302')).toEqual(['error', 'warning', 'warning']);
    expect(levels('F401')).toEqual(['error', 'error', 'error']);
  });
});

describe("ruff's formatter, configured by the repository", () => {
  it('is on with a [format] table or format. keys in ruff.toml, or [tool.ruff.format] in pyproject.toml', () => {
    expect(hasRuffFormatConfig(repoWith({ 'ruff.toml': 'line-length = 100\n\n[format]\nquote-style = "single"\n' }))).toBe(true);
    expect(hasRuffFormatConfig(repoWith({ '.ruff.toml': 'format.indent-style = "tab"\n' }))).toBe(true);
    expect(hasRuffFormatConfig(repoWith({ 'pyproject.toml': '[tool.ruff]\nline-length = 100\n\n[tool.ruff.format]\n' }))).toBe(true);
  });

  it('is off for linter-only configs, other tools’ format tables, and a ruff.toml that shadows pyproject.toml', () => {
    expect(hasRuffFormatConfig(repoWith({}))).toBe(false);
    expect(hasRuffFormatConfig(repoWith({ 'ruff.toml': '[lint]\nselect = ["F"]\n# [format] comes later\n' }))).toBe(false);
    expect(hasRuffFormatConfig(repoWith({ 'pyproject.toml': '[tool.ruff.lint]\nselect = ["F"]\n[tool.black.format]\n' }))).toBe(false);
    expect(hasRuffFormatConfig(repoWith({ 'ruff.toml': 'line-length = 100\n', 'pyproject.toml': '[tool.ruff.format]\n' }))).toBe(false);
  });
});

describe('bandit options', () => {
  it('keeps medium severity and up by default, with .bandit and with pyproject.toml', () => {
    expect(banditOptions(repoWith({}))).toContain('--severity-level medium');
    expect(banditOptions(repoWith({ '.bandit': '[bandit]\nskips = B101\n' }))).toMatch(/^--ini \.bandit .*--severity-level medium$/);
    expect(banditOptions(repoWith({ 'pyproject.toml': '[tool.bandit]\nskips = ["B101"]\n' }))).toMatch(/^-c pyproject\.toml .*--severity-level medium$/);
  });

  it("adds .bandit's exclude to dagship's own (a -x replaces it) and passes its level on", () => {
    const options = banditOptions(repoWith({ '.bandit': '[other]\nexclude = ./no\n[bandit]\nexclude: ./tests, ./dags/vendor\nlevel = HIGH\n' }));
    expect(options).toBe("--ini .bandit -x './.git,./.venv,./venv,./node_modules,./.tox,./__pycache__,./tests,./dags/vendor' --severity-level high");
  });
});

it('reads version strings as pip writes them', () => {
  expect(parseVersion('3.3.2')).toEqual({ version: '3.3.2', major: 3 });
  expect(parseVersion('2.11.0rc1')).toEqual({ version: '2.11.0rc1', major: 2 });
  expect(parseVersion('Traceback (most recent call last):')).toBeUndefined();
  expect(parseVersion('Python 3.11.2')).toBeUndefined();
});

describe('linter configuration the team got wrong', () => {
  it('refuses a .bandit level bandit does not know, and a configuration that is a folder, as config errors', () => {
    expect(() => banditOptions(repoWith({ '.bandit': '[bandit]\nlevel = HIGHH\n' }))).toThrow(
      expect.objectContaining({ kind: 'config', message: ".bandit: level 'highh' is not one of all, low, medium, high" }),
    );
    const folder = repoWith({});
    mkdirSync(path.join(folder, 'pyproject.toml'));
    expect(() => hasRuffConfig(folder)).toThrow(
      expect.objectContaining({ kind: 'config', message: expect.stringMatching(/pyproject\.toml cannot be read as the linters' configuration \(not a regular file\)$/) }),
    );
    expect(() => banditOptions(folder)).toThrow(/not a regular file/);
  });
});
