import { describe, expect, it } from 'vitest';
import { airflowOrder, blameDuplicates, type CheckedFile } from '../../src/checks/dags.js';

const file = (path: string, ...ids: string[]): CheckedFile => ({
  path,
  import_seconds: 0.1,
  status: 'ok',
  dags: ids.map((dag_id, n) => ({ dag_id, tasks: 1, line: n + 5 })),
  local_modules: [],
});

describe('Airflow file order', () => {
  it("lists a folder's files before its subfolders' and names in byte order, as os.walk over a sorted listing", () => {
    const paths = ['dags/team/a.py', 'dags/z.py', 'dags/B.py', 'dags/a_b.py', 'dags/a/b.py', 'dags/team/sub/x.py', 'dags/team/b.py'];
    expect([...paths].sort(airflowOrder)).toEqual(['dags/B.py', 'dags/a_b.py', 'dags/z.py', 'dags/a/b.py', 'dags/team/a.py', 'dags/team/b.py', 'dags/team/sub/x.py']);
  });
});

describe('duplicate dag ids', () => {
  it('blames every later file, drops its copy from the DAG count, and marks the file failed as Airflow does', () => {
    const { files, findings } = blameDuplicates([file('dags/a/nested.py', 'shared'), file('dags/z.py', 'shared', 'own'), file('dags/b.py', 'other')]);
    expect(findings).toEqual([
      { rule: 'dag-duplicate-id', severity: 'error', file: 'dags/a/nested.py', line: 5, message: "DAG id 'shared' is defined in both dags/z.py and dags/a/nested.py", dag_id: 'shared' },
    ]);
    expect(files.map((f) => [f.path, f.status, f.dags.map((d) => d.dag_id)])).toEqual([
      ['dags/b.py', 'ok', ['other']],
      ['dags/z.py', 'ok', ['shared', 'own']],
      ['dags/a/nested.py', 'error', []],
    ]);
  });

  it('is the same whichever order the results arrive in (fresh, cached, or baked)', () => {
    const input = [file('dags/x.py', 'd'), file('dags/sub/y.py', 'd'), file('dags/w.py', 'd')];
    const once = blameDuplicates(input);
    expect(blameDuplicates([...input].reverse())).toEqual(once);
    expect(once.findings.map((f) => f.file)).toEqual(['dags/x.py', 'dags/sub/y.py']);
  });
});
