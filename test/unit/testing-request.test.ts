import { describe, expect, it } from 'vitest';
import { configSchema, type Options } from '../../src/config.js';
import { placements } from '../../src/layout.js';
import { dagRuns, repositoryLinks, repositoryMounts, runnerRequest, testPaths } from '../../src/testing/request.js';
import { errorOf, folderWith } from './helpers.js';

const REPO = { 'dags/etl.py': '', 'dags/common/q.py': '', 'tests/test_q.py': '', 'pytest.ini': '', 'src/dags/x.py': '', 'src/lib/y.py': '', '.git/HEAD': '' };
const options = (config: Record<string, unknown> = {}, files: Record<string, string> = REPO, configured: string[] = []): Options => ({
  ...configSchema.parse(config),
  root: folderWith(files),
  configured: new Set(configured),
});

describe('repositoryLinks', () => {
  it('points every top-level entry at the mounted repository, .git left out', () => {
    expect(repositoryLinks(options().root, [])).toEqual([
      ['dags', '/repo/dags'],
      ['pytest.ini', '/repo/pytest.ini'],
      ['src', '/repo/src'],
      ['tests', '/repo/tests'],
    ]);
  });

  it("under ship points the folders the image bakes at the image's copy: the tests see what ships", () => {
    const o = options();
    expect(repositoryLinks(o.root, placements(o))).toContainEqual(['dags', '/opt/airflow/dags']);
    expect(repositoryLinks(o.root, placements(o))).toContainEqual(['tests', '/repo/tests']);
  });

  it('makes the folders above a nested baked folder real, and links their other entries to the repository', () => {
    const o = options({ dags_folder: 'src/dags' });
    expect(repositoryLinks(o.root, placements(o))).toEqual([
      ['dags', '/repo/dags'],
      ['pytest.ini', '/repo/pytest.ini'],
      ['src', null],
      ['src/dags', '/opt/airflow/dags'],
      ['src/lib', '/repo/src/lib'],
      ['tests', '/repo/tests'],
    ]);
  });
});

describe('the test plan', () => {
  it('skips the default tests/ when a repository has none, and refuses a configured path that is missing (exit 2)', () => {
    expect(testPaths(options({}, { 'dags/a.py': '' }))).toEqual([]);
    expect(testPaths(options())).toEqual(['tests']);
    const refused = errorOf(() => testPaths(options({ test: { paths: ['tests', 'it'] } }, REPO, ['test.paths'])));
    expect(refused.kind).toBe('config');
    expect(refused.message).toContain('it not found');
  });

  it('takes DAG runs as ids or with skip_tasks and a timeout; --dag ids keep their test.dags settings', () => {
    const o = options({ test: { dag_timeout: '2m', dags: ['report', { dag_id: 'etl', skip_tasks: ['load'], timeout: '30s' }] } });
    expect(dagRuns(o)).toEqual([
      { dag_id: 'report', skip_tasks: [], timeout: 120 },
      { dag_id: 'etl', skip_tasks: ['load'], timeout: 30 },
    ]);
    expect(dagRuns(o, ['etl', 'other'])).toEqual([
      { dag_id: 'etl', skip_tasks: ['load'], timeout: 30 },
      { dag_id: 'other', skip_tasks: [], timeout: 120 },
    ]);
  });

  it('refuses a test.dags entry with an unknown key', () => {
    expect(configSchema.safeParse({ test: { dags: [{ dag_id: 'etl', skip: ['x'] }] } }).success).toBe(false);
  });
});

describe('runnerRequest and mounts', () => {
  it('maps image and mount paths back to repository paths, longest first', () => {
    const o = options();
    const request = runnerRequest({ options: o, baked: true, paths: ['tests'], dags: [], dbTemplate: '/tmp/db' });
    expect(Object.entries(request.roots)).toEqual([
      ['/opt/airflow/dags', 'dags'],
      ['/tmp/dagship-repo', ''],
      ['/repo', ''],
    ]);
    expect(request.dags_folder).toBe('/opt/airflow/dags');
  });

  it('mounts the DAG folder where the image keeps it only when the DAGs are not baked', () => {
    const o = options();
    expect(repositoryMounts(o, true)).toEqual([{ source: o.root, target: '/repo' }]);
    expect(repositoryMounts(o, false)).toContainEqual({ source: `${o.root}/dags`, target: '/opt/airflow/dags' });
  });
});
