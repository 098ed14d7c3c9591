import { existsSync, readFileSync } from 'node:fs';
import { globSync } from 'glob';
import path from 'node:path';
import type { Options } from '../config.js';
import type { DockerEngine } from '../engine/index.js';
import { DagshipError } from '../errors.js';
import type { Finding, ToolRun } from '../findings.js';
import type { Logger } from '../logger.js';
import { openCheckCache, hashText, type CheckCache } from './check-cache.js';
import { checkerDir, checkerRequest, runChecker, type CheckedFile, type CheckerFinding, type CheckerResult } from './checker.js';
import { refuseAllIgnored, refuseEmptyDagFolder } from './empty-dags.js';
import { listDagFolderFiles } from './files.js';

export type { CheckedFile, CheckerFinding, CheckerResult } from './checker.js';

export interface DagCheck {
  run: ToolRun;
  result: CheckerResult;
}

export interface DagCheckRequest {
  options: Options;
  image: string;
  /** Only these repo-relative DAG-folder files; undefined = every file in the DAG folder. */
  files?: string[];
  dagshipVersion: string;
  /** Folder of the result cache; undefined turns the cache off. */
  cacheDir?: string;
  /** Check the DAGs baked into `image` (a dagship build) rather than the repository's files. */
  baked?: boolean;
}

/**
 * Imports every DAG file with Airflow's own DagBag inside `image` (no network, read-only sources),
 * reusing cached results for files whose content and local imports did not change.
 */
export async function checkDags(request: DagCheckRequest, docker: DockerEngine, log: Logger): Promise<DagCheck> {
  const { options } = request;
  const dagsFolder = path.join(options.root, options.dags_folder);
  if (!existsSync(dagsFolder)) {
    throw new DagshipError(`DAG folder ${dagsFolder} does not exist`, "set 'dags_folder' in dagship.yaml to the folder with your DAG files (relative to the repository)", 'config');
  }
  if (request.baked) return checkBaked(request, docker, log);
  const all = await listDagFolderFiles(options.root, options.dags_folder);
  refuseEmptyDagFolder(options, all.length);
  const candidates = request.files ?? all;
  const cache = request.cacheDir ? await openCache(request, docker) : undefined;
  const hits = new Map(candidates.flatMap((f) => (cache?.get(f) ? [[f, cache.get(f)!]] : [])));
  const misses = candidates.filter((f) => !hits.has(f));
  log.info(`check: ${candidates.length} file(s) in ${options.dags_folder}/, ${hits.size} unchanged since a cached run; importing ${misses.length} in ${request.image}`);

  const needRun = misses.length > 0 || !cache?.meta();
  // Always name the files: the checker then says which of them Airflow does not list as DAG files.
  const fresh = needRun ? await runChecker(options, request.image, checkerRequest(options, misses), docker) : undefined;
  logDegraded(fresh, log);
  // Airflow's own listing (.airflowignore, safe mode) counts the whole folder, whichever files were asked for.
  if (fresh) refuseAllIgnored(options, fresh.discovered, all.length);
  if (fresh && cache) store(cache, fresh, misses);

  const cached = [...hits.values()];
  const blamed = blameDuplicates([...cached.flatMap((e) => (e.file ? [e.file] : [])), ...(fresh?.files ?? [])]);
  const files = blamed.files;
  const findings = [...cached.flatMap((e) => e.findings), ...(fresh?.findings ?? []), ...blamed.findings];
  const meta = fresh ?? cache!.meta()!;
  const result: CheckerResult = {
    airflow_version: meta.airflow_version,
    python_version: meta.python_version,
    discovered: fresh?.discovered ?? files.length,
    files,
    findings,
    skipped: [...(fresh?.skipped ?? []), ...candidates.filter((f) => hits.has(f) && !hits.get(f)!.file)],
    timings: { ...(fresh?.timings ?? { airflow_import_seconds: 0, total_seconds: 0, workers: 0 }), cached: hits.size },
  };
  return { result, run: toToolRun(result, request.dagshipVersion) };
}

/**
 * What was tested is what ships: the files inside the built image, with the image's own packages. No
 * cache is needed, the image ID already changes with every baked byte.
 */
