import { describe, expect, it } from 'vitest';
import { check, FIXTURES, scenarioRepo, summary } from './check-helpers.js';
import { infra } from './infra.js';

const env = infra();
const images = [
  ['Airflow 3', env.airflow3Image],
  ['Airflow 2', env.airflow2Image],
] as const;

// Where a DAG imports in Airflow, it must import in dagship, and the reverse: issue #13.
describe.each(images)('check agrees with Airflow (%s)', (_name, image) => {
  it('`import airflow` beside `from airflow import DAG` is checked, and no speed-up was given up on it', async () => {
    const result = await check(FIXTURES, ['--dags-folder', 'import_styles', '--image', image, '--verbose']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.report!.files.flatMap((f) => f.dags.map((d) => d.dag_id))).toEqual(['both_import_styles']);
    expect(result.stderr).not.toMatch(/checked without it/);
  });

  it('an unprovided Variable read with a default gets the default; a placeholder that breaks the file says so', async () => {
    const result = await check(FIXTURES, ['--dags-folder', 'lookup_defaults', '--image', image]);
    const lines = ['16', '17', '18', ...(image === env.airflow3Image ? ['19'] : [])];
    expect(summary(result.report!.findings)).toEqual([
      'dag-import-error lookup_defaults/placeholder_connection.py:13',
      'dag-parse-time-lookup lookup_defaults/placeholder_connection.py:13',
      ...lines.map((l) => `dag-parse-time-lookup lookup_defaults/with_defaults.py:${l}`),
    ]);
    const byRule = (rule: string, file: string) => result.report!.findings.filter((f) => f.rule === rule && f.file.endsWith(file));
    expect(byRule('dag-parse-time-lookup', 'with_defaults.py').every((f) => f.message.endsWith('parsed with the default the code gives'))).toBe(true);
    expect(byRule('dag-import-error', 'placeholder_connection.py')[0]!.message).toBe(
      "KeyError: 'region_name' (parsed with placeholders for Connection 'aws_default': provide them with check.variables/check.connections)",
    );
    expect(result.report!.files.find((f) => f.path.endsWith('with_defaults.py'))?.dags.map((d) => d.dag_id)).toEqual(['lookup_defaults']);
  });

  it("a DAG Airflow cannot serialize is an import error with Airflow's message; a timetable the plugins register is not", async () => {
    const result = await check(scenarioRepo('serialization', 'plugins_folder: dags/plugins\n'), ['--image', image]);
    expect(summary(result.report!.findings)).toEqual(['dag-import-error dags/unregistered_timetable.py:19']);
    expect(result.report!.findings[0]!.message).toMatch(/^SerializationError: Failed to serialize DAG 'unregistered_timetable': Timetable class '.*LocalTimetable' is not registered/);
    // The DAG never reaches the scheduler; the other DAG of the same file does.
    expect(result.report!.files.flatMap((f) => f.dags.map((d) => d.dag_id)).sort()).toEqual(['beside_unregistered', 'registered_timetable']);
  });

  it("what an import leaves running is reported and killed; a process holding the parse's output blocks Airflow 3's processor", async () => {
    const result = await check(FIXTURES, ['--dags-folder', 'leftovers', '--image', image]);
    const airflow3 = image === env.airflow3Image;
    expect(result.report!.findings.map((f) => `${f.rule} ${f.severity} ${f.file}`).sort()).toEqual(
      [
        'dag-leftover-process warning leftovers/detached_process.py',
        `dag-leftover-process ${airflow3 ? 'error' : 'warning'} leftovers/holds_output.py`,
        `dag-leftover-process ${airflow3 ? 'error' : 'warning'} leftovers/inherits_stdin.py`,
        'dag-leftover-thread warning leftovers/left_thread.py',
      ].sort(),
    );
    expect(result.report!.findings.find((f) => f.file.endsWith('holds_output.py'))!.message).toContain('-c import time; time.sleep(600)');
    expect(result.report!.files.find((f) => f.path.endsWith('holds_output.py'))!.dags).toHaveLength(airflow3 ? 0 : 1);
    expect(result.exitCode).toBe(airflow3 ? 1 : 0);
  });

  it('a duplicate dag_id is blamed on the file Airflow reaches later (an asset too) and its copy is not counted', async () => {
    const result = await check(FIXTURES, ['--dags-folder', 'duplicate_order', '--image', image]);
    const assets = image === env.airflow3Image ? 'dag-duplicate-id duplicate_order/b_assets.py:6' : 'dag-import-error duplicate_order/b_assets.py:3';
    expect(summary(result.report!.findings)).toEqual(['dag-duplicate-id duplicate_order/a/nested.py:7', assets]);
    expect(result.stdout).toMatch(/4 DAG file\(s\) checked of 4 discovered, 2 DAG\(s\)/);
  });

  it('a task-level Param whose default fails its schema is a warning naming the task (Airflow meets it only at run time)', async () => {
    const result = await check(FIXTURES, ['--dags-folder', 'task_params', '--image', image]);
    expect(result.report!.findings.map((f) => [f.rule, f.severity, f.message])).toEqual([
      ['dag-task-param', 'warning', "task 'bad_default': the default of param 'limit' fails its schema: 5 is not of type 'string' (every run of this task fails)"],
    ]);
    expect(result.exitCode).toBe(0);
  });
});
