import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listDagFolderFiles, listPythonFiles } from '../../src/checks/files.js';

const root = mkdtempSync(path.join(tmpdir(), 'dagship-files-'));
for (const file of [
  'dags/a.py',
  'dags/b.zip',
  'dags/.hidden/c.py',
  'dags/sub/d.py',
  'dags/__pycache__/a.py',
  'dags/.venv/lib/x.py',
  'dags/sub/.git/y.py',
  'dags/node_modules/z.py',
  'venv/v.py',
  'tools/t.py',
  'dags/notes.txt',
]) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), '');
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('repository file lists', () => {
  it('DAG folder: Python files and zips at any depth, dot folders included, never caches, venvs or VCS folders', async () => {
    expect(await listDagFolderFiles(root, 'dags')).toEqual(['dags/.hidden/c.py', 'dags/a.py', 'dags/b.zip', 'dags/sub/d.py']);
  });

  it('whole repository: Python files outside those folders', async () => {
    expect(await listPythonFiles(root)).toEqual(['dags/.hidden/c.py', 'dags/a.py', 'dags/sub/d.py', 'tools/t.py']);
  });
});
