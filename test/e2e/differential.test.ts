import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, FIXTURES } from './check-helpers.js';
import { infra } from './infra.js';

const env = infra();
const docker = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
// Files of ours that fail for a deterministic reason, added beside Airflow's own examples so that the
// comparison has failures to agree on, not only successes.
const BROKEN = ['syntax_error/broken_syntax.py', 'missing_module/needs_pkg.py', 'cycle/loop.py', 'non_utf8/latin1.py'];

/** A repository whose dags/ is a copy of the example DAGs shipped inside the image's apache-airflow. */
function examplesRepo(image: string): string {
  const repo = mkdtempSync(path.join(tmpdir(), 'dagship-differential-'));
  chmodSync(repo, 0o777);
  docker(['run', '--rm', '--network', 'none', '-u', '0:0', '-v', `${repo}:/out`, '--entrypoint', 'bash', image, '-c',
    'cp -r "$(python -c "import airflow.example_dags as e, os; print(os.path.dirname(e.__file__))")" /out/dags && chmod -R a+rwX /out/dags']);
  for (const file of BROKEN) copyFileSync(path.join(FIXTURES, file), path.join(repo, 'dags', `zz_${path.basename(file)}`));
  return repo;
}

/** `airflow dags list-import-errors` in the same image: the files Airflow itself says fail. */
function airflowImportErrors(image: string, repo: string, local: boolean): string[] {
  const out = docker(['run', '--rm', '--network', 'none', '-v', `${repo}:/repo:ro`, '-e', 'AIRFLOW_HOME=/tmp/airflow-home', '-e', 'AIRFLOW__CORE__LOAD_EXAMPLES=False',
    '-e', 'AIRFLOW__CORE__DAGS_FOLDER=/repo/dags', '--entrypoint', 'bash', image, '-c',
    `airflow db migrate >/dev/null 2>&1 && airflow dags list-import-errors ${local ? '--local ' : ''}-o json 2>/dev/null; exit 0`]); // it exits 1 when it found errors
  // Airflow logs to stdout too; the JSON document is the last line that starts with '['.
  const json = out.split('\n').filter((l) => l.startsWith('[')).at(-1) ?? '[]';
  return (JSON.parse(json) as { filepath: string }[]).map((e) => path.posix.relative('/repo', e.filepath)).sort();
}

describe('differential: dagship check agrees with airflow dags list-import-errors', () => {
  it.each([
    ['Airflow 3', env.airflow3Image, true],
    ['Airflow 2', env.airflow2Image, false],
  ])('on the example DAGs shipped in apache-airflow plus broken files (%s)', async (_name, image, local) => {
    const repo = examplesRepo(image);
    const expected = airflowImportErrors(image, repo, local);
    const result = await check(repo, ['--image', image, '--timeout', '30']);
    const reported = [...new Set(result.report!.findings.filter((f) => f.severity === 'error').map((f) => f.file))].sort();
    expect(expected.length).toBeGreaterThanOrEqual(BROKEN.length);
    expect(reported, JSON.stringify(result.report!.findings.filter((f) => !expected.includes(f.file)).map((f) => [f.file, f.rule, f.message]))).toEqual(expected);
    expect(result.report!.files.length).toBeGreaterThan(20);
  });
});
