import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from '../config.js';
import type { DockerEngine } from '../docker.js';
import { DagshipError } from '../errors.js';
import { tail } from '../exec.js';
import type { Finding, Severity, ToolRun } from '../findings.js';
import type { Logger } from '../logger.js';
import { hostUser } from './lint.js';

/** What the checker inside the Airflow container reports for one DAG file. */
export interface CheckedFile {
  path: string;
  import_seconds: number;
  status: 'ok' | 'error' | 'timeout' | 'crash';
  dags: { dag_id: string; tasks: number }[];
  local_modules: string[];
}

export interface CheckerResult {
  airflow_version: string;
  python_version: string;
  discovered: number;
  files: CheckedFile[];
  findings: { rule: string; severity: Severity; file: string; line?: number | null; message: string; detail?: string | null; dag_id?: string | null }[];
  timings: { airflow_import_seconds: number; total_seconds: number; workers: number };
}

export interface DagCheck {
  run: ToolRun;
  result: CheckerResult;
}

export interface DagCheckRequest {
  options: Options;
  image: string;
  /** Only these repo-relative DAG files; undefined = every file DagBag discovers. */
  files?: string[];
  dagshipVersion: string;
}

const REPO = '/repo';

/** Imports every DAG file with Airflow's own DagBag, inside `image`, with no network and read-only sources. */
export async function checkDags(request: DagCheckRequest, docker: DockerEngine, log: Logger): Promise<DagCheck> {
  const { options } = request;
  const dagsFolder = path.join(options.root, options.dags_folder);
  if (!existsSync(dagsFolder)) {
    throw new DagshipError(`DAG folder ${dagsFolder} does not exist`, "set 'dags_folder' in dagship.yaml to the folder with your DAG files (relative to the repository)", 'config');
  }
  const out = mkdtempSync(path.join(tmpdir(), 'dagship-check-'));
  try {
    // The container runs as the caller's uid with gid 0, like the Airflow image expects of arbitrary users.
    chmodSync(out, 0o777);
    writeFileSync(path.join(out, 'request.json'), JSON.stringify(checkerRequest(request)), { mode: 0o600 });
    const mounts = [
      { source: options.root, target: REPO },
      { source: checkerDir(), target: '/dagship' },
      { source: out, target: '/out', writable: true },
    ];
    const settings = options.check.local_settings;
    if (settings) mounts.push({ source: resolveInRepo(options, settings, 'check.local_settings'), target: '/dagship-settings/airflow_local_settings.py' });
    log.info(`check: importing DAGs from ${options.dags_folder}/ in ${request.image}`);
    const result = await docker.run({
      image: request.image,
      entrypoint: ['python'],
      cmd: ['/dagship/dagship_check.py', '--request', '/out/request.json', '--output', '/out/result.json'],
      mounts,
      user: hostUser()?.replace(/:\d+$/, ':0'),
      network: 'none',
      timeoutMs: CHECKER_DEADLINE_MS,
      maxOutputBytes: 256 * 1024,
    });
    const resultFile = path.join(out, 'result.json');
    if (!existsSync(resultFile)) {
      throw new DagshipError(
        `the DAG checker did not finish in ${request.image} (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}): ${tail(result.stderr || result.stdout, 6)}`,
        'is this an Airflow image with python on PATH? dagship supports Airflow 2.7+ and 3.x',
        'infra',
      );
    }
    const parsed = JSON.parse(readFileSync(resultFile, 'utf8')) as CheckerResult;
    return { result: parsed, run: toToolRun(parsed, request.dagshipVersion) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function checkerRequest(request: DagCheckRequest) {
  const { options } = request;
  const check = options.check;
  return {
    repo_root: REPO,
    dags_folder: path.posix.join(REPO, options.dags_folder),
    plugins_folder: path.posix.join(REPO, options.plugins_folder),
    files: request.files ?? null,
    timeout: check.timeout,
    workers: check.workers,
    slow_import_seconds: check.slow_import_seconds,
    memory_limit_mb: check.memory_limit_mb,
    local_settings: check.local_settings ? '/dagship-settings/airflow_local_settings.py' : null,
    variables: check.variables ? readJsonFile(options, check.variables, 'check.variables') : {},
    connections: check.connections ? readJsonFile(options, check.connections, 'check.connections') : {},
    missing_lookups: check.missing_lookups,
    policies: check.policies,
    max_output_bytes: 65536,
  };
}

/** A safety net only: the checker enforces each file's timeout itself, so a healthy run ends long before. */
const CHECKER_DEADLINE_MS = 60 * 60_000;

function resolveInRepo(options: Options, file: string, key: string): string {
  const full = path.resolve(options.root, file);
  if (!existsSync(full)) throw new DagshipError(`${key}: ${full} does not exist`, `fix the path of ${key} (relative to the repository, or absolute)`, 'config');
  return full;
}

/** Variables and connections in the JSON of `airflow variables export` / `airflow connections export`. */
function readJsonFile(options: Options, file: string, key: string): Record<string, unknown> {
  const full = resolveInRepo(options, file, key);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(full, 'utf8'));
  } catch (err) {
    // The parser's message can quote the file's content: never echo it, it may hold secrets.
    throw new DagshipError(`${key}: ${full} is not valid JSON`, 'export it with airflow variables export / airflow connections export', 'config', { cause: err });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DagshipError(`${key}: ${full} must be a JSON object keyed by variable key or connection id`, 'use the format of airflow variables export / connections export', 'config');
  }
  return parsed as Record<string, unknown>;
}

/** src/python beside the bundle (dist/cli.js) or beside this module (src/checks/dags.ts). */
function checkerDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const found = [path.join(here, '..', 'src', 'python'), path.join(here, '..', 'python')].find((d) => existsSync(path.join(d, 'dagship_check.py')));
  if (!found) throw new DagshipError('the DAG checker (src/python/dagship_check.py) is missing from this dagship installation', 'reinstall dagship', 'infra');
  return found;
}

function toToolRun(result: CheckerResult, version: string): ToolRun {
  const findings: Finding[] = result.findings.map((f) => ({
    tool: 'dagship',
    rule: f.rule,
    severity: f.severity,
    file: f.file,
    line: f.line ?? undefined,
    message: f.message,
    detail: f.detail ?? undefined,
    dagId: f.dag_id ?? undefined,
  }));
  return { tool: 'dagship', version, files: result.files.map((f) => f.path), findings };
}
