import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DagshipError } from '../errors.js';
import type { Severity } from '../findings.js';

/**
 * Without a ruff configuration of the team's own: pyflakes, syntax errors and the stable Airflow rules
 * that fit the target image — the Airflow 3 migration rules (AIR3xx) only when it runs Airflow 3, or when
 * its version is unknown (then as warnings).
 */
export function defaultRuffSelect(airflowMajor: number | undefined): string[] {
  return airflowMajor !== undefined && airflowMajor < 3 ? ['F', 'E9', 'AIR0'] : ['F', 'E9', 'AIR'];
}

/**
 * A finding's level. AIR001 (task variable named unlike its task_id) is style: a warning. AIR3xx fail
 * only where the target is Airflow 3: a repository still on Airflow 2 that asks for them in its own ruff
 * config gets them as warnings, and so does one whose target version could not be read. AIR311/AIR312
 * ("still works in 3.0") are advice everywhere.
 */
export function ruffSeverity(code: string | null, airflowMajor: number | undefined): Severity {
  if (code === 'AIR001' || code === 'AIR311' || code === 'AIR312') return 'warning';
  if (code?.startsWith('AIR3') && (airflowMajor === undefined || airflowMajor < 3)) return 'warning';
  return 'error';
}

export function hasRuffConfig(root: string): boolean {
  if (configText(root, 'ruff.toml') !== undefined || configText(root, '.ruff.toml') !== undefined) return true;
  return /^\s*\[tool\.ruff[\].]/m.test(configText(root, 'pyproject.toml') ?? '');
}

/**
 * Whether the repository configures ruff's formatter, as a team that runs `ruff format --check` in its own
 * CI does: a `[format]` table (or top-level `format.` keys) in ruff.toml/.ruff.toml, `[tool.ruff.format]`
 * in pyproject.toml. ruff.toml wins over pyproject.toml, as ruff reads it.
 */
export function hasRuffFormatConfig(root: string): boolean {
  const ruff = configText(root, 'ruff.toml') ?? configText(root, '.ruff.toml');
  if (ruff !== undefined) return /^\s*(\[format[\].]|format\.[\w-]+\s*=)/m.test(ruff);
  return /^\s*\[tool\.ruff\.format[\].]/m.test(configText(root, 'pyproject.toml') ?? '');
}

/** A linter configuration file's text; undefined when absent. One that cannot be read is the team's to fix. */
function configText(root: string, name: string): string | undefined {
  const file = path.join(root, name);
  if (!existsSync(file)) return undefined;
  try {
    if (!statSync(file).isFile()) throw new Error('not a regular file');
    return readFileSync(file, 'utf8');
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String(err.code) : (err as Error).message;
    throw new DagshipError(`${file} cannot be read as the linters' configuration (${reason})`, `make ${name} a readable file, or remove it`, 'config', { cause: err });
  }
}

/** Folders bandit never needs to read; bandit's own defaults (.git …) are replaced by any -x, so listed again. */
const BANDIT_EXCLUDED = ['./.git', './.venv', './venv', './node_modules', './.tox', './__pycache__'];
const LEVELS = ['all', 'low', 'medium', 'high'];

/**
 * bandit's options besides the report format. bandit lets a command-line `-x` replace the `exclude` of
 * `.bandit` (tried on 1.9.4), so the team's excludes are added to dagship's own list; and it reads no
 * severity from `-c pyproject.toml`, and crashes on `.bandit`'s `level` (a string where it wants a
 * count), so the level is always given on the command line: the team's `level`, else medium and up.
 */
export function banditOptions(root: string): string {
  const ini = readBanditIni(root);
  const config = ini ? '--ini .bandit' : /^\s*\[tool\.bandit[\].]/m.test(configText(root, 'pyproject.toml') ?? '') ? '-c pyproject.toml' : '';
  const excluded = [...BANDIT_EXCLUDED, ...(ini?.exclude ?? [])];
  if (ini?.level && !LEVELS.includes(ini.level)) {
    throw new DagshipError(`.bandit: level '${ini.level}' is not one of ${LEVELS.join(', ')}`, 'fix the level in .bandit, or remove it for medium and up', 'config');
  }
  const level = ini?.level ?? 'medium';
  return [config, `-x ${shellQuote(excluded.join(','))}`, `--severity-level ${level}`].filter(Boolean).join(' ');
}

/** The `[bandit]` section of `.bandit` as bandit reads it (configparser: `key = value` or `key: value`). */
export function readBanditIni(root: string): { exclude: string[]; level?: string } | undefined {
  const text = configText(root, '.bandit');
  if (text === undefined) return undefined;
  let section = '';
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const header = line.match(/^\s*\[([^\]]+)\]/);
    if (header) section = header[1]!.trim();
    const pair = line.match(/^([\w-]+)\s*[=:]\s*(.*)$/);
    if (section === 'bandit' && pair) values[pair[1]!.toLowerCase()] = pair[2]!.trim();
  }
  const exclude = (values.exclude ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  return { exclude, level: values.level?.toLowerCase() };
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
