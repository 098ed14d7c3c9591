import { folderWith } from './helpers.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildImage, type BuildDeps } from '../../src/image/build.js';
import { EngineStreamError, type BuildSpec, type ImageDetails } from '../../src/engine/images.js';
import { configSchema, type Options } from '../../src/config.js';
import type { CommitRunSpec, ImageEngine } from '../../src/engine/index.js';
import type { GitState } from '../../src/git.js';
import { silentLogger } from '../../src/logger.js';

// The folder-owner cache (path-cache.ts) goes to a scratch folder, not the user's ~/.cache.
process.env.XDG_CACHE_HOME = mkdtempSync(path.join(tmpdir(), 'dagship-cache-'));

const sha = 'cb93dcc19bab14105373b7cb3d537ac8e6e80603';
const repo = '127.0.0.1:5111/team/dags';
const d = (c: string) => `sha256:${c.repeat(64)}`;

const checkout = (files: Record<string, string>) => folderWith(files, 'dagship-build-');

const base: ImageDetails = {
  id: d('b'),
  tags: ['airflow:3'],
  repoDigests: [],
  labels: {},
  layers: [d('1'), d('2')],
  os: 'linux',
  architecture: 'amd64',
  config: { User: '50000', Labels: { from: 'base' } },
  paths: {},
};

/** What the fake engine saw of an archive it loaded. */
interface Loaded {
  names: string[];
  manifest: { Config: string; RepoTags: string[]; Layers: string[] }[];
  config: { rootfs: { diff_ids: string[] }; config: { Labels: Record<string, string> } };
}

function readTar(stream: NodeJS.ReadableStream): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Buffer>();
    const extract = tar.extract();
    extract.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c) => chunks.push(c as Buffer));
      body.on('end', () => {
        entries.set(header.name, Buffer.concat(chunks));
        next();
      });
    });
    extract.on('finish', () => resolve(entries));
    extract.on('error', reject);
    pipeline(stream, extract).catch(reject);
  });
}

// The Airflow version each parent is read once for is cached on disk: a scratch cache, not the user's.
beforeAll(() => {
  process.env.DAGSHIP_CACHE_DIR = mkdtempSync(path.join(tmpdir(), 'dagship-cache-'));
});

function fakeEngine(store: 'graphdriver' | 'containerd' = 'graphdriver', pipFails?: string) {
  const images = new Map<string, ImageDetails>([
    ['airflow:3', base],
    [base.id, base],
  ]);
  const loads: Loaded[] = [];
  const builds: BuildSpec[] = [];
  const commits: CommitRunSpec[] = [];
  const statted: string[] = [];
  const tagged: string[] = [];
  const engine = {
    storage: async () => ({ storageDriver: 'overlay2', imageStore: store }),
    image: async (ref: string) => images.get(ref),
    run: async () => ({ exitCode: 0, stdout: '3.3.2\n', stderr: '', timedOut: false, truncated: false }),
    inspect: async (ref: string, paths: string[] = []) => {
      const image = images.get(ref);
      if (!image || paths.length === 0) return image;
      statted.push(ref);
      return { ...image, paths: { '/opt/airflow': { uid: 50000, gid: 0, mode: 0o775 } } };
    },
    build: async (spec: BuildSpec) => {
      builds.push(spec);
      throw new EngineStreamError('the generated build never runs the classic builder');
    },
    runAndCommit: async (spec: CommitRunSpec) => {
      commits.push(spec);
      if (pipFails) {
        spec.onOutput(Buffer.from(pipFails), 'stderr');
        return { exitCode: 1, timedOut: false };
      }
      const built = { ...base, id: d('r'), layers: [...base.layers, d('3')] };
      images.set(spec.ref, built).set(built.id, built);
      return { exitCode: 0, timedOut: false, id: built.id };
    },
    save: async () => {
      const pack = tar.pack();
      for (const n of ['a', 'b']) pack.entry({ name: `${n}/layer.tar` }, `layer ${n}`);
      pack.entry({ name: 'manifest.json' }, JSON.stringify([{ Layers: ['a/layer.tar', 'b/layer.tar'] }]));
      pack.finalize();
      return Readable.from(pack);
    },
    load: async (archive: NodeJS.ReadableStream) => {
      const entries = await readTar(archive);
      const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as Loaded['manifest'];
      const config = JSON.parse(entries.get(manifest[0]!.Config)!.toString()) as Loaded['config'];
      loads.push({ names: [...entries.keys()], manifest, config });
      const id = `sha256:${manifest[0]!.Config.replace('.json', '')}`;
      const image = { ...base, id, tags: manifest[0]!.RepoTags, labels: config.config.Labels, layers: config.rootfs.diff_ids };
      for (const ref of [id, ...manifest[0]!.RepoTags]) images.set(ref, image);
      return manifest[0]!.RepoTags;
    },
    tag: async (source: string, ref: string) => {
      tagged.push(ref);
      const image = images.get(source)!;
      image.tags = [...image.tags, ref];
      images.set(ref, image);
    },
  } as unknown as ImageEngine;
  return { engine, loads, builds, commits, statted, tagged, images };
}

