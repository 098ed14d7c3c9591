import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveManifest } from '../../src/image/archive.js';
import { baseDigest } from '../../src/image/base.js';
import type { ImageDetails } from '../../src/engine/images.js';
import { imageConfig, utc, type ConfigInput } from '../../src/image/image-config.js';
import { commitTag, dirtyError, overridesKey, publicUrl, releaseLabels, type Release } from '../../src/image/release.js';
import { requirementLines, INSTALL_SCRIPT, requirementsKey } from '../../src/image/requirements.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const parent: ConfigInput['parent'] = {
  os: 'linux',
  architecture: 'amd64',
  layers: [d('1'), d('2')],
  // As the engine reports it: build-time fields that must not reach the new config.
  config: {
    Hostname: 'vm',
    AttachStdout: true,
    Image: 'dagship-infra/python:x',
    User: '50000',
    Env: ['AIRFLOW_HOME=/opt/airflow'],
    Entrypoint: ['/usr/bin/dumb-init', '--', '/entrypoint'],
    Cmd: [],
    Volumes: null,
    WorkingDir: '/opt/airflow',
    OnBuild: null,
    Labels: { 'io.dagship.standin': 'apache/airflow:3' },
  },
};
const input: ConfigInput = {
  parent,
  baseLayerCount: 2,
  layers: [{ diffId: d('3'), createdBy: 'dagship: dags → /opt/airflow/dags' }],
  labels: { 'org.opencontainers.image.revision': 'abc' },
  created: '2026-01-02T05:04:05+02:00',
};

describe('imageConfig', () => {
  it('keeps the runtime settings, merges labels, fixes created and appends the diff IDs', () => {
    const config = imageConfig(input);
    const json = JSON.parse(config.json);
    expect(json).toEqual({
      architecture: 'amd64',
      config: {
        User: '50000',
        Env: ['AIRFLOW_HOME=/opt/airflow'],
        Entrypoint: ['/usr/bin/dumb-init', '--', '/entrypoint'],
        Cmd: [],
        WorkingDir: '/opt/airflow',
        Labels: { 'io.dagship.standin': 'apache/airflow:3', 'org.opencontainers.image.revision': 'abc' },
      },
      created: '2026-01-02T03:04:05Z',
      history: [{ created_by: 'base image layer' }, { created_by: 'base image layer' }, { created: '2026-01-02T03:04:05Z', created_by: 'dagship: dags → /opt/airflow/dags' }],
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [d('1'), d('2'), d('3')] },
    });
    expect(config.digest).toBe(`sha256:${createHash('sha256').update(config.json).digest('hex')}`);
  });

  it('is the same bytes whatever order the labels and engine fields come in', () => {
    const shuffled = { ...input, parent: { ...parent, config: Object.fromEntries(Object.entries(parent.config).reverse()) }, labels: { ...input.labels } };
    expect(imageConfig(shuffled).digest).toBe(imageConfig(input).digest);
    expect(imageConfig({ ...input, parent: { ...parent, config: { ...parent.config, Hostname: 'other-machine' } } }).digest).toBe(imageConfig(input).digest);
  });

  it('changes with any layer or label', () => {
    expect(imageConfig({ ...input, labels: { x: 'y' } }).digest).not.toBe(imageConfig(input).digest);
    expect(imageConfig({ ...input, layers: [{ diffId: d('4'), createdBy: 'x' }] }).digest).not.toBe(imageConfig(input).digest);
  });

  it('names the requirements layer in the history', () => {
    const withRequirements = imageConfig({ ...input, parent: { ...parent, layers: [d('1'), d('2'), d('5')] } });
    expect(JSON.parse(withRequirements.json).history[2].created_by).toBe('dagship: pip install -r requirements.txt');
  });

  it('spells every instant one way', () => {
    expect(utc('2026-11-25T18:53:18+01:00')).toBe('2026-11-25T17:53:18Z');
  });
});

