import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { globSync } from 'glob';
import type { Options } from '../config.js';
import type { ImageEngine } from '../engine/index.js';
import { DagshipError } from '../errors.js';
import type { ToolRun } from '../findings.js';
import type { Logger } from '../logger.js';
import { hashText } from '../checks/check-cache.js';
import { checkerDir } from '../checks/checker.js';
import { checkerHash } from '../checks/dags.js';
import { hostUser } from '../checks/lint.js';
import { contentKey } from '../image/keyed-build.js';
import { redact, redactDeep } from '../secrets.js';
import { tempError, withTempDir } from '../temp.js';
import { tail } from '../text.js';
import { DB_TEMPLATE, testEnvImage, testRequirementsFile } from './env-image.js';
import { dagRuns, repositoryMounts, runnerRequest, testPaths, type DagRunSpec } from './request.js';
import { dagRunsRun, pytestRun, testSummary, type TestResult } from './results.js';

export interface TestRequest {
  options: Options;
  /** The built image under ship (its DAGs are what the tests see), else the Airflow image. */
  image: string;
  baked: boolean;
  /** --dag ids; undefined: test.dags. */
  dags?: string[];
  dagshipVersion: string;
  /** Folder of the result cache; undefined turns it off. */
  cacheDir?: string;
}

export interface TestOutcome {
  runs: ToolRun[];
  result: TestResult;
  summary: string[];
}

/** A safety net over the runner's own limits (suite and DAG timeouts), which end a healthy run long before. */
const SLACK_MS = 10 * 60_000;

/** What `dagship test` would run: undefined when the repository has no tests and no DAG runs are asked for. */
export function plannedTests(options: Options, dags?: string[]): { paths: string[]; dags: DagRunSpec[] } | undefined {
  const paths = testPaths(options);
  const runs = dagRuns(options, dags);
  return paths.length || runs.length ? { paths, dags: runs } : undefined;
}

/**
 * The team's pytest suite and DAG runs inside `image` plus the test requirements (a cached layer over it,
 * never the image that ships): the repository read-only, no network unless test.network, a throwaway
 * AIRFLOW_HOME with a migrated database. A passing result is reused while the image, the repository's
 * files and the test requirements are the same.
 */
export async function runTests(request: TestRequest, engine: ImageEngine, log: Logger): Promise<TestOutcome | undefined> {
  const { options } = request;
  const planned = plannedTests(options, request.dags);
  if (!planned) return undefined;
  const started = Date.now();
  const image = await engine.inspect(request.image);
  if (!image) throw new DagshipError(`image ${request.image} is not on the Docker Engine`, `pull it (docker pull ${request.image}) or build it, then run again`, 'config');
  const body = runnerRequest({ options, baked: request.baked, paths: planned.paths, dags: planned.dags, dbTemplate: DB_TEMPLATE });
  const key = resultKey(options, image.id, body, request.baked);
  const cached = request.cacheDir ? readCached(request.cacheDir, key) : undefined;
  if (cached) {
    log.info(`test: same image, tests and test requirements as a passing run: result reused (--no-cache runs them again)`);
    return outcomeOf(cached, request, Date.now() - started, true);
  }
  const env = await testEnvImage(options, engine, image, log);
  const what = [planned.paths.length ? `pytest ${planned.paths.join(' ')}` : '', planned.dags.length ? `DAG run(s) ${planned.dags.map((d) => d.dag_id).join(', ')}` : ''].filter(Boolean);
  log.info(`test: ${what.join(' and ')} in ${request.image}${request.baked ? ' (its baked DAGs)' : ''}, network ${options.test.network ? 'host' : 'none'}`);
  const result = await runRunner(request, env.ref, body, engine, log);
  if (result.error) {
    const noPytest = result.error_code === 'no-pytest';
    throw new DagshipError(
      `the tests could not run in ${request.image}: ${result.error}`,
      noPytest
        ? `add pytest (and its plugins) to ${options.test.requirements}, or set test.requirements to the file that lists them`
        : 'check that the image runs Airflow: docker run --rm IMAGE airflow version',
      noPytest ? 'config' : 'infra',
    );
  }
  const outcome = outcomeOf(result, request, Date.now() - started, false);
  if (request.cacheDir && outcome.runs.every((r) => !r.findings.length)) writeCached(request.cacheDir, key, result);
  return outcome;
}

