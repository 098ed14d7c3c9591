import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRegistry } from '../../src/registry/index.js';
import { dagship, gitRepoWith } from './cli.js';
import { imagesMade, removeImages } from './images.js';
import { infra } from './infra.js';

const env = infra();
const { docker, made } = imagesMade(env);
afterAll(async () => {
  await removeImages(docker, made);
});

/** Both Airflow majors: @dag/@task from the task SDK on 3, from airflow.decorators on 2. */
const DECORATORS = `try:
    from airflow.sdk import Variable, dag, task
except ImportError:  # Airflow 2
    from airflow.decorators import dag, task
    from airflow.models import Variable`;

const PARTNER_EXPORT = `"""Exports the day's partner file: extract, then format, then upload to the partner's bucket."""

from __future__ import annotations

import pendulum

${DECORATORS}

from common.dates import fiscal_quarter


@dag(dag_id="partner_export", schedule="@daily", start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False, tags=["partners"])
def partner_export():
    @task
    def extract() -> list[int]:
        return [1, 2, 3]

    @task
    def format_rows(rows: list[int]) -> str:
        bucket = Variable.get("partner_bucket")
        print(f"formatting {len(rows)} rows for {bucket}, quarter {fiscal_quarter(4)}")
        return f"{bucket}/export.csv"

    @task
    def upload(target: str) -> None:
        raise RuntimeError(f"must not run in a test: it would write to {target}")

    upload(format_rows(extract()))


partner_export()
`;

/** A team repository whose tests pass, with one DAG run whose upload is skipped. */
const TEAM = {
  'requirements-dev.txt': 'pytest==8.3.5\n',
  'pytest.ini': '[pytest]\naddopts = -ra\n',
  'ci/variables.json': '{"partner_bucket": "s3://partner-drop-7f3a"}\n',
  'dags/common/__init__.py': '',
  'dags/common/dates.py': 'def fiscal_quarter(month: int) -> int:\n    return (month - 1) // 3 + 1\n',
  'dags/partner_export.py': PARTNER_EXPORT,
  'tests/conftest.py': `import os\nimport sys\n\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "dags"))\n`,
  'tests/test_dags.py': `def test_dags_import():
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:
        from airflow.models import DagBag
    bag = DagBag()
    assert bag.import_errors == {}
    assert "partner_export" in bag.dag_ids
`,
  'tests/test_dates.py': 'from common.dates import fiscal_quarter\n\n\ndef test_fiscal_quarter():\n    assert fiscal_quarter(4) == 2\n',
  // A session fixture is set up once for the suite, as in a plain pytest run (a DagBag parsed once).
  'tests/test_session.py': `import pytest

SEEN = []


@pytest.fixture(scope="session")
def parsed():
    return object()


def test_first(parsed):
    SEEN.append(id(parsed))


def test_second(parsed):
    SEEN.append(id(parsed))
    assert SEEN == [id(parsed)] * 2
`,
};

// Retries as a team sets them: a DAG run must still end at the failure, not wait out the retry delay.
const SECOND_FAILS = `from datetime import timedelta

import pendulum

${DECORATORS}


@dag(dag_id="second_fails", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), default_args={"retries": 2, "retry_delay": timedelta(minutes=5)})
def second_fails():
    @task
    def first() -> int:
        return 1

    @task
    def second(value: int) -> int:
        print("about to fail")
        raise ValueError(f"the partner file has {value} row(s), expected at least 2")

    @task
    def third(value: int) -> None:
        print(value)

    third(second(first()))


second_fails()
`;

const HANGS = `import time

import pendulum

${DECORATORS}


@dag(dag_id="hangs", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"))
def hangs():
    @task
    def wait_for_partner() -> None:
        time.sleep(3600)

    wait_for_partner()


hangs()
`;

