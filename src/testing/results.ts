import type { Finding, TestCase, ToolRun } from '../findings.js';

/** What src/python/dagship_test.py writes (result.json). */
export interface TestResult {
  airflow_version: string;
  python_version: string;
  pytest_version: string | null;
  error: string | null;
  error_code: 'no-pytest' | 'airflow' | 'internal' | null;
  tests: TestEntry[];
  dags: DagRunEntry[];
  timings: { total_seconds: number; db_seconds?: number; pytest_seconds?: number; dags_seconds?: number };
}

export interface TestEntry {
  nodeid: string;
  file: string;
  line: number | null;
  outcome: 'passed' | 'failed' | 'error' | 'skipped' | 'xfailed' | 'xpassed' | 'timeout' | 'crashed';
  when: 'setup' | 'call' | 'teardown' | 'collect';
  duration: number;
  message: string | null;
  detail: string | null;
}

export interface DagRunEntry {
  dag_id: string;
  file: string | null;
  state: 'success' | 'failed' | 'timeout' | 'crashed' | 'not_found' | 'error';
  logical_date: string | null;
  duration: number;
  message: string | null;
  tasks: TaskEntry[];
}

export interface TaskEntry {
  task_id: string;
  state: string;
  duration: number | null;
  skipped_by_dagship: boolean;
  message: string | null;
  file: string | null;
  line: number | null;
  log_tail: string | null;
}

const FAILED_TEST = new Set(['failed', 'error', 'timeout', 'crashed']);
const SKIPPED_TEST = new Set(['skipped', 'xfailed']);
const TASK_FAILED = new Set(['failed', 'timeout', 'crashed']);

/** A test's report entry: one case, and a finding when it failed. */
export function pytestRun(result: TestResult): ToolRun {
  const cases: TestCase[] = result.tests.map((t) => {
    const [file, ...rest] = t.nodeid.split('::');
    return {
      classname: (file ?? t.file).replace(/\.py$/, '').replaceAll('/', '.'),
      name: rest.join('::') || (t.when === 'collect' ? 'collection' : t.nodeid),
      file: t.file,
      line: t.line ?? undefined,
      seconds: t.duration,
      status: FAILED_TEST.has(t.outcome) ? 'failed' : SKIPPED_TEST.has(t.outcome) ? 'skipped' : 'passed',
      message: t.message ?? undefined,
      detail: t.detail ?? undefined,
    };
  });
  const findings: Finding[] = result.tests
    .filter((t) => FAILED_TEST.has(t.outcome))
    .map((t) => ({
      tool: 'pytest',
      rule: `test-${t.outcome === 'crashed' ? 'crashed' : t.outcome === 'timeout' ? 'timeout' : t.when === 'collect' ? 'collection-error' : t.outcome}`,
      severity: 'error',
      file: t.file,
      line: t.line ?? undefined,
      message: `${t.nodeid}${t.when !== 'call' && t.when !== 'collect' ? ` (${t.when})` : ''}: ${t.message ?? t.outcome}`,
      detail: t.detail ?? undefined,
    }));
  return { tool: 'pytest', version: result.pytest_version ?? '', files: [...new Set(result.tests.map((t) => t.file))], findings, cases };
}

/** The DAG runs: one case per task (one for the DAG when it never started), a finding per failure. */
export function dagRunsRun(result: TestResult, version: string, dagsFolder: string): ToolRun {
  const cases: TestCase[] = [];
  const findings: Finding[] = [];
  for (const dag of result.dags) {
    const file = dag.file ?? dagsFolder;
    const classname = `dag ${dag.dag_id}`;
    if (!dag.tasks.length) {
      cases.push({ classname, name: '(dag run)', file, seconds: dag.duration, status: dag.state === 'success' ? 'passed' : 'failed', message: dag.message ?? dag.state });
    }
    for (const task of dag.tasks) {
      const failed = TASK_FAILED.has(task.state);
      const status = task.state === 'success' ? 'passed' : failed ? 'failed' : 'skipped';
      const why = task.skipped_by_dagship ? 'skipped by dagship (skip_tasks)' : (task.message ?? task.state);
      cases.push({
        classname,
        name: task.task_id,
        file: task.file ?? file,
        line: task.line ?? undefined,
        seconds: task.duration ?? undefined,
        status,
        message: status === 'passed' ? undefined : why,
        detail: task.log_tail ?? undefined,
      });
      if (!failed) continue;
      findings.push({
        tool: 'dagship',
        rule: task.state === 'timeout' ? 'dag-run-timeout' : 'dag-run-task-failed',
        severity: 'error',
        file: task.file ?? file,
        line: task.line ?? undefined,
        message: `DAG ${dag.dag_id}: task ${task.task_id} ${task.state === 'failed' ? 'failed' : task.state}${task.message ? `: ${task.message}` : ''}`,
        detail: task.log_tail ?? undefined,
        dagId: dag.dag_id,
      });
    }
    const runFailed = dag.state !== 'success' && !dag.tasks.some((t) => TASK_FAILED.has(t.state));
    if (runFailed) {
      findings.push({ tool: 'dagship', rule: `dag-run-${dag.state.replace('_', '-')}`, severity: 'error', file, message: `DAG ${dag.dag_id}: ${dag.message ?? dag.state}`, dagId: dag.dag_id });
    }
  }
  return { tool: 'dagship', version, files: [...new Set(result.dags.map((d) => d.file ?? dagsFolder))], findings, cases };
}

/** Under the findings: what ran, and where the time went. */
export function testSummary(result: TestResult, image: string, elapsedMs: number, cached: boolean): string[] {
  const count = (outcome: string) => result.tests.filter((t) => t.outcome === outcome).length;
  const parts = ['passed', 'failed', 'error', 'timeout', 'crashed', 'skipped', 'xfailed', 'xpassed'].filter((o) => count(o)).map((o) => `${count(o)} ${o}`);
  const tests =
    result.pytest_version === null && !result.tests.length ? 'no pytest run' : `pytest ${result.pytest_version}: ${result.tests.length} result(s)${parts.length ? `, ${parts.join(', ')}` : ''}`;
  const dags = result.dags.map((d) => `${d.dag_id} ${d.state} (${d.tasks.length} task(s), ${d.duration.toFixed(1)}s)`);
  const t = result.timings;
  return [
    `Airflow ${result.airflow_version} (${image}): ${tests}${dags.length ? ` · DAG runs: ${dags.join(', ')}` : ''}`,
    `${cached ? 'reused: same image, tests and test requirements as a passing run · ' : ''}database ${(t.db_seconds ?? 0).toFixed(1)}s · pytest ${(t.pytest_seconds ?? 0).toFixed(1)}s · DAG runs ${(t.dags_seconds ?? 0).toFixed(1)}s · elapsed ${(elapsedMs / 1000).toFixed(1)}s`,
  ];
}
