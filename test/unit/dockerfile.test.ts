import { describe, expect, it } from 'vitest';
import { finalBase, finalStage, parseDockerfile, rewriteFroms, substitute } from '../../src/dockerfile.js';

const base = (text: string, args: Record<string, string> = {}) => finalBase(parseDockerfile(text), args);

describe('Dockerfile parser', () => {
  it('finds the final stage’s base, lower-case FROM and --platform included', () => {
    expect(base('FROM python:3 AS build\nRUN x\nfrom --platform=linux/amd64 apache/airflow:3.3.2\n')).toMatchObject({ image: 'apache/airflow:3.3.2', lines: [3], missing: [] });
  });

  it('resolves ARG defaults before FROM, and a build arg over the default', () => {
    const text = '# syntax=docker/dockerfile:1\nARG AIRFLOW_VERSION=2.10.5\nARG PY=3.12\nFROM apache/airflow:${AIRFLOW_VERSION}-python$PY\n';
    expect(base(text)).toMatchObject({ image: 'apache/airflow:2.10.5-python3.12', args: ['ARG AIRFLOW_VERSION=2.10.5', 'ARG PY=3.12'] });
    expect(base(text, { AIRFLOW_VERSION: '3.1.0' })).toMatchObject({ image: 'apache/airflow:3.1.0-python3.12', args: ['build arg AIRFLOW_VERSION=3.1.0', 'ARG PY=3.12'] });
  });

  it('follows a stage name back to its image', () => {
    const text = 'ARG V=3.1.0\nFROM apache/airflow:${V} AS runtime\nRUN pip install x\nFROM python:3.12 AS tools\nFROM runtime\nCOPY dags/ /opt/airflow/dags/\n';
    expect(base(text)).toMatchObject({ image: 'apache/airflow:3.1.0', lines: [5, 2], args: ['ARG V=3.1.0'] });
  });

  it('says which variables have no value', () => {
    expect(base('ARG BASE\nFROM ${BASE}\n')).toMatchObject({ missing: ['BASE'] });
    expect(base('ARG BASE\nFROM ${BASE:-apache/airflow:3.0.6}\n')).toMatchObject({ image: 'apache/airflow:3.0.6', missing: [] });
  });

  it('expands the forms the builder knows', () => {
    const vars = new Map([
      ['A', { value: 'a', source: 'ARG A=a' }],
      ['E', { value: '', source: 'ARG E=' }],
    ]);
    expect(substitute('$A ${A} ${A:-x} ${E:-x} ${E-x} ${A:+y} ${N:+y} ${N-z}', vars).value).toBe('a a a x  y  z');
  });

  it('reads continued lines, ENV forms, WORKDIR and the COPYs from the build context', () => {
    const text = [
      'FROM apache/airflow:3.1.0',
      'ENV AIRFLOW_HOME=/srv/airflow \\',
      '    PYTHONPATH="${PYTHONPATH}:/srv/airflow"',
      'ENV LEGACY some value',
      'WORKDIR $AIRFLOW_HOME',
      'COPY --chown=airflow:root dags/ ${AIRFLOW_HOME}/dags/',
      'COPY ["include", "include/"]',
      'COPY --from=build /wheels /wheels',
      'ADD https://example.com/x.tgz /tmp/',
    ].join('\n');
    const stage = finalStage(parseDockerfile(text), {}, { AIRFLOW_HOME: '/opt/airflow' });
    expect(stage.env).toMatchObject({ AIRFLOW_HOME: '/srv/airflow', PYTHONPATH: ':/srv/airflow', LEGACY: 'some value' });
    expect(stage.envLines).toMatchObject({ PYTHONPATH: 2 });
    expect(stage.copies).toEqual([
      { sources: ['dags/'], dest: '/srv/airflow/dags', line: 6 },
      { sources: ['include'], dest: '/srv/airflow/include', line: 7 },
    ]);
  });

  it('rewrites the FROMs that name images, keeping stage names, scratch and line numbers', () => {
    const text = 'ARG V=3.1.0\nFROM python:3.12 AS tools\nFROM scratch AS empty\nFROM apache/airflow:${V}\nFROM tools\n';
    const rewritten = rewriteFroms(text, {}, (image) => `mirror/${image}`);
    expect(rewritten).toBe('ARG V=3.1.0\nFROM mirror/python:3.12 AS tools\nFROM scratch AS empty\nFROM mirror/apache/airflow:3.1.0\nFROM tools\n');
  });
});
