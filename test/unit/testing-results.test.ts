import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toJunit } from '../../src/report/junit.js';
import { toSarif } from '../../src/report/sarif.js';
import { dagRunsRun, pytestRun, testSummary, type TestResult } from '../../src/testing/results.js';

/** Recorded from the real runner (src/python/dagship_test.py) in the test images: test/fixtures/testing/results. */
const recorded = (name: string) => JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/testing/results', `${name}.json`), 'utf8')) as TestResult;

describe.each(['airflow2', 'airflow3'])('results of the broken fixture on %s', (airflow) => {
  const result = recorded(`repo-broken-${airflow}`);

  it('makes each failed, timed-out, crashed or uncollectable test a finding at its file and line', () => {
    const run = pytestRun(result);
    const byRule = Object.fromEntries(
      run.findings.map((f) => [f.message.split(':')[0] + (f.message.includes('::') ? `::${f.message.split('::')[1]!.split(':')[0]}` : ''), `${f.rule} ${f.file}:${f.line ?? '-'}`]),
    );
    expect(byRule).toEqual({
      'tests/test_pipeline_imports.py': 'test-collection-error tests/test_pipeline_imports.py:-',
      'tests/test_basics.py::test_discount_is_applied': 'test-failed tests/test_basics.py:7',
      'tests/test_isolation.py::test_waits_for_a_server_that_never_answers': 'test-timeout tests/test_isolation.py:9',
      'tests/test_isolation.py::test_leaves_the_interpreter': 'test-crashed tests/test_isolation.py:13',
      'tests/test_isolation.py::test_loads_everything_into_memory': 'test-failed tests/test_isolation.py:18',
    });
    expect(run.cases?.filter((c) => c.status === 'passed').map((c) => c.name)).toEqual(['test_total', 'test_names', 'test_before_the_trouble', 'test_after_the_trouble']);
  });

  it('makes each failed or timed-out task a finding, a missing DAG one too, and a case of every task', () => {
    const run = dagRunsRun(result, '0.1.0', 'dags');
    expect(run.findings.map((f) => `${f.rule} ${f.file}:${f.line ?? '-'} ${f.message.split(':')[0]}`)).toEqual([
      'dag-run-task-failed dags/broken_etl.py:26 DAG broken_etl',
      'dag-run-timeout dags/stuck_sensor.py:- DAG stuck_sensor',
      'dag-run-not-found dags:- DAG no_such_dag',
    ]);
    const status = Object.fromEntries(run.cases!.map((c) => [`${c.classname}::${c.name}`, `${c.status}${c.message ? ` (${c.message})` : ''}`]));
    expect(status['dag broken_etl::load']).toBe('skipped (upstream_failed)');
    expect(status['dag stuck_sensor::wait_for_file']).toMatch(/^failed \(the DAG run did not finish/);
    expect(status['dag stuck_sensor::publish']).toBe('skipped (not_run)');
    expect(status['dag export_orders::upload_to_s3']).toBe('skipped (skipped by dagship (skip_tasks))');
    expect(status['dag no_such_dag::(dag run)']).toMatch(/^failed/);
  });

  it('gives JUnit a case per test and per task, and SARIF only the failures with a line', () => {
    const runs = [pytestRun(result), dagRunsRun(result, '0.1.0', 'dags')];
    const junit = toJunit(runs, 'error');
    expect(junit).toContain('<testsuite name="pytest" tests="9" failures="5" errors="0" skipped="0">');
    expect(junit).toMatch(/<testcase classname="dag broken_etl" name="transform" file="dags\/broken_etl.py" line="26"[^>]*><failure message="ValueError/);
    const sarif = toSarif(runs, new Map());
    expect(sarif.runs.flatMap((r) => r.results ?? []).every((r) => r.locations?.[0]?.physicalLocation?.region?.startLine)).toBe(true);
    expect(sarif.runs[0]!.results).toHaveLength(4);
  });

  it('sums up what ran', () => {
    expect(testSummary(result, 'img', 1000, false)[0]).toMatch(
      /^Airflow \d\.\d+\.\d+ \(img\): pytest 8\.3\.5: 9 result\(s\), 4 passed, 2 failed, 1 error, 1 timeout, 1 crashed · DAG runs: broken_etl failed/,
    );
  });
});
