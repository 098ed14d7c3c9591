import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FLAGS } from '../../cli/flags.js';
import { buildProgram, COMMANDS, runCli, type CommandSpec } from '../../cli/main.js';
import { loadSettings } from '../../cli/settings.js';
import type { ParsedFlags } from '../../cli/flags.js';

/** The long flags `dagship <name> --help` lists. */
function flagsOf(name: string): string[] {
  const command = buildProgram().commands.find((c) => c.name() === name)!;
  return command.options.map((o) => o.long!);
}

/** The table with every command's function replaced by one that records what it was given. */
function recording() {
  const calls: { name: string; path?: string; flags: ParsedFlags }[] = [];
  const commands: CommandSpec[] = COMMANDS.map((spec) => ({
    ...spec,
    run: async (p, flags) => {
      calls.push({ name: spec.name, path: p, flags });
      return 0;
    },
  }));
  return { calls, commands };
}

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  // The suite may itself run in Actions: each test says whether it is.
  vi.stubEnv('GITHUB_ACTIONS', 'false');
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const dagship = (...args: string[]) => ['node', 'dagship', ...args];

describe('the command table', () => {
  it('gives each command only the flags it uses', () => {
    expect(flagsOf('check')).toEqual(expect.arrayContaining(['--timeout', '--image', '--workers', '--base-image', '--changed-since', '--fail-on']));
    expect(flagsOf('check')).not.toContain('--tools-image');
    expect(flagsOf('check')).not.toContain('--repository');
    // lint reads the base image for the Airflow version its AIR rules target.
    expect(flagsOf('lint')).toEqual(expect.arrayContaining(['--tools-image', '--base-image', '--sarif']));
    expect(flagsOf('lint')).not.toContain('--timeout');
    expect(flagsOf('push')).toEqual(expect.arrayContaining(['--repository', '--push-timeout', '--tag']));
    expect(flagsOf('push')).not.toContain('--base-image');
    expect(flagsOf('audit')).not.toContain('--changed-since');
    expect(flagsOf('deploy')).toEqual(expect.arrayContaining(['--timeout', '--lock-timeout', '--image', '--strategy']));
    expect(flagsOf('keygen')).toEqual(['--output']);
  });

  it('declares every flag in the table for some command, and no flag twice in one command', () => {
    const used = new Set(COMMANDS.flatMap((c) => c.flags));
    expect(Object.keys(FLAGS).filter((id) => !used.has(id as keyof typeof FLAGS))).toEqual([]);
    for (const command of buildProgram().commands) {
      const names = command.options.map((o) => o.long);
      expect(new Set(names).size, command.name()).toBe(names.length);
    }
  });

  it('maps settings flags to the dagship.yaml keys they override, with their names for messages', async () => {
    const { calls, commands } = recording();
    const argv = dagship('check', 'repo', '--timeout', '5m', '--dags-folder', 'airflow/dags', '--workers', '3', '--fail-on', 'warning', '--sarif', 'x.sarif');
    expect(await runCli(argv, commands)).toBe(0);
    const { path: repo, flags } = calls[0]!;
    expect(repo).toBe('repo');
    expect(flags.overrides).toMatchObject({ 'check.timeout': '5m', dags_folder: 'airflow/dags', 'check.workers': '3', fail_on: 'warning' });
    expect(flags.overrides.base_image).toBeUndefined();
    expect(flags.flagNames).toMatchObject({ 'check.timeout': '--timeout', dags_folder: '--dags-folder' });
    expect(flags.reports).toEqual({ sarif: 'x.sarif', junit: undefined, json: undefined });

    await runCli(dagship('build', '.', '--dockerfile', 'ci/Dockerfile', '--plugins-folder', 'p', '--allow-empty-dags'), commands);
    expect(calls[1]!.flags.overrides).toMatchObject({ 'build.dockerfile': 'ci/Dockerfile', plugins_folder: 'p', allow_empty_dags: true });
    expect(calls[1]!.flags.flagNames).toMatchObject({ 'build.dockerfile': '--dockerfile' });

    const root = mkdtempSync(path.join(tmpdir(), 'dagship-cli-'));
    await runCli(dagship('audit', root, '--strict', '--min-parallelism', '64', '--expected-heartbeat', '1m'), commands);
    expect(loadSettings(root, calls[2]!.flags).audit).toMatchObject({ strict: true, min_parallelism: 64, expected_heartbeat: 60 });
  });

  it('reads what the flags set over dagship.yaml and the environment, durations as seconds', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'dagship-cli-'));
    writeFileSync(path.join(root, 'dagship.yaml'), 'check:\n  timeout: 10\n  workers: 2\n');
    vi.stubEnv('DAGSHIP_CHECK_WORKERS', '4');
    const { calls, commands } = recording();
    await runCli(dagship('check', root, '--timeout', '2m'), commands);
    const options = loadSettings(root, calls[0]!.flags);
    expect(options.check).toMatchObject({ timeout: 120, workers: 4 });
  });

  it('names the flag when its value is wrong', async () => {
    const { calls, commands } = recording();
    await runCli(dagship('check', mkdtempSync(path.join(tmpdir(), 'dagship-cli-')), '--workers', '-1'), commands);
    expect(() => loadSettings(calls[0]!.path, calls[0]!.flags)).toThrow(/^--workers: 'check\.workers' /);
  });
});

