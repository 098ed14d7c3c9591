import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageLayout, type Options } from '../config.js';
import type { DockerEngine } from '../engine/index.js';
import { DagshipError } from '../errors.js';
import { redact, registerLookups } from '../secrets.js';
import { tempError, withTempDir } from '../temp.js';
import { tail } from '../text.js';
import type { Severity } from '../findings.js';
import { placements } from '../layout.js';
import { hostUser } from './lint.js';

/** What the checker inside the Airflow container reports for one DAG file. */
export interface CheckedFile {
  path: string;
  import_seconds: number;
  status: 'ok' | 'error' | 'timeout' | 'crash';
  dags: { dag_id: string; tasks: number; line?: number | null }[];
  local_modules: string[];
  /** The file's own stdout/stderr during the import, when it printed anything. */
  output?: string | null;
}

export interface CheckerFinding {
  rule: string;
  severity: Severity;
  file: string;
  line?: number | null;
  message: string;
  detail?: string | null;
  dag_id?: string | null;
}

export interface CheckerResult {
  airflow_version: string;
  python_version: string;
  discovered: number;
  files: CheckedFile[];
  findings: CheckerFinding[];
  skipped: string[];
  error?: string | null;
  /** Speed-ups that failed and were done without (the check itself went on): debug lines. */
  degraded?: string[];
  timings: {
    airflow_import_seconds: number;
    total_seconds: number;
    workers: number;
    cgroup?: { cpu_seconds?: number; peak_memory_bytes?: number } | null;
    /** Files whose result came from the cache (set by dagship, not the checker). */
    cached?: number;
  };
}

const SETTINGS = '/dagship-settings/airflow_local_settings.py';
/** A safety net only: the checker enforces each file's timeout itself, so a healthy run ends long before. */
const CHECKER_DEADLINE_MS = 60 * 60_000;

/**
 * The request src/python/dagship_check.py reads; `files` undefined means every discovered DAG file. The
 * same for the repository's files and for those baked into an image: the checker sees them where the
 * image has them (image_layout), with the same import path, and `roots` maps its paths back to the
 * repository's.
 */
export function checkerRequest(options: Options, files?: string[]) {
  const check = options.check;
  const layout = imageLayout(options);
  return {
    roots: Object.fromEntries(placements(options).map((p) => [p.target, p.source])),
    dags_folder: layout.dags,
    plugins_folder: layout.plugins,
    python_path: layout.pythonPath,
    files: files ?? null,
    timeout: check.timeout,
    workers: check.workers,
    slow_import_seconds: check.slow_import_seconds,
    memory_limit_mb: check.memory_limit_mb,
    local_settings: check.local_settings ? SETTINGS : null,
    variables: check.variables ? readJsonObject(options, check.variables, 'check.variables') : {},
    connections: check.connections ? readJsonObject(options, check.connections, 'check.connections') : {},
    missing_lookups: check.missing_lookups,
    policies: check.policies,
    max_output_bytes: 65536,
  };
}

/**
 * Runs the checker in `image`: no network, results through a scratch folder. Unless the files are `baked`
 * into the image, each repository folder of the request's roots is mounted read-only where the image
 * would have it.
 */
export async function runChecker(options: Options, image: string, request: ReturnType<typeof checkerRequest>, docker: DockerEngine, baked = false): Promise<CheckerResult> {
  // The request holds the Variables and Connections: a private folder (0700, the file 0600), removed on
  // every way out, a signal included. The container runs as the caller's uid, so it can still read it.
  return withTempDir('dagship-check-', async (out) => {
    try {
      writeFileSync(path.join(out, 'request.json'), JSON.stringify(request), { mode: 0o600 });
    } catch (err) {
      throw tempError(err) ?? err;
    }
    const repository = Object.entries(request.roots).map(([target, source]) => ({ source: path.join(options.root, source), target }));
    const mounts = [...(baked ? [] : repository), { source: checkerDir(), target: '/dagship' }, { source: out, target: '/out', writable: true }];
    const settings = options.check.local_settings;
    if (settings) mounts.push({ source: resolveInRepo(options, settings, 'check.local_settings'), target: SETTINGS });
    const run = await docker.run({
      image,
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
        `the DAG checker did not finish in ${image} (exit ${run.exitCode}${run.timedOut ? ', timed out' : ''}): ${redact(tail(run.stderr || run.stdout, 6))}`,
        'is this an Airflow image (2.7+ or 3.x) with python on PATH?',
        'infra',
      );
    }
    // The checker masks provided values itself; every other form they take is masked here, before the
    // result reaches the cache or any report.
    const result = redactResult(JSON.parse(readFileSync(resultFile, 'utf8')) as CheckerResult);
    if (result.error) {
      const settingsBroken = /local_settings/.test(result.error);
      throw new DagshipError(
        `the DAG check could not run in ${image}: ${result.error}`,
        settingsBroken ? 'fix the airflow_local_settings.py given as check.local_settings' : 'check that the image runs Airflow: docker run --rm IMAGE airflow version',
        settingsBroken ? 'config' : 'infra',
      );
    }
    return result;
  });
}

export function resolveInRepo(options: Options, file: string, key: string): string {
  const full = path.resolve(options.root, file);
  if (!existsSync(full)) throw new DagshipError(`${key}: ${full} does not exist`, `fix the path of ${key} (relative to the repository, or absolute)`, 'config');
  if (!statSync(full).isFile()) throw new DagshipError(`${key}: ${full} is a folder, not a file`, `point ${key} at the file itself`, 'config');
  return full;
}

/** Variables and connections in the JSON of `airflow variables export` / `airflow connections export`. */
export function readJsonObject(options: Options, file: string, key: string): Record<string, unknown> {
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
  registerLookups(parsed);
  return parsed as Record<string, unknown>;
}

/** Where DAG code can put a value (its output, messages, computed dag ids); never paths, which key the cache. */
function redactResult(result: CheckerResult): CheckerResult {
  const text = <T extends string | null | undefined>(value: T) => (value ? redact(value) : value) as T;
  return {
    ...result,
    error: text(result.error),
    files: result.files.map((f) => ({ ...f, output: text(f.output), dags: f.dags.map((d) => ({ ...d, dag_id: redact(d.dag_id) })) })),
    findings: result.findings.map((f) => ({ ...f, message: redact(f.message), detail: text(f.detail), dag_id: text(f.dag_id) })),
  };
}

/** src/python beside the bundle (dist/cli.js) or beside this module (src/checks/checker.ts). */
export function checkerDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const found = [path.join(here, '..', 'src', 'python'), path.join(here, '..', 'python')].find((d) => existsSync(path.join(d, 'dagship_check.py')));
  if (!found) throw new DagshipError('the DAG checker (src/python/dagship_check.py) is missing from this dagship installation', 'reinstall dagship', 'infra');
  return found;
}
