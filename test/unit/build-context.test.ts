import { folderWith } from './helpers.js';
import { describe, expect, it } from 'vitest';
import { contextRules, dockerignoreRules, folderPath, formatBytes, selectFiles } from '../../src/image/context.js';

const repo = (files: Record<string, string>) => folderWith(files, 'dagship-context-');

describe('dockerignoreRules (Docker meaning: patterns anchored at the context root)', () => {
  const rules = dockerignoreRules('# comment\n*.md\n/dags/scratch\n**/*.csv\n!keep.csv\ndata/\n./build\n');
  it.each([
    ['README.md', true],
    ['dags/README.md', false], // Docker's *.md matches the root only, unlike .gitignore
    ['dags/scratch', true],
    ['dags/scratch/x.py', true],
    ['dags/a.csv', true],
    ['keep.csv', false],
    ['data/raw.json', true],
    ['build/x', true],
    ['dags/a.py', false],
  ])('%s → excluded %s', (p, excluded) => expect(rules.ignores(p)).toBe(excluded));
});

describe('contextRules', () => {
  it('leaves out VCS data, caches, bytecode, node_modules and tests, by name at any depth', () => {
    const rules = contextRules(repo({}));
    for (const p of ['.git', 'dags/__pycache__/a.cpython-311.pyc', 'dags/x.pyc', 'dags/node_modules', 'dags/.venv', 'dags/tests/test_a.py', 'dags/conftest.py', 'dags/.pytest_cache']) {
      expect(rules.excludes(p), p).toBe(true);
    }
    expect(rules.excludes('dags/test_connection_dag.py')).toBe(false);
    expect(rules.excludes('dags/.airflowignore')).toBe(false);
  });

  it('keeps tests for a team Dockerfile that may copy them', () => {
    expect(contextRules(repo({}), { withTests: true }).excludes('tests/test_a.py')).toBe(false);
  });

  it('honours .dockerignore at the repository root', () => {
    const rules = contextRules(repo({ '.dockerignore': 'dags/scratch\n' }));
    expect(rules.excludes('dags/scratch/wip.py')).toBe(true);
    expect(rules.excludes('dags/a.py')).toBe(false);
  });
});

describe('selectFiles', () => {
  it('lists what stays, sorted with folders before their content, and what was left out', () => {
    const root = repo({
      'dags/b.py': 'b',
      'dags/a.py': 'aa',
      'dags/common/__init__.py': '',
      'dags/__pycache__/a.pyc': 'x',
      'dags/env/pyvenv.cfg': 'home = /usr/bin',
      'dags/env/lib/site.py': 'x',
      'dags/scratch/wip.py': 'x',
      '.dockerignore': 'dags/scratch\n',
    });
    const selection = selectFiles(root, 'dags', contextRules(root));
    expect(selection.files.map((f) => `${f.type[0]} ${f.path}`)).toEqual(['f a.py', 'f b.py', 'd common', 'f common/__init__.py']);
    expect(selection.excluded).toEqual(['dags/__pycache__', 'dags/env', 'dags/scratch']);
    expect(selection.bytes).toBe(3);
  });
});

describe('helpers', () => {
  it.each([
    ['./dags/', 'dags'],
    ['dags', 'dags'],
    ['src/dags//', 'src/dags'],
  ])('folderPath(%j) → %j', (input, output) => expect(folderPath(input)).toBe(output));

  it.each([
    [12, '12 B'],
    [1500, '1.5 kB'],
    [61_234_567, '61 MB'],
  ])('formatBytes(%d) → %s', (n, text) => expect(formatBytes(n)).toBe(text));
});
