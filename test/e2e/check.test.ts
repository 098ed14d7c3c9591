import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, FIXTURES, scenarioRepo, summary } from './check-helpers.js';
import { dagship, REPO_ROOT } from './cli.js';
import { infra } from './infra.js';

const env = infra();
const images = [
  ['Airflow 3', env.airflow3Image],
  ['Airflow 2', env.airflow2Image],
] as const;

describe('dagship check on the example repository', () => {
  it('imports all six DAGs cleanly in the Airflow 3 image', async () => {
    const result = await check(path.join(REPO_ROOT, 'examples'), ['--image', env.airflow3Image]);
    expect(result.exitCode).toBe(0);
    expect(result.report?.files.flatMap((f) => f.dags.map((d) => d.dag_id)).sort()).toEqual([
      'customer_sync',
      'daily_sales_report',
      'data_quality_checks',
      'ml_feature_refresh',
      'orders_etl',
      'warehouse_maintenance',
    ]);
    expect(result.stdout).toMatch(/6 DAG file\(s\) checked of 6 discovered, 6 DAG\(s\), 39 task\(s\)/);
  });
});

describe.each(images)('every failure mode is that file’s finding, never the checker’s end (%s)', (_name, image) => {
  it('mixed: one of each failure beside good files', async () => {
    const result = await check(FIXTURES, ['--dags-folder', 'mixed', '--image', image, '--timeout', '3']);
    expect(result.exitCode).toBe(1);
    expect(summary(result.report!.findings)).toEqual([
      'dag-cycle mixed/loop.py:12',
      'dag-duplicate-id mixed/dup_second.py:7',
      'dag-import-error mixed/broken_syntax.py:9',
      'dag-import-error mixed/exits.py:7',
      'dag-import-error mixed/hog.py:7',
      'dag-import-error mixed/needs_pkg.py:7',
      'dag-import-timeout mixed/busy_loop.py:5',
      'dag-import-timeout mixed/swallows_alarm.py:10',
      'dag-process-crash mixed/hard_exit.py',
      'dag-process-crash mixed/native_crash.py:7',
    ]);
    const byFile = new Map(result.report!.findings.map((f) => [f.file, f]));
    expect(byFile.get('mixed/exits.py')?.message).toBe('called sys.exit(3) at import time');
    expect(byFile.get('mixed/native_crash.py')?.message).toMatch(/SIGSEGV/);
    expect(byFile.get('mixed/dup_second.py')?.message).toBe("DAG id 'shared_id' is defined in both mixed/dup_first.py and mixed/dup_second.py");
    expect(byFile.get('mixed/needs_pkg.py')?.detail).toMatch(/ModuleNotFoundError: No module named 'dagship_fixture_not_installed'$/);
    const good = result.report!.files.filter((f) => f.path.startsWith('mixed/good_')).map((f) => f.dags.length);
    expect(good).toEqual([1, 1]);
  });

  it.each([
    ['syntax_error', ['dag-import-error syntax_error/broken_syntax.py:9']],
    ['non_utf8', ['dag-import-error non_utf8/latin1.py:7']],
    ['duplicate_id', ['dag-duplicate-id duplicate_id/same_file.py:8', 'dag-duplicate-id duplicate_id/second.py:7']],
    ['ignored', []],
    ['helper_module', []],
    ['good', []],
  ])('%s', async (scenario, expected) => {
    const result = await check(FIXTURES, ['--dags-folder', scenario, '--image', image]);
    expect(summary(result.report!.findings)).toEqual(expected);
    expect(result.exitCode).toBe(expected.length ? 1 : 0);
  });

  it('huge_output: 50 MB printed is a warning (the processor logs every line), the DAG still imports', async () => {
    const result = await check(FIXTURES, ['--dags-folder', 'huge_output', '--image', image]);
    expect(result.report!.findings.map((f) => [f.rule, f.severity, f.file])).toEqual([['dag-import-output', 'warning', 'huge_output/chatty.py']]);
    expect(result.report!.findings[0]!.message).toMatch(/^printed \d+\.\d MiB at import/);
    expect(result.report!.files[0]!.dags).toHaveLength(1);
    expect(result.exitCode).toBe(0);
  });
});

describe('Airflow 3 removed arguments', () => {
  it('schedule_interval is an import error on Airflow 3 and still valid on Airflow 2', async () => {
    const three = await check(FIXTURES, ['--dags-folder', 'removed_airflow3_arg', '--image', env.airflow3Image]);
    expect(summary(three.report!.findings)).toEqual(['dag-import-error removed_airflow3_arg/legacy_schedule.py:7']);
    const two = await check(FIXTURES, ['--dags-folder', 'removed_airflow3_arg', '--image', env.airflow2Image]);
    expect(two.report!.findings).toEqual([]);
  });
});