/** The same repository with a failing assertion, a missing helper, a hang, an exit, a memory hog, a failing and a hanging DAG. */
const BROKEN = {
  ...TEAM,
  'tests/test_broken.py': `import os
import time

from common.dates import fiscal_quarter


def test_assertion():
    assert fiscal_quarter(4) == 3


def test_hangs():
    time.sleep(3600)


def test_exits_the_interpreter():
    os._exit(3)


def test_exhausts_memory():
    hog = bytearray(8 * 1024 * 1024 * 1024)
    assert hog


def test_after_the_others():
    assert fiscal_quarter(12) == 4
`,
  'tests/test_missing_helper.py': 'from common.not_in_this_repository import partner_name\n\n\ndef test_partner_name():\n    assert partner_name()\n',
  'dags/second_fails.py': SECOND_FAILS,
  'dags/hangs.py': HANGS,
};

function repo(image: string, files: Record<string, string>, test: string, more = ''): string {
  return gitRepoWith({
    ...files,
    'dagship.yaml': `base_image: ${image}\ntools_image: ${env.toolsImage}\ncheck:\n  variables: ci/variables.json\ntest:\n${test}${more}`,
  });
}

const out = () => mkdtempSync(path.join(tmpdir(), 'dagship-test-reports-'));
const cases = (junit: string) =>
  [...junit.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*>(<failure|<skipped)?/g)].map(
    (m) => `${m[1]}::${m[2]} ${m[3] === '<failure' ? 'failed' : m[3] === '<skipped' ? 'skipped' : 'passed'}`,
  );

