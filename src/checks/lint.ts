import type { DockerEngine, RunResult } from '../engine/index.js';
import { DagshipError } from '../errors.js';
import { tail } from '../text.js';
import type { Finding, ToolRun } from '../findings.js';
import type { Logger } from '../logger.js';
import { parseBanditJson } from './bandit.js';
import { parseRuffJson } from './ruff.js';
import { listPythonFiles } from './files.js';
import { banditOptions, defaultRuffSelect, hasRuffConfig } from './lint-rules.js';

const MOUNT = '/src';

export interface LintRequest {
  root: string;
  toolsImage: string;
  /** Only these repo-relative files (changed-only runs); undefined = the whole repository. */
  files?: string[];
  /** The target image's Airflow major version (see lint-target.ts); undefined: unknown. */
  airflowMajor?: number;
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
  log.info(`lint: ruff and bandit on ${files.length} Python file(s) in ${request.toolsImage}`);
  // Both commands read the team's configuration, which may be refused: before either container starts.
  const ruffScript = ruffCommand(request.root, request.airflowMajor);
  const banditScript = banditCommand(request.root);
  const [ruff, bandit] = await Promise.all([run(ruffScript), run(banditScript)]);
  return [
    { tool: 'ruff', ...parseToolOutput('ruff', ruff, (json) => parseRuffJson(json, MOUNT, request.airflowMajor)), files },
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