describe('parse-time Variable and Connection lookups', () => {
  const request = JSON.parse(readFileSync(path.join(FIXTURES, 'lookups/request.json'), 'utf8'));
  const secrets = ['prod-eu-west', 's3cr3t-pass', 'etl_user', 'bucket-secret', 'warehouse.internal'];

  it.each(images)('serves provided keys, warns on missing ones by key and line, never shows a value (%s)', async (_n, image) => {
    const repo = scenarioRepo('lookups');
    writeFileSync(path.join(repo, 'variables.json'), JSON.stringify(request.variables));
    writeFileSync(path.join(repo, 'connections.json'), JSON.stringify(request.connections));
    const result = await check(repo, ['--image', image, '--variables', 'variables.json', '--connections', 'connections.json', '--sarif', `${repo}/out.sarif`]);
    expect(result.exitCode).toBe(0);
    const lookups = result.report!.findings.filter((f) => f.rule === 'dag-parse-time-lookup');
    expect(summary(lookups)).toEqual([
      'dag-parse-time-lookup dags/legacy_api.py:21',
      'dag-parse-time-lookup dags/legacy_api.py:22',
      'dag-parse-time-lookup dags/legacy_api.py:24',
      'dag-parse-time-lookup dags/sdk_api.py:21',
      'dag-parse-time-lookup dags/sdk_api.py:22',
    ]);
    expect(lookups.every((f) => f.severity === 'warning')).toBe(true);
    const everything = [result.stdout, result.stderr, readFileSync(`${repo}/out.sarif`, 'utf8'), JSON.stringify(result.report)].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  it('makes missing lookups errors when configured, and without the files every lookup is missing', async () => {
    const repo = scenarioRepo('lookups', 'check:\n  missing_lookups: error\n');
    const result = await check(repo, ['--image', env.airflow3Image]);
    expect(result.exitCode).toBe(1);
    const lookups = result.report!.findings.filter((f) => f.rule === 'dag-parse-time-lookup');
    expect(lookups.length).toBeGreaterThan(5);
    expect(lookups.every((f) => f.severity === 'error')).toBe(true);
  });

  it('refuses a variables file that is not JSON without echoing its content', async () => {
    const repo = scenarioRepo('lookups');
    writeFileSync(path.join(repo, 'variables.json'), 'password=hunter2-not-json');
    const result = await check(repo, ['--image', env.airflow3Image, '--variables', 'variables.json']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/check\.variables: .*variables\.json is not valid JSON/);
    expect(result.stderr).not.toContain('hunter2');
  });
});

describe('policies', () => {
  it('team policies from dagship.yaml become dag-policy-* findings on their DAG', async () => {
    const { policies } = JSON.parse(readFileSync(path.join(FIXTURES, 'policies/request.json'), 'utf8'));
    const yaml = `check:\n  policies:\n${Object.entries(policies)
      .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
      .join('\n')}\n`;
    const result = await check(scenarioRepo('policies', yaml), ['--image', env.airflow3Image]);
    expect(result.exitCode).toBe(1);
    expect(summary(result.report!.findings)).toEqual([
      'dag-policy-catchup dags/violations.py:33',
      'dag-policy-dag-id dags/violations.py:42',
      'dag-policy-max-tasks dags/violations.py:37',
      'dag-policy-owner dags/violations.py:15',
      'dag-policy-retries dags/violations.py:26',
      'dag-policy-schedule dags/violations.py:30',
      'dag-policy-tags dags/violations.py:19',
      'dag-policy-tags dags/violations.py:22',
    ]);
  });

  it.each(images)('the team’s airflow_local_settings.py cluster policy applies (%s)', async (_n, image) => {
    const repo = scenarioRepo('cluster_policy');
    const result = await check(repo, ['--image', image, '--local-settings', 'dags/config/airflow_local_settings.py']);
    expect(summary(result.report!.findings)).toEqual(['dag-policy-cluster dags/untagged.py:7']);
  });

  it('a slow top-level import is a warning that passes the default gate', async () => {
    const result = await check(scenarioRepo('slow', 'check:\n  slow_import_seconds: 1\n'), ['--image', env.airflow3Image]);
    expect(summary(result.report!.findings)).toEqual(['dag-slow-import dags/sleepy_start.py']);
    expect(result.exitCode).toBe(0);
    const strict = await check(scenarioRepo('slow', 'check:\n  slow_import_seconds: 1\nfail_on: warning\n'), ['--image', env.airflow3Image]);
    expect(strict.exitCode).toBe(1);
  });

  it('DAG code runs with the garbage collector on, as in the scheduler (the checker imports Airflow with it off)', async () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'dagship-gc-'));
    const file = 'import gc\nif not gc.isenabled():\n    raise RuntimeError("garbage collector is off")\nfrom airflow import DAG\n\nwith DAG(dag_id="gc_{n}", schedule=None):\n    pass\n';
    // Enough files for long-lived children, and one alone: both ways of forking.
    for (const [folder, count] of [
      ['many', 20],
      ['one', 1],
    ] as const) {
      for (let n = 0; n < count; n++) writeFileSync(path.join(mkdirp(repo, folder), `gc_${n}.py`), file.replace('{n}', `${folder}_${n}`));
      const result = await check(repo, ['--dags-folder', folder, '--image', env.airflow3Image, '--no-cache']);
      expect(result.report!.findings).toEqual([]);
      expect(result.report!.files).toHaveLength(count);
    }
    rmSync(repo, { recursive: true, force: true });
  });

  it('each DAG file runs its helpers afresh, though a child compiles them once', async () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'dagship-helpers-'));
    const dags = mkdirp(repo, 'dags');
    writeFileSync(path.join(dags, 'side_effect.py'), 'import builtins\nbuiltins.__dict__.setdefault("_dagship_helper_runs", []).append(1)\n');
    writeFileSync(path.join(dags, 'broken_helper.py'), 'def oops(:\n');
    const dag = (n: number, helper: string) =>
      `import builtins\nbefore = len(getattr(builtins, "_dagship_helper_runs", []))\nimport ${helper}\nif len(builtins._dagship_helper_runs) != before + 1:\n    raise RuntimeError("the helper did not run for this file")\nfrom airflow import DAG\n\nwith DAG(dag_id="helpers_${n}", schedule=None):\n    pass\n`;
    for (let n = 0; n < 20; n++) writeFileSync(path.join(dags, `uses_helper_${String(n).padStart(2, '0')}.py`), dag(n, n < 2 ? 'broken_helper' : 'side_effect'));
    const result = await check(repo, ['--image', env.airflow3Image, '--no-cache']);
    expect(summary(result.report!.findings)).toEqual(['dag-import-error dags/uses_helper_00.py:3', 'dag-import-error dags/uses_helper_01.py:3']);
    expect(result.report!.files.filter((f) => f.status === 'ok')).toHaveLength(18);
    rmSync(repo, { recursive: true, force: true });
  });
});

