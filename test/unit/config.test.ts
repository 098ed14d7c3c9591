import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOptions } from '../../src/config.js';
import { errorOf } from './helpers.js';
import { aliasBomb } from '../fixtures/alias-bomb.js';

function repoWith(config?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagship-config-'));
  if (config !== undefined) writeFileSync(path.join(dir, 'dagship.yaml'), config);
  return dir;
}

describe('loadOptions', () => {
  it('uses defaults when the repository has no dagship.yaml', () => {
    const root = repoWith();
    const options = loadOptions({ root, env: {} });
    expect(options).toMatchObject({ root, dags_folder: 'dags', plugins_folder: 'plugins', requirements: 'requirements.txt', configFile: undefined });
    expect(options.base_image).toBeUndefined();
  });

  it('reads dagship.yaml, then DAGSHIP_* variables, then flags', () => {
    const root = repoWith('base_image: from-file:1\ntools_image: tools-file\nrepository: reg.example.com/team/dags\n');
    const options = loadOptions({
      root,
      env: { DAGSHIP_BASE_IMAGE: 'from-env:2', DAGSHIP_TOOLS_IMAGE: 'tools-env' },
      flags: { base_image: 'from-flag:3', tools_image: undefined },
    });
    expect(options.base_image).toBe('from-flag:3');
    expect(options.tools_image).toBe('tools-env');
    expect(options.repository).toBe('reg.example.com/team/dags');
    expect(options.configFile).toBe(path.join(root, 'dagship.yaml'));
  });

  it('leaves lint.format unset (auto) by default; dagship.yaml, DAGSHIP_LINT_FORMAT and --format-check set it', () => {
    expect(loadOptions({ root: repoWith(), env: {} }).lint.format).toBeUndefined();
    const root = repoWith('lint:\n  format: true\n');
    expect(loadOptions({ root, env: {} }).lint.format).toBe(true);
    expect(loadOptions({ root, env: { DAGSHIP_LINT_FORMAT: 'false' } }).lint.format).toBe(false);
    expect(loadOptions({ root: repoWith('lint:\n  format: false\n'), env: {}, flags: { 'lint.format': true } }).lint.format).toBe(true);
    expect(errorOf(() => loadOptions({ root: repoWith('lint:\n  format: sometimes\n'), env: {} })).message).toMatch(/^dagship\.yaml:2: 'lint\.format' /);
  });

  it('records content settings overridden with another value than the file and defaults give', () => {
    const root = repoWith('dags_folder: airflow/dags\nbase_image: team/airflow:1\n');
    // Same value as the file, a setting that bakes nothing, and the default given again: none counts.
    const same = loadOptions({ root, env: { DAGSHIP_TOOLS_IMAGE: 'tools:2', DAGSHIP_REQUIREMENTS: 'requirements.txt' }, flags: { dags_folder: 'airflow/dags', fail_on: 'warning' } });
    expect(same.contentOverrides).toEqual({});
    const other = loadOptions({ root, env: { DAGSHIP_BASE_IMAGE: 'team/airflow:2' }, flags: { dags_folder: 'other', 'build.dockerfile': 'Dockerfile.ci' } });
    expect(other.contentOverrides).toEqual({ dags_folder: 'other', base_image: 'team/airflow:2', 'build.dockerfile': 'Dockerfile.ci' });
  });

  it('names an unknown key with its line and the key it probably meant', () => {
    const root = repoWith('version: 1\ndag_folder: dags\n');
    const err = errorOf(() => loadOptions({ root, env: {} }));
    expect(err.kind).toBe('config');
    expect(err.message).toBe("dagship.yaml:2: unknown key 'dag_folder' (did you mean 'dags_folder'?)");
    expect(err.hint).toContain('dags_folder');
  });

  it("puts an unknown key whose value is an indented block on the key's own line", () => {
    const err = errorOf(() => loadOptions({ root: repoWith('version: 1\nchecks:\n  timeout: 30\n'), env: {} }));
    expect(err.message).toMatch(/^dagship\.yaml:2: unknown key 'checks'/);
    const nested = errorOf(() => loadOptions({ root: repoWith('check:\n  timeout: 30\n  pool:\n    - a\n'), env: {} }));
    expect(nested.message).toMatch(/^dagship\.yaml:3: unknown key 'pool'/);
  });

  it('names a wrongly typed key with its line and the expected type', () => {
    const root = repoWith('version: 1\nbase_image:\n  - apache/airflow\n');
    const err = errorOf(() => loadOptions({ root, env: {} }));
    expect(err.message).toMatch(/^dagship\.yaml:3: 'base_image' expected string, received array/);
  });

  it('rejects a DAG folder outside the repository', () => {
    const root = repoWith('dags_folder: ../elsewhere\n');
    expect(errorOf(() => loadOptions({ root, env: {} })).message).toMatch(/^dagship\.yaml:1: 'dags_folder' must be a path inside the repository/);
  });

  it('says which override was wrong when the value came from the environment', () => {
    const root = repoWith();
    const err = errorOf(() => loadOptions({ root, env: { DAGSHIP_DAGS_FOLDER: '/abs/dags' } }));
    expect(err.message).toMatch(/^DAGSHIP_DAGS_FOLDER: 'dags_folder' must be a path inside/);
  });

  it('points at the line of a YAML syntax error', () => {
    const root = repoWith('version: 1\nbase_image: [unclosed\n');
    const err = errorOf(() => loadOptions({ root, env: {} }));
    expect(err.kind).toBe('config');
    expect(err.message).toMatch(/^dagship\.yaml:\d+: not valid YAML/);
  });

  it('validates nested check settings, names the nested key, and takes overrides for them', () => {
    const root = repoWith('check:\n  timeout: 10\n  polices: {}\n');
    const typo = errorOf(() => loadOptions({ root, env: {} }));
    expect(typo.message).toBe("dagship.yaml:3: unknown key 'polices' (did you mean 'policies'?)");
    expect(typo.hint).toMatch(/^'check' takes these keys: timeout, workers/);

    const ok = repoWith('check:\n  timeout: 10\n  policies: {owner: true, min_retries: 2}\n');
    const options = loadOptions({ root: ok, env: { DAGSHIP_CHECK_TIMEOUT: '12', DAGSHIP_FAIL_ON: 'warning' }, flags: { 'check.workers': 3 } });
    expect(options.check).toMatchObject({ timeout: 12, workers: 3, slow_import_seconds: 5, policies: { owner: true, min_retries: 2 } });
    expect(options.fail_on).toBe('warning');

    const bad = errorOf(() => loadOptions({ root: ok, env: { DAGSHIP_CHECK_MISSING_LOOKUPS: 'loud' } }));
    expect(bad.message).toMatch(/^DAGSHIP_CHECK_MISSING_LOOKUPS: 'check\.missing_lookups' /);
    const regex = errorOf(() => loadOptions({ root: repoWith('check:\n  policies:\n    dag_id_pattern: "([a-z"\n'), env: {} }));
    expect(regex.message).toBe("dagship.yaml:3: 'check.policies.dag_id_pattern' must be a valid regular expression");
  });

  it('refuses a config that is not a mapping', () => {
    const root = repoWith('- a\n- b\n');
    expect(errorOf(() => loadOptions({ root, env: {} })).message).toMatch(/expected a mapping of settings, got a list/);
  });

  it('refuses a repository path that does not exist, as a usage error', () => {
    const err = errorOf(() => loadOptions({ root: '/nonexistent/dagship-repo', env: {} }));
    expect(err.kind).toBe('usage');
    expect(err.message).toContain('/nonexistent/dagship-repo does not exist');
  });

  it('reads an explicit --config file and refuses a missing one', () => {
    const root = repoWith();
    mkdirSync(path.join(root, 'ci'));
    writeFileSync(path.join(root, 'ci', 'dagship.yaml'), 'dags_folder: airflow/dags\n');
    expect(loadOptions({ root, configFile: path.join(root, 'ci', 'dagship.yaml'), env: {} }).dags_folder).toBe('airflow/dags');
    expect(errorOf(() => loadOptions({ root, configFile: path.join(root, 'nope.yaml'), env: {} })).kind).toBe('usage');
  });

  it('reads the audit section, with DAGSHIP_AUDIT_* overrides (values split on spaces and newlines)', () => {
    const root = repoWith('audit:\n  values: [helm/values.yaml]\n  min_parallelism: 64\n');
    expect(loadOptions({ root, env: {} }).audit).toEqual({ values: ['helm/values.yaml'], strict: false, min_parallelism: 64 });
    const env = { DAGSHIP_AUDIT_VALUES: 'helm/base.yaml\n  helm/prod.yaml ', DAGSHIP_AUDIT_STRICT: 'false', DAGSHIP_AUDIT_EXPECTED_HEARTBEAT: '10' };
    expect(loadOptions({ root, env }).audit).toEqual({ values: ['helm/base.yaml', 'helm/prod.yaml'], strict: false, min_parallelism: 64, expected_heartbeat: 10 });
    expect(loadOptions({ root, env: { DAGSHIP_AUDIT_STRICT: 'TRUE' } }).audit.strict).toBe(true);
    expect(loadOptions({ root: repoWith(), env: {} }).audit).toEqual({ values: [], strict: false });
  });

  it('names a wrong audit key or value', () => {
    const typo = errorOf(() => loadOptions({ root: repoWith('audit:\n  value: [a.yaml]\n'), env: {} }));
    expect(typo.message).toBe("dagship.yaml:2: unknown key 'value' (did you mean 'values'?)");
    const strict = errorOf(() => loadOptions({ root: repoWith(), env: { DAGSHIP_AUDIT_STRICT: 'maybe' } }));
    expect(strict.message).toMatch(/^DAGSHIP_AUDIT_STRICT: 'audit\.strict' expected boolean/);
    const floor = errorOf(() => loadOptions({ root: repoWith('audit:\n  min_parallelism: 0\n'), env: {} }));
    expect(floor.message).toMatch(/^dagship\.yaml:2: 'audit\.min_parallelism' /);
  });

  it('refuses a YAML alias bomb quickly, naming the file, not expanding it', () => {
    const bomb = aliasBomb(9);
    const started = Date.now();
    const err = errorOf(() => loadOptions({ root: repoWith(`${bomb}\n`), env: {} }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err.kind).toBe('config');
    expect(err.message).toBe('dagship.yaml: YAML aliases expand too far (more than 50 uses); refused');
    expect(err.message).not.toContain('lol');
  });

  it('never echoes the file in a message: an alias names no anchor', () => {
    const err = errorOf(() => loadOptions({ root: repoWith('base_image: *hunter2-secret\n'), env: {} }));
    expect(err.kind).toBe('config');
    expect(err.message).toBe('dagship.yaml: an alias (*name) has no anchor (&name) before it');
  });

  it('never quotes the file in a YAML syntax error', () => {
    const err = errorOf(() => loadOptions({ root: repoWith('base_image: |hunter2-secret\n  x\n'), env: {} }));
    expect(err.message).toBe('dagship.yaml:1: not valid YAML: unexpected token at line 1, column 14');
  });

  it('says a config path that is a folder is not a file', () => {
    const root = repoWith();
    mkdirSync(path.join(root, 'dagship.yaml'));
    const err = errorOf(() => loadOptions({ root, env: {} }));
    expect(err.message).toBe(`config file ${path.join(root, 'dagship.yaml')} is a folder, not a file`);
  });
});