describe('usage errors', () => {
  it('exit 2, naming the flag, for a flag the command does not take', async () => {
    const { calls, commands } = recording();
    expect(await runCli(dagship('check', '.', '--tools-image', 'tools:1'), commands)).toBe(2);
    expect(calls).toEqual([]);
    expect(err.join('')).toContain("error: unknown option '--tools-image'");
    expect(err.join('')).toContain('(run dagship check --help for usage)');
    expect(out.join('')).not.toContain('::error');
  });

  it('are annotated in GitHub Actions like every other error', async () => {
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    const { commands } = recording();
    expect(await runCli(dagship('check', '.', '--tools-image', 'tools:1'), commands)).toBe(2);
    expect(out.join('')).toBe("::error title=dagship::unknown option '--tools-image'%0Ahint: run dagship check --help for usage\n");
    out.length = 0;
    expect(await runCli(dagship('deploy', '--image', 'reg/a@sha256:1'), commands)).toBe(2);
    expect(out.join('')).toMatch(/^::error title=dagship::required option '--release <name>' not specified/);
    out.length = 0;
    expect(await runCli(dagship('check', '--fail-on', 'sometimes'), commands)).toBe(2);
    expect(out.join('')).toContain('Allowed choices are error, warning, never');
    out.length = 0;
    expect(await runCli(dagship('chek'), commands)).toBe(2);
    expect(out.join('')).toMatch(/^::error title=dagship::unknown command 'chek'.*%0Ahint: run dagship --help for usage/);
  });

  it('exit 2 for a duration that is none, naming the flag and the accepted forms', async () => {
    const { calls, commands } = recording();
    for (const args of [
      ['check', '--timeout', 'soon'],
      ['deploy', '--release', 'a', '-n', 'b', '--timeout', '10x'],
      ['push', '--push-timeout', '0'],
    ]) {
      err.length = 0;
      expect(await runCli(dagship(...args), commands), args.join(' ')).toBe(2);
      expect(err.join('')).toMatch(/option '--(push-)?timeout <duration>' argument '.*' is invalid\. Use a positive duration: 90s, 5m, 1h, or a bare number of seconds/);
    }
    expect(calls).toEqual([]);
  });

  it('help and --version exit 0', async () => {
    expect(await runCli(dagship('check', '--help'))).toBe(0);
    expect(out.join('')).toContain('--timeout <duration>');
    expect(await runCli(dagship('--version'))).toBe(0);
  });
});

describe('keygen', () => {
  const scratch = () => mkdtempSync(path.join(tmpdir(), 'dagship-keygen-'));

  it('into a folder that does not exist: exit 2 with the fix, no stack trace, nothing written', async () => {
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    const prefix = path.join(scratch(), 'missing', 'dir', 'team');
    expect(await runCli(dagship('keygen', '-o', prefix))).toBe(2);
    const said = err.join('');
    expect(said).toContain(`error: cannot write ${prefix}.key: the folder ${path.dirname(prefix)} does not exist`);
    expect(said).toMatch(/hint: create it first \(mkdir -p .*\), or pick an --output prefix in a folder that exists/);
    expect(said).not.toMatch(/^\s+at |unexpected failure/m);
    expect(out.join('')).toMatch(/^::error title=dagship::cannot write /);
    expect(existsSync(path.dirname(prefix))).toBe(false);
  });

  it('writes the pair (the private key readable only by its owner) and never overwrites a key', async () => {
    const prefix = path.join(scratch(), 'team');
    expect(await runCli(dagship('keygen', '-o', prefix))).toBe(0);
    expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);
    const before = readFileSync(`${prefix}.key`, 'utf8');
    expect(await runCli(dagship('keygen', '-o', prefix))).toBe(2);
    expect(err.join('')).toContain(`${prefix}.key and ${prefix}.pub already exist`);
    expect(readFileSync(`${prefix}.key`, 'utf8')).toBe(before);
  });
});
