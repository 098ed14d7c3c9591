import { describe, expect, it } from 'vitest';
import { DagshipError } from '../../src/errors.js';
import { engineRepoTag, formatReference, isTag, parseImageReference, repositoryOf, splitReference, withoutDigest } from '../../src/image-reference.js';

const digest = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  it.each([
    ['apache/airflow:3.3.2', { registry: 'docker.io', repository: 'apache/airflow', tag: '3.3.2' }],
    ['python', { registry: 'docker.io', repository: 'library/python', tag: undefined }],
    ['docker.io/library/python:3.12', { registry: 'docker.io', repository: 'library/python', tag: '3.12' }],
    ['127.0.0.1:5000/team/dags', { registry: '127.0.0.1:5000', repository: 'team/dags', tag: undefined }],
    ['registry:5000/dags:v1', { registry: 'registry:5000', repository: 'dags', tag: 'v1' }],
    [`reg.example.com/team/dags:abc@${digest}`, { registry: 'reg.example.com', repository: 'team/dags', tag: 'abc', digest }],
    [`localhost/dags@${digest}`, { registry: 'localhost', repository: 'dags', digest }],
    ['[::1]:5000/dags:1', { registry: '[::1]:5000', repository: 'dags', tag: '1' }],
  ])('%s', (ref, expected) => expect(parseImageReference(ref)).toMatchObject(expected));

  it.each(['', 'Team/Dags', 'a b', 'repo@sha256:short', 'repo:-bad'])('refuses %j with the expected form', (ref) => {
    expect(() => parseImageReference(ref)).toThrow(DagshipError);
  });

  it('names where the reference was written, so the hint points at what to fix', () => {
    expect(() => parseImageReference('Bad/Ref', '--image')).toThrow(/invalid image reference 'Bad\/Ref' \(--image\)/);
  });
});

describe('splitReference', () => {
  it('keeps the name as written (no Docker Hub normalisation)', () => {
    expect(splitReference(`airflow:3@${digest}`)).toEqual({ name: 'airflow', tag: '3', digest });
    expect(splitReference('127.0.0.1:5111/team/dags')).toEqual({ name: '127.0.0.1:5111/team/dags', tag: undefined, digest: undefined });
    expect(splitReference('a b')).toBeUndefined();
  });
});

describe('repositoryOf', () => {
  it('compares repositories whatever the tag, digest or Docker Hub spelling', () => {
    expect(repositoryOf('apache/airflow:3.3.2')).toBe(repositoryOf(`docker.io/apache/airflow@${digest}`));
    expect(repositoryOf('python')).toBe('docker.io/library/python');
    expect(repositoryOf('127.0.0.1:5111/team/dags:1')).toBe('127.0.0.1:5111/team/dags');
  });
});

describe('formatReference, withoutDigest, isTag', () => {
  it('formats the normalised form back, and round-trips through parse', () => {
    const ref = parseImageReference(`python:3.12@${digest}`);
    expect(formatReference(ref)).toBe(`docker.io/library/python:3.12@${digest}`);
    expect(parseImageReference(formatReference(ref))).toEqual(ref);
  });
  it('drops only a trailing digest', () => {
    expect(withoutDigest(`reg:5000/dags:1@${digest}`)).toBe('reg:5000/dags:1');
    expect(withoutDigest('reg:5000/dags:1')).toBe('reg:5000/dags:1');
  });
  it('accepts Docker tags only', () => {
    expect(isTag('v1.2-rc_3')).toBe(true);
    expect(isTag('a'.repeat(128))).toBe(true);
    expect(isTag('a'.repeat(129))).toBe(false);
    expect(isTag('.hidden')).toBe(false);
    expect(isTag('has/slash')).toBe(false);
  });
});

describe('engineRepoTag', () => {
  it('splits into repository and tag the way the Engine API takes them (a digest stands for the tag, a port does not)', () => {
    expect(engineRepoTag('127.0.0.1:5111/team/dags:abc')).toEqual({ repository: '127.0.0.1:5111/team/dags', tag: 'abc' });
    expect(engineRepoTag('127.0.0.1:5111/team/dags')).toEqual({ repository: '127.0.0.1:5111/team/dags', tag: undefined });
    expect(engineRepoTag(`airflow@${digest}`)).toEqual({ repository: 'airflow', tag: digest });
    expect(engineRepoTag(`airflow:3@${digest}`)).toEqual({ repository: 'airflow', tag: digest });
  });
});