describe.each([
  ['Airflow 3', () => env.airflow3Image],
  ['Airflow 2', () => env.airflow2Image],
])('dagship test on %s', (_name, image) => {
  it('runs a passing suite and a DAG run with a skipped upload, the Variable from the file, the bucket masked', async () => {
    const dir = repo(image(), TEAM, '  dags:\n    - dag_id: partner_export\n      skip_tasks: [upload]\n');
    const reports = out();
    const result = await dagship(['test', dir, '--junit', path.join(reports, 'junit.xml'), '--json', path.join(reports, 'report.json')]);
    expect(result.stderr + result.stdout).not.toContain('partner-drop-7f3a');
    expect(result.exitCode, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/pytest 8\.3\.5: 4 result\(s\), 4 passed · DAG runs: partner_export success \(3 task\(s\)/);
    const junit = readFileSync(path.join(reports, 'junit.xml'), 'utf8');
    expect(cases(junit)).toEqual([
      'tests.test_dags::test_dags_import passed',
      'tests.test_dates::test_fiscal_quarter passed',
      'tests.test_session::test_first passed',
      'tests.test_session::test_second passed',
      'dag partner_export::extract passed',
      'dag partner_export::format_rows passed',
      'dag partner_export::upload skipped',
    ]);
    expect(junit).toContain('skipped by dagship (skip_tasks)');
    // The task's log, the Variable's value masked.
    const report = JSON.parse(readFileSync(path.join(reports, 'report.json'), 'utf8')) as { dags: { tasks: { task_id: string; log_tail: string | null }[] }[] };
    expect(report.dags[0]!.tasks.find((t) => t.task_id === 'format_rows')!.log_tail).toMatch(/formatting 3 rows for \*\*\*/);
  });

  it('reports each broken test and DAG run as its own failure, and the rest of the suite still runs', async () => {
    const dir = repo(image(), BROKEN, '  timeout: 5s\n  memory_limit_mb: 2048\n  dags:\n    - dag_id: second_fails\n      timeout: 90s\n    - dag_id: hangs\n      timeout: 25s\n');
    const reports = out();
    const result = await dagship(['test', dir, '--junit', path.join(reports, 'junit.xml'), '--sarif', path.join(reports, 'test.sarif')]);
    const all = result.stdout + result.stderr;
    expect(result.exitCode, all).toBe(1);
    // Each failure as a finding at its file and line.
    expect(all).toMatch(/^tests\/test_broken\.py$/m);
    expect(all).toMatch(/8:1\s+error\s+pytest test-failed\s+tests\/test_broken\.py::test_assertion: assert 2 == 3/);
    expect(all).toMatch(/pytest test-timeout\s+tests\/test_broken\.py::test_hangs: .*5/);
    expect(all).toMatch(/pytest test-crashed\s+tests\/test_broken\.py::test_exits_the_interpreter: .*exit code 3/);
    expect(all).toMatch(/pytest test-failed\s+tests\/test_broken\.py::test_exhausts_memory: .*MemoryError/);
    expect(all).toMatch(/pytest test-collection-error\s+tests\/test_missing_helper\.py: .*No module named 'common\.not_in_this_repository'/);
    expect(all).toMatch(/dagship dag-run-task-failed\s+DAG second_fails: task second failed: ValueError: the partner file has 1 row\(s\), expected at least 2/);
    expect(all).toMatch(/dagship dag-run-timeout\s+DAG hangs: task wait_for_partner/);
    const junit = cases(readFileSync(path.join(reports, 'junit.xml'), 'utf8'));
    expect(junit).toEqual(
      expect.arrayContaining([
        'tests.test_broken::test_after_the_others passed',
        'tests.test_dates::test_fiscal_quarter passed',
        'dag second_fails::first passed',
        'dag second_fails::second failed',
        'dag hangs::wait_for_partner failed',
      ]),
    );
    expect(junit.find((c) => c.startsWith('dag second_fails::third'))).toMatch(/skipped/);
    // SARIF: the failures that have a place.
    const sarif = JSON.parse(readFileSync(path.join(reports, 'test.sarif'), 'utf8')) as {
      runs: { results: { ruleId: string; locations: { physicalLocation: { region?: { startLine: number } } }[] }[] }[];
    };
    const assertion = sarif.runs.flatMap((r) => r.results).find((r) => r.ruleId === 'test-failed');
    expect(assertion?.locations[0]?.physicalLocation.region?.startLine).toBe(8);
  });
});

describe('dagship test and ship', () => {
  it('reuses a passing result until a test file changes', async () => {
    const dir = repo(env.airflow3Image, TEAM, '  paths: [tests]\n');
    const cache = { DAGSHIP_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'dagship-test-cache-')) };
    expect((await dagship(['test', dir], { env: cache })).exitCode).toBe(0);
    const again = await dagship(['test', dir], { env: cache });
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('result reused');
    writeFileSync(path.join(dir, 'tests/test_dates.py'), 'from common.dates import fiscal_quarter\n\n\ndef test_fiscal_quarter():\n    assert fiscal_quarter(4) == 3\n');
    const changed = await dagship(['test', dir], { env: cache });
    expect(changed.stderr).not.toContain('result reused');
    expect(changed.exitCode).toBe(1);
  });

  it('says what to do when there is nothing to test, or pytest is missing (exit 2)', async () => {
    const none = await dagship([
      'test',
      repo(env.airflow3Image, { 'dags/common/__init__.py': '', 'dags/common/dates.py': '', 'dags/partner_export.py': PARTNER_EXPORT, 'ci/variables.json': '{}' }, '  dags: []\n'),
    ]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/nothing to test/);
    const { 'requirements-dev.txt': _dev, ...noPytest } = TEAM;
    const missing = await dagship(['test', repo(env.airflow3Image, noPytest, '  dags: []\n')]);
    expect(missing.exitCode, missing.stderr).toBe(2);
    expect(missing.stderr).toMatch(/hint: add pytest .*requirements-dev\.txt/);
  });

  it('ship stops at the test gate: the image is built and checked, a test fails, nothing is pushed', async () => {
    const repository = `${env.registry}/dagship-test/testgate-${randomBytes(4).toString('hex')}`;
    const files = { ...TEAM, 'tests/test_dates.py': 'from common.dates import fiscal_quarter\n\n\ndef test_fiscal_quarter():\n    assert fiscal_quarter(4) == 3\n' };
    const dir = repo(env.airflow3Image, files, '  dags: []\n', `repository: ${repository}\n`);
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    made.push(`${repository}:${sha}`);
    const result = await dagship(['ship', dir]);
    const all = result.stdout + result.stderr;
    expect(result.exitCode, all).toBe(1);
    expect(all).toMatch(/3\/5 check: import every DAG inside [\s\S]*4\/5 test: the repository's tests against /);
    expect(all).toMatch(/pytest test-failed\s+tests\/test_dates\.py::test_fiscal_quarter/);
    expect(result.stderr).toContain('ship stopped at test: nothing was pushed');
    expect(await connectRegistry(env.registry).manifest(repository.slice(env.registry.length + 1), sha)).toBeUndefined();
    expect(all).not.toContain('5/5 push');
  });
});