function outcomeOf(result: TestResult, request: TestRequest, elapsedMs: number, cached: boolean): TestOutcome {
  const runs = [...(result.tests.length || result.pytest_version ? [pytestRun(result)] : []), ...(result.dags.length ? [dagRunsRun(result, request.dagshipVersion, request.options.dags_folder)] : [])];
  return { runs, result, summary: testSummary(result, request.image, elapsedMs, cached) };
}

async function runRunner(request: TestRequest, envRef: string, body: ReturnType<typeof runnerRequest>, engine: ImageEngine, log: Logger): Promise<TestResult> {
  const { options } = request;
  return withTempDir('dagship-test-', async (out) => {
    try {
      // The request holds the Variables and Connections: 0600 in a 0700 folder, removed on every way out.
      writeFileSync(path.join(out, 'request.json'), JSON.stringify(body), { mode: 0o600 });
    } catch (err) {
      throw tempError(err) ?? err;
    }
    let partial = '';
    const show = (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log.info(`  ${redact(line)}`);
    };
    const dagSeconds = body.dags.reduce((n, d) => n + d.timeout, 0);
    const run = await engine.run({
      image: envRef,
      entrypoint: ['python'],
      cmd: ['/dagship/dagship_test.py', '--request', '/out/request.json', '--output', '/out/result.json'],
      mounts: [...repositoryMounts(options, request.baked), { source: checkerDir(), target: '/dagship' }, { source: out, target: '/out', writable: true }],
      user: hostUser()?.replace(/:\d+$/, ':0'),
      network: options.test.network ? 'host' : 'none',
      timeoutMs: (options.test.suite_timeout + dagSeconds) * 1000 + SLACK_MS,
      maxOutputBytes: 1024 * 1024,
      onOutput: show,
    });
    const resultFile = path.join(out, 'result.json');
    if (!existsSync(resultFile)) {
      throw new DagshipError(
        `the test runner did not finish in ${request.image} (exit ${run.exitCode}${run.timedOut ? ', timed out' : ''}): ${redact(tail(run.stderr || run.stdout, 6))}`,
        'is this an Airflow image (2.7+ or 3.x) with python on PATH?',
        'infra',
      );
    }
    return redactDeep(JSON.parse(readFileSync(resultFile, 'utf8')) as TestResult);
  });
}

/**
 * The reuse key: the image (by ID), the runner, the request, the test requirements, and every file of the
 * repository the container sees (under ship the baked folders are the image's, already in its ID).
 */
function resultKey(options: Options, imageId: string, body: ReturnType<typeof runnerRequest>, baked: boolean): string {
  // Local environments and tool caches change nothing the container runs (it has its own Python).
  const ignore = ['.git/**', '**/__pycache__/**', 'node_modules/**', '.venv/**', 'venv/**', '.tox/**', '.mypy_cache/**', '.pytest_cache/**', '.ruff_cache/**'];
  const files = globSync('**/*', { cwd: options.root, posix: true, nodir: true, dot: true, ignore }).sort();
  const requirements = testRequirementsFile(options);
  return contentKey(
    imageId,
    String(baked),
    JSON.stringify(body),
    requirements ? readFileSync(requirements) : '',
    checkerHash(),
    files.map((f) => `${f}\0${hashText(readFileSync(path.join(options.root, f)))}`).join('\n'),
  );
}

function readCached(dir: string, key: string): TestResult | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'test', `${key}.json`), 'utf8')) as TestResult;
  } catch {
    return undefined;
  }
}

function writeCached(dir: string, key: string, result: TestResult): void {
  const target = path.join(dir, 'test', `${key}.json`);
  try {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(`${target}.${process.pid}.partial`, JSON.stringify(result));
    renameSync(`${target}.${process.pid}.partial`, target);
  } catch {
    // A cache that cannot be written costs the next run its speed, nothing else.
  }
}