function mkdirp(...parts: string[]): string {
  const dir = path.join(...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('bad input', () => {
  it('exits 2 naming a missing DAG folder, a missing image, or a broken local settings file', async () => {
    const noFolder = await check(path.join(REPO_ROOT, 'examples'), ['--image', env.airflow3Image, '--dags-folder', 'nope']);
    expect(noFolder.exitCode).toBe(2);
    expect(noFolder.stderr).toMatch(/DAG folder .*examples\/nope does not exist/);
    const noImage = await check(path.join(REPO_ROOT, 'examples'), ['--image', 'dagship-test/no-such-airflow:1']);
    expect(noImage.exitCode).toBe(2);
    expect(noImage.stderr).toContain('image dagship-test/no-such-airflow:1 is not on the Docker Engine');
    const repo = scenarioRepo('good');
    writeFileSync(path.join(repo, 'settings.py'), 'def dag_policy(dag):\n    raise RuntimeError(\n');
    const broken = await check(repo, ['--image', env.airflow3Image, '--local-settings', 'settings.py']);
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toMatch(/local_settings/);
  });

  it('takes only its own flags and a duration as --timeout: anything else is exit 2, annotated in Actions', async () => {
    const examples = path.join(REPO_ROOT, 'examples');
    const lintFlag = await dagship(['check', examples, '--tools-image', env.toolsImage], { env: { GITHUB_ACTIONS: 'true' } });
    expect(lintFlag.exitCode).toBe(2);
    expect(lintFlag.stderr).toContain("error: unknown option '--tools-image'");
    expect(lintFlag.stdout).toContain("::error title=dagship::unknown option '--tools-image'%0Ahint: run dagship check --help for usage");
    const soon = await dagship(['check', examples, '--timeout', 'soon'], { env: { GITHUB_ACTIONS: 'false' } });
    expect(soon.exitCode).toBe(2);
    expect(soon.stderr).toContain('Use a positive duration: 90s, 5m, 1h, or a bare number of seconds');
    expect(soon.stdout).not.toContain('::error');
    const fromEnv = await check(examples, ['--image', env.airflow3Image], { DAGSHIP_CHECK_TIMEOUT: 'soon' });
    expect(fromEnv.exitCode).toBe(2);
    expect(fromEnv.stderr).toContain("error: DAGSHIP_CHECK_TIMEOUT: 'check.timeout' must be a positive duration: 90s, 5m, 1h");
  });

  it('an image without Airflow is an infrastructure error, not a pass', async () => {
    const result = await check(path.join(REPO_ROOT, 'examples'), ['--image', env.toolsImage]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/error: cannot start python in image .*: "python": executable file not found in \$PATH/);
  });
});

describe('batched children (many files)', () => {
  it('a file that kills its batch is diagnosed alone, and every other file still gets its result', async () => {
    const { generateDags } = (await import(path.join(REPO_ROOT, 'bench/gen-dags.mjs'))) as { generateDags: (out: string, n: number) => string };
    const repo = scenarioRepo('good');
    generateDags(repo, 40);
    for (const file of ['hard_exit.py', 'native_crash.py', 'busy_loop.py', 'exits.py']) {
      writeFileSync(path.join(repo, 'dags', `m_${file}`), readFileSync(path.join(FIXTURES, 'mixed', file)));
    }
    const result = await check(repo, ['--image', env.airflow3Image, '--timeout', '3']);
    expect(summary(result.report!.findings)).toEqual([
      'dag-import-error dags/m_exits.py:7',
      'dag-import-timeout dags/m_busy_loop.py:5',
      'dag-process-crash dags/m_hard_exit.py',
      'dag-process-crash dags/m_native_crash.py:7',
    ]);
    const generated = result.report!.files.filter((f) => f.path.startsWith('dags/pipeline_'));
    expect(generated).toHaveLength(40);
    expect(generated.every((f) => f.dags.length === 1)).toBe(true);
    // Each file of a batch imports its helpers again, so each lists them (the cache depends on it).
    const modules = (f: unknown) => (f as { local_modules: string[] }).local_modules;
    expect(generated.every((f) => modules(f).includes('dags/shared/settings.py'))).toBe(true);
  });
});

describe('the result cache follows local imports (long-lived children, many files)', () => {
  it('re-imports exactly the files whose helper changed, also through a helper that failed to import', async () => {
    const { generateDags } = (await import(path.join(REPO_ROOT, 'bench/gen-dags.mjs'))) as { generateDags: (out: string, n: number) => string };
    const repo = scenarioRepo('good');
    generateDags(repo, 40);
    const other = path.join(repo, 'dags', 'shared', 'other.py');
    writeFileSync(other, 'OWNER = "platform"\n');
    // Among the generated files, so that a child parses it after files that imported other helpers.
    writeFileSync(
      path.join(repo, 'dags', 'pipeline_0020_other.py'),
      'from airflow.sdk import DAG\nfrom shared.other import OWNER\n\nwith DAG(dag_id="uses_other", schedule=None, tags=[OWNER]):\n    pass\n',
    );
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'dagship-check-cache-'));
    const run = async () => {
      const json = path.join(cacheDir, 'report.json');
      const result = await dagship(['check', repo, '--image', env.airflow3Image, '--json', json], { env: { DAGSHIP_CACHE_DIR: cacheDir } });
      const counts = /(\d+) unchanged since a cached run; importing (\d+)/.exec(result.stderr);
      const report = JSON.parse(readFileSync(json, 'utf8')) as { findings: { rule: string; file: string }[] };
      return { exitCode: result.exitCode, unchanged: Number(counts?.[1]), imported: Number(counts?.[2]), report };
    };
    try {
      const cold = await run();
      expect(cold.exitCode).toBe(0);
      expect(cold.unchanged).toBe(0);
      const total = cold.imported;
      expect(await run()).toMatchObject({ unchanged: total, imported: 0 });

      // The helper itself and the one DAG file that imports it; not the 40 that import shared.settings.
      writeFileSync(other, 'OWNER = "data-platform"\n');
      expect(await run()).toMatchObject({ unchanged: total - 2, imported: 2, exitCode: 0 });

      writeFileSync(other, 'raise RuntimeError("helper broken")\n');
      const broken = await run();
      expect(broken).toMatchObject({ imported: 2, exitCode: 1 });
      expect(summary(broken.report.findings as never)).toEqual(['dag-import-error dags/pipeline_0020_other.py:2']);

      // The failed import still counts as a dependency: repairing the helper re-checks the file.
      writeFileSync(other, 'OWNER = "platform"\n');
      expect(await run()).toMatchObject({ imported: 2, exitCode: 0 });

      // shared.settings: every generated file, not the fixture files or the file using shared.other.
      writeFileSync(path.join(repo, 'dags', 'shared', 'settings.py'), `${readFileSync(path.join(repo, 'dags', 'shared', 'settings.py'), 'utf8')}\n# changed\n`);
      expect(await run()).toMatchObject({ unchanged: total - 41, imported: 41, exitCode: 0 });
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
