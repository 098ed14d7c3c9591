import { folderWith } from './helpers.js';
import { describe, expect, it } from 'vitest';
import { selectChanged } from '../../src/checks/changed.js';
import { importedModules, localImports } from '../../src/checks/imports.js';
import { configSchema, type Options } from '../../src/config.js';

const repo = (files: Record<string, string>) => folderWith(files, 'dagship-imports-');

const layout = {
  'dags/common/__init__.py': '',
  'dags/common/defaults.py': 'from .dates import start\n',
  'dags/common/dates.py': 'start = 1\n',
  'dags/ns/helpers.py': 'x = 1\n',
  'dags/orders.py': 'from common.defaults import default_args\nimport pendulum\nfrom airflow.sdk import dag\n',
  'dags/report.py': 'from common import dates\n',
  'dags/other.py': 'import ns.helpers as h, os\n',
  'dags/plain.py': 'from airflow.sdk import (\n    dag,\n    task,\n)\n',
  'plugins/macros.py': 'def m(): ...\n',
  'dags/uses_plugin.py': 'from macros import m\n',
};

describe('importedModules', () => {
  it('reads plain, from, relative, aliased and parenthesised imports', () => {
    expect(importedModules('import a.b as c, d\nfrom x.y import (z,\n  w)\nfrom . import sib\n', 'dags/pkg', ['dags'])).toEqual(['a.b', 'd', 'x.y', 'x.y.z', 'x.y.w', 'pkg', 'pkg.sib']);
  });
});

describe('localImports', () => {
  const root = repo(layout);
  const roots = ['dags', 'plugins', '.'];
  it('resolves modules to repository files through packages, namespace packages and the plugins folder', () => {
    expect(localImports(root, 'dags/orders.py', roots)).toEqual(['dags/common/__init__.py', 'dags/common/defaults.py']);
    expect(localImports(root, 'dags/common/defaults.py', roots)).toEqual(['dags/common/__init__.py', 'dags/common/dates.py']);
    expect(localImports(root, 'dags/other.py', roots)).toEqual(['dags/ns/helpers.py']);
    expect(localImports(root, 'dags/uses_plugin.py', roots)).toEqual(['plugins/macros.py']);
    expect(localImports(root, 'dags/plain.py', roots)).toEqual([]);
  });
});

describe('selectChanged', () => {
  const root = repo(layout);
  const options: Options = { ...configSchema.parse({}), root };
  const dagFiles = Object.keys(layout)
    .filter((f) => f.startsWith('dags/'))
    .sort();

  it('re-checks the DAG files that import a changed helper, transitively', () => {
    const selection = selectChanged(options, ['dags/common/dates.py'], dagFiles);
    // The helper itself is passed on too: the checker's safe-mode discovery drops files that are no DAGs.
    expect(selection.dags).toEqual(['dags/common/dates.py', 'dags/common/defaults.py', 'dags/orders.py', 'dags/report.py']);
    expect(selection.lint).toEqual(['dags/common/dates.py']);
  });

  it('checks only a changed DAG file that nothing imports', () => {
    expect(selectChanged(options, ['dags/other.py', 'README.md'], dagFiles)).toMatchObject({ dags: ['dags/other.py'], lint: ['dags/other.py'] });
  });

  it('checks everything when requirements, plugins, config or an .airflowignore (nested ones too) change', () => {
    for (const changed of ['requirements.txt', 'plugins/macros.py', 'dagship.yaml', 'dags/.airflowignore', 'dags/team/.airflowignore']) {
      const selection = selectChanged(options, [changed], dagFiles);
      expect(selection.dags, changed).toBeUndefined();
      expect(selection.reason).toContain(`${changed} changed`);
    }
  });
});