async function checkBaked(request: DagCheckRequest, docker: DockerEngine, log: Logger): Promise<DagCheck> {
  log.info(`check: importing the DAGs baked into ${request.image}`);
  const fresh = await runChecker(request.options, request.image, checkerRequest(request.options), docker, true);
  logDegraded(fresh, log);
  refuseAllIgnored(request.options, fresh.discovered);
  const blamed = blameDuplicates(fresh.files);
  const result = { ...fresh, files: blamed.files, findings: [...fresh.findings, ...blamed.findings] };
  return { result, run: toToolRun(result, request.dagshipVersion) };
}

function logDegraded(result: CheckerResult | undefined, log: Logger): void {
  for (const line of result?.degraded ?? []) log.debug(`check: ${line}`);
}

/** The cache scope: the image (by ID), the checker, and every setting that changes how files import. */
async function openCache(request: DagCheckRequest, docker: DockerEngine): Promise<CheckCache> {
  const { options } = request;
  const image = await docker.image(request.image);
  if (!image) throw new DagshipError(`image ${request.image} is not on the Docker Engine`, `pull it (docker pull ${request.image}) or build it, then run again`, 'config');
  const settings = options.check.local_settings ? readFileSync(path.resolve(options.root, options.check.local_settings)) : '';
  const ignore = path.join(options.root, options.dags_folder, '.airflowignore');
  const scope = JSON.stringify({
    image: image.id,
    checker: checkerHash(),
    request: hashText(JSON.stringify(checkerRequest(options))),
    settings: hashText(settings),
    airflowignore: existsSync(ignore) ? hashText(readFileSync(ignore)) : '',
    root: options.root,
  });
  return openCheckCache(request.cacheDir!, scope, options.root);
}

/** Every Python file of the checker and the test runner: a change to any of them must invalidate cached results. */
export function checkerHash(): string {
  const dir = checkerDir();
  const files = globSync('**/*.py', { cwd: dir, posix: true }).sort();
  return hashText(files.map((f) => `${f}\0${hashText(readFileSync(path.join(dir, f)))}`).join('\n'));
}

/** Timeouts and crashes are not cached: they can depend on the machine's load, not only on the file. */
function store(cache: CheckCache, result: CheckerResult, requested: string[]): void {
  cache.putMeta({ airflow_version: result.airflow_version, python_version: result.python_version });
  const byPath = new Map(result.files.map((f) => [f.path, f]));
  for (const file of requested) {
    const checked = byPath.get(file);
    if (checked && (checked.status === 'ok' || checked.status === 'error')) {
      const findings = result.findings.filter((f) => f.file === file);
      cache.put(file, { file: checked, findings }, checked.local_modules);
    } else if (!checked && result.skipped.includes(file)) {
      cache.put(file, { findings: [] }, []);
    }
  }
}

/**
 * A dag_id defined by more than one file, blamed as Airflow's DagBag blames it: the first file in
 * Airflow's order owns it, each later file gets the finding and loses that DAG (it is not counted).
 */
export function blameDuplicates(checked: CheckedFile[]): { files: CheckedFile[]; findings: CheckerFinding[] } {
  const files = [...checked].sort((a, b) => airflowOrder(a.path, b.path));
  const owner = new Map<string, string>();
  const findings: CheckerFinding[] = [];
  const kept = files.map((file) => {
    const dags = file.dags.filter((dag) => {
      const first = owner.get(dag.dag_id);
      if (first === undefined) {
        owner.set(dag.dag_id, file.path);
        return true;
      }
      const message = `DAG id '${dag.dag_id}' is defined in both ${first} and ${file.path}`;
      findings.push({ rule: 'dag-duplicate-id', severity: 'error', file: file.path, line: dag.line ?? null, message, dag_id: dag.dag_id });
      return false;
    });
    return dags.length === file.dags.length ? file : { ...file, dags, status: 'error' as const };
  });
  return { files: kept, findings };
}

/**
 * Airflow lists DAG files with os.walk: a folder's files before its subfolders'. Within a folder it takes
 * the file system's listing order, which differs between a checkout and an image layer; dagship takes
 * the names' order there, so check and ship blame the same file.
 */
export function airflowOrder(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; ; i++) {
    const leftIsFile = i === left.length - 1;
    const rightIsFile = i === right.length - 1;
    if (leftIsFile !== rightIsFile) return leftIsFile ? -1 : 1;
    if (left[i] !== right[i]) return left[i]! < right[i]! ? -1 : 1;
    if (leftIsFile) return 0;
  }
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