function deps(engine: ImageEngine, root: string, dirtyPaths: string[] = [], commit = { revision: sha, time: '2026-01-02T03:04:05+00:00' }): BuildDeps {
  const state: GitState = { root, revision: commit.revision, commitTime: commit.time, dirtyPaths };
  return { engine, git: { state: async () => state, changedSince: async () => [] }, credentialsFor: async () => undefined };
}

const options = (root: string, over: Record<string, unknown> = {}): Options => ({
  ...configSchema.parse({ base_image: 'airflow:3', repository: repo, build: { extra_tags: ['staging'] }, ...over }),
  root,
});
const files = { 'dags/a.py': 'a = 1\n', 'dags/__pycache__/a.pyc': 'x', 'plugins/p.py': 'p = 1\n', 'README.md': '# dags\n' };

describe('buildImage (generated)', () => {
  it('loads an archive with only the new layers on a graph-driver engine, tagged by commit with labels', async () => {
    const root = checkout(files);
    const { engine, loads } = fakeEngine();
    const result = await buildImage({ options: options(root) }, deps(engine, root), silentLogger);
    expect(result).toMatchObject({ image: `${repo}:${sha}`, tags: [`${repo}:${sha}`, `${repo}:staging`], method: 'archive', reproducible: true, dirty: false });
    expect(result.layers.map((l) => [l.name, l.target])).toEqual([
      ['plugins', '/opt/airflow/plugins'],
      ['dags', '/opt/airflow/dags'],
    ]);
    expect(result.excluded).toEqual(['dags/__pycache__']);
    const [loaded] = loads;
    expect(loaded!.names.filter((n) => n.endsWith('layer.tar'))).toHaveLength(2);
    expect(loaded!.manifest[0]!.Layers).toHaveLength(4);
    expect(loaded!.config.rootfs.diff_ids.slice(0, 2)).toEqual(base.layers);
    expect(loaded!.config.config.Labels).toMatchObject({
      from: 'base',
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.base.digest': base.id,
      'org.opencontainers.image.created': '2026-01-02T03:04:05Z',
      'io.dagship.airflow.version': '3.3.2',
    });
    expect(result.id).toBe(`sha256:${loaded!.manifest[0]!.Config.replace('.json', '')}`);
  });

  it('refuses a DAG folder without DAG files before the engine does anything, unless allowed', async () => {
    const root = checkout({ 'dags/README.md': '# nothing here yet\n', 'plugins/p.py': 'p = 1\n' });
    const { engine, loads, builds } = fakeEngine();
    const refused = await buildImage({ options: options(root) }, deps(engine, root), silentLogger).catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'config', message: 'the DAG folder dags/ has no Python files: a release from it would remove every DAG from Airflow' });
    expect((refused as { hint: string }).hint).toMatch(/--allow-empty-dags/);
    expect([loads.length, builds.length]).toEqual([0, 0]);
    const allowed = await buildImage({ options: options(root, { allow_empty_dags: true }) }, deps(engine, root), silentLogger);
    expect(allowed.image).toBe(`${repo}:${sha}`);
  });

  it('gives the same image ID for the same commit, built again, and reads folder owners once per parent image', async () => {
    const root = checkout(files);
    process.env.XDG_CACHE_HOME = mkdtempSync(path.join(tmpdir(), 'dagship-cache-'));
    const { engine, statted } = fakeEngine();
    const first = await buildImage({ options: options(root) }, deps(engine, root), silentLogger);
    const second = await buildImage({ options: options(root) }, deps(fakeEngine().engine, root), silentLogger);
    expect(second.id).toBe(first.id);
    await buildImage({ options: options(root) }, deps(engine, root), silentLogger);
    expect(statted).toEqual([base.id]);
  });

  it('tags the image the engine already holds (same config digest) instead of loading it again', async () => {
    const root = checkout(files);
    const { engine, loads, tagged, images } = fakeEngine();
    const first = await buildImage({ options: options(root) }, deps(engine, root), silentLogger);
    images.delete(`${repo}:staging`);
    images.get(first.id)!.tags = [`${repo}:${sha}`];
    const second = await buildImage({ options: options(root) }, deps(engine, root), silentLogger);
    expect(loads).toHaveLength(1);
    expect(tagged).toEqual([`${repo}:staging`]);
    expect(second).toMatchObject({ id: first.id, method: 'held' });
  });

  it('gives an unchanged plugins folder the same layer in the next commit; the DAG layer carries the commit time', async () => {
    const root = checkout(files);
    const { engine } = fakeEngine();
    const first = await buildImage({ options: options(root) }, deps(engine, root), silentLogger);
    const next = await buildImage({ options: options(root) }, deps(engine, root, [], { revision: 'f'.repeat(40), time: '2026-02-03T04:05:06+00:00' }), silentLogger);
    expect(next.layers[0]!.diffId).toBe(first.layers[0]!.diffId);
    expect(next.layers[1]!.diffId).not.toBe(first.layers[1]!.diffId);
  });

  it('includes the exported base layers on the containerd image store', async () => {
    const root = checkout(files);
    const { engine, loads } = fakeEngine('containerd');
    const result = await buildImage({ options: options(root) }, deps(engine, root), silentLogger);
    expect(result.method).toBe('archive-with-base');
    expect(loads[0]!.names.filter((n) => n.endsWith('layer.tar'))).toHaveLength(4);
  });

  it('refuses uncommitted changes to baked files, but not to the rest of the repository', async () => {
    const root = checkout(files);
    await expect(buildImage({ options: options(root) }, deps(fakeEngine().engine, root, ['dags/a.py']), silentLogger)).rejects.toMatchObject({ kind: 'usage' });
    const result = await buildImage({ options: options(root) }, deps(fakeEngine().engine, root, ['README.md', 'dags/__pycache__/a.pyc']), silentLogger);
    expect(result.dirty).toBe(false);
  });

  it('with --allow-dirty, tags <sha>-dirty only, and labels it dirty', async () => {
    const root = checkout(files);
    const result = await buildImage({ options: options(root), allowDirty: true }, deps(fakeEngine().engine, root, ['plugins/p.py']), silentLogger);
    expect(result.tags).toEqual([`${repo}:${sha}-dirty`]);
    expect(result.labels['io.dagship.dirty']).toBe('true');
  });

  it('installs requirements in their own cached image below the DAG layers, on the host network, with Airflow pinned', async () => {
    const root = checkout({ ...files, 'requirements.txt': '# extras\nhumanize==4.12.1\n' });
    const { engine, builds, commits, loads } = fakeEngine();
    await buildImage({ options: options(root) }, deps(engine, root), silentLogger);
    await buildImage({ options: options(root) }, deps(engine, root), silentLogger);
    expect(builds).toHaveLength(0);
    expect(commits).toHaveLength(1);
    expect(commits[0]).toMatchObject({ network: 'host', timeoutMs: 1_200_000, createdBy: 'dagship: pip install -r requirements.txt (apache-airflow==3.3.2)' });
    expect(commits[0]!.env).toMatchObject({ DAGSHIP_AIRFLOW_VERSION: '3.3.2', DAGSHIP_REQUIREMENTS: '# extras\nhumanize==4.12.1\n' });
    expect(commits[0]!.ref).toMatch(/^dagship\.local\/requirements:[0-9a-f]{20}$/);
    expect(loads).toHaveLength(1); // the second build found the very same image on the engine
    expect(loads[0]!.config.rootfs.diff_ids.slice(0, 3)).toEqual([d('1'), d('2'), d('3')]);
  });

  it('turns a failed pip install into a configuration error with pip’s words, and a conflict with Airflow into its own message', async () => {
    const root = checkout({ ...files, 'requirements.txt': 'no-such-package-dagship==0.0.0\n' });
    const failing = fakeEngine('graphdriver', 'ERROR: No matching distribution found for no-such-package-dagship==0.0.0\n');
    await expect(buildImage({ options: options(root) }, deps(failing.engine, root), silentLogger)).rejects.toMatchObject({
      kind: 'config',
      message: expect.stringMatching(/^installing requirements.txt failed \(pip exit 1\):\nERROR: No matching distribution/),
    });
    const conflict = fakeEngine('graphdriver', 'The conflict is caused by:\n    The user requested apache-airflow==3.3.2\n    newer 1.0 depends on apache-airflow>=99\nERROR: ResolutionImpossible\n');
    await expect(buildImage({ options: options(root) }, deps(conflict.engine, root), silentLogger)).rejects.toMatchObject({
      kind: 'config',
      message: expect.stringMatching(/^requirements.txt conflicts with the image's apache-airflow==3.3.2:/),
      hint: expect.stringContaining("needs another Airflow than the base image's 3.3.2"),
    });
  });

  it('needs a base image and a DAG folder, each said plainly, and a valid repository when one is set', async () => {
    const root = checkout(files);
    // Without a repository the image is named for this engine only.
    const local = await buildImage({ options: options(root, { repository: undefined }) }, deps(fakeEngine().engine, root), silentLogger);
    expect(local.image).toMatch(new RegExp(`^dagship-local/dagship-build-[a-z0-9-]+:${sha}$`));
    await expect(buildImage({ options: options(root, { repository: `${repo}:tag` }) }, deps(fakeEngine().engine, root), silentLogger)).rejects.toThrow(/includes a tag or digest/);
    await expect(buildImage({ options: options(root, { base_image: undefined }) }, deps(fakeEngine().engine, root), silentLogger)).rejects.toThrow(/no base image configured/);
    await expect(buildImage({ options: options(root, { dags_folder: 'nope' }) }, deps(fakeEngine().engine, root), silentLogger)).rejects.toThrow(/the DAG folder nope\/ does not exist/);
  });
});