describe('release helpers', () => {
  it.each([
    ['https://user:ghp_secret@github.com/team/dags.git', 'https://github.com/team/dags.git'],
    ['git@github.com:team/dags.git', 'https://github.com/team/dags.git'],
    ['ssh://git@gitlab.example.com/team/dags.git', 'https://gitlab.example.com/team/dags.git'],
    ['https://github.com/team/dags', 'https://github.com/team/dags'],
    ['/home/me/dags', undefined],
    ['file:///home/me/dags', undefined],
  ])('publicUrl(%s) → %s', (url, expected) => expect(publicUrl(url)).toBe(expected));

  it('tags by full or short commit, -dirty for uncommitted work', () => {
    const sha = 'cb93dcc19bab14105373b7cb3d537ac8e6e80603';
    expect(commitTag(sha, {})).toBe(sha);
    expect(commitTag(sha, { short: true })).toBe('cb93dcc19bab');
    expect(commitTag(sha, { short: true, dirty: true })).toBe('cb93dcc19bab-dirty');
  });

  it('gives a build with overridden content settings its own tag: 8 hex of the sorted overrides, before -dirty', () => {
    const sha = 'cb93dcc19bab14105373b7cb3d537ac8e6e80603';
    const key = createHash('sha256').update('{"base_image":"team/airflow:2","dags_folder":"other"}').digest('hex').slice(0, 8);
    expect(commitTag(sha, { overrides: {} })).toBe(sha);
    expect(commitTag(sha, { overrides: { dags_folder: 'other', base_image: 'team/airflow:2' } })).toBe(`${sha}-${key}`);
    // The order the overrides were given in does not matter; their values do.
    expect(commitTag(sha, { short: true, dirty: true, overrides: { base_image: 'team/airflow:2', dags_folder: 'other' } })).toBe(`cb93dcc19bab-${key}-dirty`);
    expect(overridesKey({ dags_folder: 'other2', base_image: 'team/airflow:2' })).not.toBe(key);
    expect(overridesKey(undefined)).toBeUndefined();
  });

  const release: Release = { revision: 'abc', commitTime: '2026-01-02T03:04:05Z', dirtyPaths: ['dags/a.py'], source: 'https://github.com/team/dags', ignoredPaths: [] };
  it('labels with OCI annotations and marks dirty builds', () => {
    const labels = releaseLabels({ release, dirty: true, version: 'abc-dirty', baseName: 'apache/airflow:3.3.2', baseDigest: d('b'), dagsDigest: d('c') });
    expect(labels).toEqual({
      'org.opencontainers.image.revision': 'abc',
      'org.opencontainers.image.source': 'https://github.com/team/dags',
      'org.opencontainers.image.created': '2026-01-02T03:04:05Z',
      'org.opencontainers.image.version': 'abc-dirty',
      'org.opencontainers.image.base.name': 'apache/airflow:3.3.2',
      'org.opencontainers.image.base.digest': d('b'),
      'io.dagship.dags.digest': d('c'),
      'io.dagship.dirty': 'true',
    });
  });

  it('records the overridden content settings in a label', () => {
    const labels = releaseLabels({ release, dirty: false, version: 'abc-1a2b3c4d', baseName: 'b', baseDigest: d('b'), dagsDigest: d('c'), overrides: { dags_folder: 'other', base_image: 'x:1' } });
    expect(labels['io.dagship.overrides']).toBe('{"base_image":"x:1","dags_folder":"other"}');
    expect(releaseLabels({ release, dirty: false, version: 'abc', baseName: 'b', baseDigest: d('b'), dagsDigest: d('c'), overrides: {} })).not.toHaveProperty('io.dagship.overrides');
  });

  it('refuses a dirty tree as a usage error naming the paths and the way out', () => {
    const err = dirtyError({ ...release, dirtyPaths: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] });
    expect(err.kind).toBe('usage');
    expect(err.message).toBe('uncommitted changes in what the image bakes: a, b, c, d, e and 2 more');
    expect(err.hint).toContain('--allow-dirty');
  });
});

describe('base and archive', () => {
  const base = { id: d('e'), repoDigests: [] } as unknown as ImageDetails;
  it('pins the base by its registry digest, or by its ID when it has none', () => {
    expect(baseDigest(base, 'dagship-infra/airflow:3')).toBe(d('e'));
    const pulled = { ...base, repoDigests: [`other/x@${d('0')}`, `apache/airflow@${d('a')}`] };
    expect(baseDigest(pulled, 'apache/airflow:3.3.2')).toBe(d('a'));
  });

  it('lists every layer in manifest.json, also those left out of the archive', () => {
    const manifest = JSON.parse(archiveManifest({ config: { json: '{}', digest: d('c') }, repoTags: ['r:t'], layers: [{ diffId: d('1') }, { diffId: d('2'), file: '/tmp/x.tar' }] }));
    expect(manifest).toEqual([{ Config: `${'c'.repeat(64)}.json`, RepoTags: ['r:t'], Layers: [`${'1'.repeat(64)}/layer.tar`, `${'2'.repeat(64)}/layer.tar`] }]);
  });
});

describe('requirements step', () => {
  it('counts only lines that install something', () => {
    expect(requirementLines('/nonexistent')).toEqual([]);
  });

  it('pins Airflow on pip’s command line and keeps the install’s settings in private files that are gone afterwards', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dagship-pip-'));
    // A stand-in pip that reports what it was given, how the files it reads are kept, and the umask it runs with.
    writeFileSync(
      path.join(dir, 'pip'),
      '#!/bin/sh\necho "args: $*"\nr=$(eval echo \\${$#})\necho "requirements: $(cat "$r")"; echo "netrc: $(cat "$NETRC") $(stat -c %a "$NETRC")"\necho "conf: $(cat "$PIP_CONFIG_FILE") $(stat -c %a "$(dirname "$PIP_CONFIG_FILE")")"\necho "umask: $(umask)"; echo "$r" > ' +
        path.join(dir, 'where') +
        '\n',
      { mode: 0o755 },
    );
    const out = execFileSync('sh', ['-c', INSTALL_SCRIPT], {
      env: {
        PATH: `${dir}:/usr/bin:/bin`,
        DAGSHIP_REQUIREMENTS: 'humanize==4.12.1',
        DAGSHIP_NETRC: 'machine h login u password p',
        DAGSHIP_PIP_CONF: '[global]\nindex-url = x',
        DAGSHIP_AIRFLOW_VERSION: '3.1.0',
      },
      encoding: 'utf8',
    });
    expect(out).toContain('args: install --no-cache-dir --no-input --disable-pip-version-check --progress-bar off apache-airflow==3.1.0 -r /dev/shm/dagship-pip.');
    expect(out).toContain('requirements: humanize==4.12.1');
    expect(out).toContain('netrc: machine h login u password p 600');
    expect(out).toContain('conf: [global]\nindex-url = x 700');
    expect(out).toContain('umask: 0022');
    expect(existsSync(path.dirname(readFileSync(path.join(dir, 'where'), 'utf8').trim()))).toBe(false);
  });

  it('caches by base and exact file content', () => {
    expect(requirementsKey(d('e'), Buffer.from('a==1\n'))).toBe(requirementsKey(d('e'), Buffer.from('a==1\n')));
    expect(requirementsKey(d('e'), Buffer.from('a==1\n'))).not.toBe(requirementsKey(d('f'), Buffer.from('a==1\n')));
    expect(requirementsKey(d('e'), Buffer.from('a==1\n'))).not.toBe(requirementsKey(d('e'), Buffer.from('a==2\n')));
  });
});
