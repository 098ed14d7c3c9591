import type { DockerEngine, RunResult } from '../engine/index.js';
import { DagshipError } from '../errors.js';
import { tail } from '../text.js';
import type { Finding, ToolRun } from '../findings.js';
import type { Logger } from '../logger.js';
import { parseBanditJson } from './bandit.js';
import { parseRuffFormatJson, parseRuffJson } from './ruff.js';
import { listPythonFiles } from './files.js';
import { banditOptions, defaultRuffSelect, hasRuffConfig, hasRuffFormatConfig } from './lint-rules.js';

const MOUNT = '/src';

export interface LintRequest {
  root: string;
  toolsImage: string;
  /** Only these repo-relative files (changed-only runs); undefined = the whole repository. */
  files?: string[];
  /** The target image's Airflow major version (see lint-target.ts); undefined: unknown. */
  airflowMajor?: number;
  /** ruff format --check too: lint.format of dagship.yaml; undefined: when the repository configures ruff's formatter. */
  format?: boolean;
}

/** ruff and bandit in the tools image: no network, the repository mounted read-only. */
export async function runLint(request: LintRequest, docker: DockerEngine, log: Logger): Promise<ToolRun[]> {
  const files = request.files ?? (await listPythonFiles(request.root));
  // bandit matches a named file against its excludes as given: `./` makes `./dags/x` excludes match, as in a full run.
  const targets = request.files ? request.files.map((f) => `./${f}`) : ['.'];
  if (files.length === 0) return [emptyRun('ruff'), emptyRun('bandit')];
  const run = (cmd: string) =>
    docker.run({
      image: request.toolsImage,
      entrypoint: ['sh', '-c'],
      cmd: [cmd, 'lint', ...targets],
      mounts: [{ source: request.root, target: MOUNT }],
      workdir: MOUNT,
      // The caller's own uid reads exactly what the caller can read, whatever the image's user is.
      user: hostUser(),
      network: 'none',
      timeoutMs: 10 * 60_000,
    });
  const format = request.format ?? hasRuffFormatConfig(request.root);
  log.info(`lint: ruff${format ? ' (and ruff format --check)' : ''} and bandit on ${files.length} Python file(s) in ${request.toolsImage}`);
  // Each command reads the team's configuration, which may be refused: before any container starts.
  const ruffScript = ruffCommand(request.root, request.airflowMajor);
  const banditScript = banditCommand(request.root);
  const [ruff, bandit, formatted] = await Promise.all([run(ruffScript), run(banditScript), format ? run(RUFF_FORMAT_COMMAND) : undefined]);
  const checked = parseToolOutput('ruff', ruff, (json) => parseRuffJson(json, MOUNT, request.airflowMajor));
  const unformatted = formatted ? parseToolOutput('ruff format', formatted, (json) => parseRuffFormatJson(json, MOUNT)).findings : [];
  return [
    // One ruff run in the reports, as ruff check and ruff format are one tool with one version.
    { tool: 'ruff', version: checked.version, findings: [...checked.findings, ...unformatted], files },
    { tool: 'bandit', ...parseToolOutput('bandit', bandit, (json) => parseBanditJson(json, MOUNT)), files },
  ];
}

export function hostUser(): string | undefined {
  return process.getuid && process.getgid ? `${process.getuid()}:${process.getgid()}` : undefined;
}

function emptyRun(tool: 'ruff' | 'bandit'): ToolRun {
  return { tool, version: '', files: [], findings: [] };
}

/** `sh -c` scripts: the first output line is the tool's version, the rest its JSON report. */
export function ruffCommand(root: string, airflowMajor?: number): string {
  const select = hasRuffConfig(root) ? '' : ` --select ${defaultRuffSelect(airflowMajor).join(',')}`;
  // --force-exclude: files named on the command line (--changed-since) keep the config's excludes too.
  return `ruff --version && ruff check --output-format json --no-cache --force-exclude --exit-zero${select} "$@"`;
}

/** Exit 1 is "would reformat", 2 a file it cannot parse (ruff check reports it): both still write the report. */
export const RUFF_FORMAT_COMMAND = 'ruff --version && { ruff format --check --output-format json --no-cache --force-exclude "$@" || [ $? -le 2 ]; }';

export function banditCommand(root: string): string {
  return `bandit --version | head -1 && bandit -r ${banditOptions(root)} -f json -q --exit-zero "$@"`;
}

export function parseToolOutput(tool: string, result: RunResult, parse: (json: string) => Finding[]): { version: string; findings: Finding[] } {
  const newline = result.stdout.indexOf('\n');
  const version = result.stdout.slice(0, newline).trim().split(/\s+/).at(-1) ?? '';
  const json = result.stdout.slice(newline + 1).trim();
  if (result.exitCode !== 0 || result.timedOut || (!json.startsWith('{') && !json.startsWith('['))) {
    throw new DagshipError(
      `${tool} failed (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}): ${tail(result.stderr || result.stdout, 4)}`,
      `check the ${tool} configuration in the repository, and that the tools image has ${tool}`,
      'infra',
    );
  }
  // ruff warns and goes on when it cannot read a file: a file not checked must not pass.
  const unread = result.stderr.split('\n').find((l) => /Encountered error|^error:/i.test(l));
  if (unread) {
    throw new DagshipError(`${tool} could not check every file: ${unread.trim()}`, 'make the repository readable by the user running dagship', 'infra');
  }
  try {
    return { version, findings: parse(json) };
  } catch (err) {
    throw new DagshipError(`could not read ${tool}'s JSON report: ${String(err)}`, `is the tools image's ${tool} a supported version?`, 'infra', { cause: err });
  }
}
