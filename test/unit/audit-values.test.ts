import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART_DEFAULTS, mergeValues, parseValuesText, readValuesFiles } from '../../src/audit/index.js';
import { errorOf } from './helpers.js';
import { aliasBomb } from '../fixtures/alias-bomb.js';

const defaults = CHART_DEFAULTS;
const merged = (...texts: string[]) =>
  mergeValues(
    defaults,
    texts.map((t, i) => parseValuesText(t, `v${i + 1}.yaml`)),
  );

describe('merging values files like helm -f', () => {
  it('lays the files over the chart defaults: later wins, maps merge key by key', () => {
    const values = merged('executor: CeleryExecutor\ndata:\n  metadataConnection:\n    host: a.example.com\n', 'executor: KubernetesExecutor\ndata:\n  metadataConnection:\n    db: airflow\n');
    expect(values.get('executor')).toBe('KubernetesExecutor');
    expect(values.get('data.metadataConnection')).toMatchObject({ host: 'a.example.com', db: 'airflow', user: 'postgres', port: 5432 });
    expect(values.get('postgresql.enabled')).toBe(true);
  });

  it('replaces lists whole, and their items belong to the file that set the list', () => {
    const values = merged('env:\n  - name: A\n    value: "1"\n  - name: B\n    value: "2"\n', '\nenv:\n  - name: C\n    value: "3"\n');
    expect(values.get('env')).toEqual([{ name: 'C', value: '3' }]);
    expect(values.setBy(['env', '0', 'value'])).toEqual({ file: 'v2.yaml', line: 4, column: 5 });
    expect(values.setBy(['env', '1', 'value'])).toBeUndefined();
  });

  it('deletes a key set to null, chart default included, and remembers who deleted it', () => {
    const values = merged('data:\n  metadataConnection:\n    host: db\n', 'data:\n  metadataConnection: null\n');
    expect(values.get('data.metadataConnection')).toBeUndefined();
    expect(values.setBy('data.metadataConnection.host')).toBeUndefined();
    expect(values.setBy('data.metadataConnection')).toEqual({ file: 'v2.yaml', line: 2, column: 3 });
  });

  it('lets a later map replace an earlier scalar and the other way round', () => {
    const values = merged('redis: off\n', 'redis:\n  enabled: true\n');
    expect(values.get('redis')).toEqual({ enabled: true });
    expect(merged('config:\n  core:\n    parallelism: 8\n', 'config:\n  core: hello\n').get('config.core')).toBe('hello');
  });

  it('points at the line and column of the key in the file that set it last', () => {
    const values = merged('postgresql:\n  enabled: true\n', '# overlay\npostgresql:\n    enabled: false\n');
    expect(values.setBy('postgresql.enabled')).toEqual({ file: 'v2.yaml', line: 3, column: 5 });
    expect(values.where('networkPolicies.enabled')).toEqual({ file: 'v1.yaml', line: 1 });
    expect(values.where('networkPolicies.enabled', 'postgresql.enabled')).toMatchObject({ file: 'v2.yaml', line: 3 });
  });

  it('reads YAML 1.1 as Helm does: yes/no/on/off are booleans, quoted "false" stays a string', () => {
    const values = merged('postgresql:\n  enabled: no\nrbac:\n  create: "false"\nstatsd:\n  enabled: on\n');
    expect(values.get('postgresql.enabled')).toBe(false);
    expect(values.get('rbac.create')).toBe('false');
    expect(values.get('statsd.enabled')).toBe(true);
  });

  it('follows anchors and << merge keys; their keys point at the nearest written ancestor', () => {
    const values = merged('x-res: &res\n  requests: { cpu: 1 }\nscheduler:\n  resources:\n    <<: *res\n    limits: { memory: 1Gi }\n');
    expect(values.get('scheduler.resources')).toEqual({ requests: { cpu: 1 }, limits: { memory: '1Gi' } });
    expect(values.setBy('scheduler.resources.requests')).toEqual({ file: 'v1.yaml', line: 4, column: 3 });
  });

  it('lists what a file set under a prefix', () => {
    const values = merged('config:\n  core:\n    dag_concurrency: 4\n');
    expect(values.setUnder('config').map((e) => e.keyPath.join('.'))).toEqual(['config', 'config.core', 'config.core.dag_concurrency']);
  });
});

describe('reading values files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagship-values-'));
  const write = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return name;
  };

  it('names files relative to the working directory and treats an empty file as no values', () => {
    write('empty.yaml', '# nothing yet\n');
    const [file] = readValuesFiles(['empty.yaml'], dir);
    expect(file).toMatchObject({ file: 'empty.yaml', data: {} });
    expect(readValuesFiles([path.join(dir, 'empty.yaml')], path.dirname(dir))[0]!.file).toBe(`${path.basename(dir)}/empty.yaml`);
  });

  it('rejects a missing file as a usage error', () => {
    const err = errorOf(() => readValuesFiles(['nope.yaml'], dir));
    expect(err.kind).toBe('usage');
    expect(err.message).toBe('values file nope.yaml does not exist');
    expect(err.hint).toContain('--values');
  });

  it('rejects invalid YAML with the line of the error', () => {
    const err = errorOf(() => readValuesFiles(['test/fixtures/helm/invalid.yaml']));
    expect(err.kind).toBe('config');
    expect(err.message).toBe('test/fixtures/helm/invalid.yaml:5: not valid YAML: All mapping items must start at the same column at line 5, column 1');
    expect(err.hint).toContain('that line');
  });

  it('never quotes the file in a YAML error, and refuses an alias bomb without expanding it', () => {
    const quoted = errorOf(() => parseValuesText('postgresql:\n  password: |hunter2-secret\n    x\n', 'values.yaml'));
    expect(quoted.message).toBe('values.yaml:2: not valid YAML: unexpected token at line 2, column 14');
    const bomb = aliasBomb(10);
    const err = errorOf(() => parseValuesText(bomb, 'bomb.yaml'));
    expect(err.kind).toBe('config');
    expect(err.message).toBe('bomb.yaml: YAML aliases expand too far (more than 1000 uses); refused');
  });

  it('rejects duplicate keys, which helm would silently collapse', () => {
    const err = errorOf(() => parseValuesText('executor: A\nexecutor: B\n', 'dup.yaml'));
    expect(err.message).toMatch(/^dup\.yaml:2: not valid YAML: .*unique/i);
  });

  it('rejects a file that is not a mapping', () => {
    const err = errorOf(() => readValuesFiles(['test/fixtures/helm/list.yaml']));
    expect(err.kind).toBe('config');
    expect(err.message).toBe('test/fixtures/helm/list.yaml: expected a mapping of chart values at the top level, got a list');
    expect(errorOf(() => parseValuesText('just text\n', 's.yaml')).message).toContain('got a string');
  });
});
