import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadOptions } from '../../src/config.js';
import { initFiles, workflowInputs, writeInitFiles } from '../../src/init.js';
import { errorOf, folderWith } from './helpers.js';

const optionsOf = (root: string) => loadOptions({ root, env: {} });

describe('dagship init', () => {
  it('writes a dagship.yaml that loads, the three workflows and the deploy Role', () => {
    const root = folderWith({ 'dags/a.py': 'from airflow import DAG\n' });
    const files = initFiles(optionsOf(root));
    writeInitFiles(root, files, false);
    expect(files.map((f) => f.path).sort()).toEqual(
      ['.github/workflows/dagship-main.yml', '.github/workflows/dagship-pull-request.yml', '.github/workflows/dagship-release.yml', 'dagship.yaml', 'deploy/dagship-rbac.yaml'].sort(),
    );
    // The written config is valid as it stands: init never leaves a file the next command refuses.
    expect(optionsOf(root).configFile).toBe(path.join(root, 'dagship.yaml'));
    for (const f of files.filter((x) => x.path.endsWith('.yml'))) expect(parse(readFileSync(path.join(root, f.path), 'utf8')).jobs).toBeTruthy();
  });

  it('drops the example Variables file from the pull-request workflow where the repository has none', () => {
    const without = initFiles(optionsOf(folderWith({ 'dags/a.py': '' }))).find((f) => f.path.endsWith('pull-request.yml'))!;
    expect(without.content).not.toContain('airflow-variables.json');
    const withFile = initFiles(optionsOf(folderWith({ 'dags/a.py': '', 'ci/airflow-variables.json': '{}' }))).find((f) => f.path.endsWith('pull-request.yml'))!;
    expect(withFile.content).toContain('variables: ci/airflow-variables.json');
  });

  it('names the secrets and variables the workflows read', () => {
    const { secrets, variables } = workflowInputs(initFiles(optionsOf(folderWith({}))));
    expect(secrets).toEqual(expect.arrayContaining(['DAGSHIP_SIGNING_KEY', 'PRODUCTION_KUBECONFIG', 'REGISTRY_PASSWORD', 'REGISTRY_USERNAME', 'STAGING_KUBECONFIG']));
    expect(variables).toContain('DAGSHIP_PUBLIC_KEY');
  });

  it('refuses to overwrite without --force and then writes nothing at all', () => {
    const root = folderWith({ '.github/workflows/dagship-main.yml': 'mine\n' });
    const files = initFiles(optionsOf(root));
    const error = errorOf(() => writeInitFiles(root, files, false));
    expect(error.kind).toBe('usage');
    expect(error.message).toContain('.github/workflows/dagship-main.yml');
    expect(error.hint).toContain('--force');
    expect(readFileSync(path.join(root, '.github/workflows/dagship-main.yml'), 'utf8')).toBe('mine\n');
    expect(existsSync(path.join(root, 'dagship.yaml'))).toBe(false);
    writeInitFiles(root, files, true);
    expect(readFileSync(path.join(root, '.github/workflows/dagship-main.yml'), 'utf8')).not.toBe('mine\n');
  });

  it('records what was inferred as commented keys with where from', () => {
    const root = folderWith({});
    const options = { ...optionsOf(root), base_image: 'apache/airflow:3.1.0', inferred: [{ key: 'base_image', what: 'base image apache/airflow:3.1.0', from: 'Dockerfile:2 FROM' }] };
    const config = initFiles(options).find((f) => f.path === 'dagship.yaml')!.content;
    expect(config).toContain('# base_image: apache/airflow:3.1.0   # base image apache/airflow:3.1.0, from Dockerfile:2 FROM');
    writeFileSync(path.join(root, 'dagship.yaml'), config);
    expect(optionsOf(root).base_image).toBeUndefined();
  });
});
