import { describe, expect, it } from 'vitest';
import { checkerRequest } from '../../src/checks/checker.js';
import { configSchema, type Options } from '../../src/config.js';
import { imagePathsOf, layoutEnv, nestedSources, ownedPaths, placements } from '../../src/layout.js';
import { imageConfig } from '../../src/image/image-config.js';
import { errorOf, folderWith } from './helpers.js';

const ASTRO = { 'dags/a.py': '', 'include/helpers.py': '', 'include/data.csv': '', 'plugins/p.py': '' };
const options = (files: Record<string, string>, config: Record<string, unknown> = {}): Options => ({ ...configSchema.parse(config), root: folderWith(files) });
const astro = (folders: Record<string, string>) =>
  options(ASTRO, { image_layout: { dags: '/usr/local/airflow/dags', plugins: '/usr/local/airflow/plugins', folders, python_path: ['/usr/local/airflow'] } });

describe('placements', () => {
  it('is the official layout without image_layout: the plugins folder only when the repository has one', () => {
    expect(placements(options({ 'dags/a.py': '' }))).toEqual([{ kind: 'dags', name: 'dags', source: 'dags', target: '/opt/airflow/dags' }]);
    expect(placements(options({ 'dags/a.py': '', 'plugins/p.py': '' }))).toEqual([
      { kind: 'plugins', name: 'plugins', source: 'plugins', target: '/opt/airflow/plugins' },
      { kind: 'dags', name: 'dags', source: 'dags', target: '/opt/airflow/dags' },
    ]);
  });

  it('puts the extra folders first, parents before what they hold, the whole repository as source ""', () => {
    const all = placements(astro({ include: '/usr/local/airflow/include/', '.': '/usr/local/airflow' }));
    expect(all.map((p) => `${p.name}:${p.source}→${p.target}`)).toEqual([
      '.:→/usr/local/airflow',
      'include:include→/usr/local/airflow/include',
      'plugins:plugins→/usr/local/airflow/plugins',
      'dags:dags→/usr/local/airflow/dags',
    ]);
    // What lands at the same place inside the whole repository's layer is baked once, by its own layer.
    expect(nestedSources(all[0]!, all)).toEqual(['include', 'plugins', 'dags']);
    expect(imagePathsOf(all, 'include/data.csv')).toEqual(['/usr/local/airflow/include/data.csv']);
    expect(imagePathsOf(all, 'dags/a.py')).toEqual(['/usr/local/airflow/dags/a.py']);
    expect(imagePathsOf(all, 'README.md')).toEqual(['/usr/local/airflow/README.md']);
    expect(ownedPaths(all)).toEqual(['/usr', '/usr/local', '/usr/local/airflow', '/usr/local/airflow/include']);
  });

  it('refuses a folder that does not exist, or is a file, naming the key (exit 2)', () => {
    const missing = errorOf(() => placements(astro({ shared: '/usr/local/airflow/shared' })));
    expect(missing.kind).toBe('config');
    expect(missing.message).toMatch(/^image_layout\.folders\.shared: .*\/shared does not exist$/);
    expect(errorOf(() => placements(astro({ 'include/data.csv': '/data' }))).message).toMatch(/^image_layout\.folders\.include\/data\.csv: .* is not a folder$/);
  });

  it('refuses folders that would put files into the DAG or plugins folder, or share a target', () => {
    expect(errorOf(() => placements(astro({ include: '/usr/local/airflow/dags' }))).message).toContain('into the DAG folder /usr/local/airflow/dags');
    expect(errorOf(() => placements(astro({ include: '/usr/local/airflow/dags/include' }))).message).toContain('into the DAG folder');
    expect(errorOf(() => placements(astro({ include: '/usr/local/airflow/plugins' }))).message).toContain('into the plugins folder');
    // The whole repository at /opt/airflow puts its dags/ at /opt/airflow/dags, where airflow/dags/ should be.
    const shadow = errorOf(() => placements(options({ 'airflow/dags/a.py': '', 'dags/old.py': '' }, { dags_folder: 'airflow/dags', image_layout: { folders: { '.': '/opt/airflow' } } })));
    expect(shadow.kind).toBe('config');
    expect(shadow.message).toContain("puts the repository's dags/ at /opt/airflow/dags, where the DAG folder airflow/dags/ goes");
    // Without a dags/ of its own there, the same layout is fine.
    expect(placements(options({ 'airflow/dags/a.py': '' }, { dags_folder: 'airflow/dags', image_layout: { folders: { '.': '/opt/airflow' } } }))).toHaveLength(2);
    const twice = errorOf(() => placements(astro({ include: '/srv/shared', plugins: '/srv/shared' })));
    expect(twice.message).toBe('image_layout: both image_layout.folders.include and image_layout.folders.plugins go to /srv/shared in the image');
    expect(errorOf(() => placements(astro({ include: '/usr/local/airflow/./dags//x' }))).message).toContain('into the DAG folder');
  });
});

describe('the checker request', () => {
  it('maps every folder to where the image has it, the same for a mounted repository and a built image', () => {
    const request = checkerRequest(astro({ include: '/usr/local/airflow/include' }));
    expect(request).toMatchObject({
      roots: { '/usr/local/airflow/include': 'include', '/usr/local/airflow/plugins': 'plugins', '/usr/local/airflow/dags': 'dags' },
      dags_folder: '/usr/local/airflow/dags',
      plugins_folder: '/usr/local/airflow/plugins',
      python_path: ['/usr/local/airflow'],
    });
    expect(checkerRequest(options({ 'dags/a.py': '' }))).toMatchObject({ roots: { '/opt/airflow/dags': 'dags' }, dags_folder: '/opt/airflow/dags', python_path: [] });
  });
});

describe('layoutEnv', () => {
  const parent = (env: string[]) => ({ config: { Env: env }, layers: [], os: 'linux', architecture: 'amd64' });

  it('appends python_path to the parent PYTHONPATH and points Airflow at folders it would not look in', () => {
    const o = astro({ include: '/usr/local/airflow/include' });
    const all = placements(o);
    expect(layoutEnv(['AIRFLOW_HOME=/opt/airflow', 'PYTHONPATH=/opt/extra'], o, all)).toEqual({
      PYTHONPATH: '/opt/extra:/usr/local/airflow',
      AIRFLOW__CORE__DAGS_FOLDER: '/usr/local/airflow/dags',
      AIRFLOW__CORE__PLUGINS_FOLDER: '/usr/local/airflow/plugins',
    });
    // An Astro runtime image already looks there.
    expect(layoutEnv(['AIRFLOW_HOME=/usr/local/airflow', 'PYTHONPATH=/usr/local/airflow'], o, all)).toEqual({});
    const config = JSON.parse(
      imageConfig({ parent: parent(['PATH=/bin', 'PYTHONPATH=/opt/extra']), baseLayerCount: 0, layers: [], labels: {}, created: '2026-01-01T00:00:00Z', env: { PYTHONPATH: '/opt/extra:/x', A: 'b' } })
        .json,
    );
    expect(config.config.Env).toEqual(['PATH=/bin', 'PYTHONPATH=/opt/extra:/x', 'A=b']);
  });

  it('changes nothing for the official layout on the official image, and leaves plugins alone without a plugins folder', () => {
    const plain = options({ 'dags/a.py': '', 'plugins/p.py': '' });
    expect(layoutEnv(['AIRFLOW_HOME=/opt/airflow'], plain, placements(plain))).toEqual({});
    const noPlugins = options({ 'dags/a.py': '' }, { image_layout: { dags: '/srv/dags', plugins: '/srv/plugins' } });
    expect(layoutEnv(['AIRFLOW_HOME=/opt/airflow'], noPlugins, placements(noPlugins))).toEqual({ AIRFLOW__CORE__DAGS_FOLDER: '/srv/dags' });
  });
});
