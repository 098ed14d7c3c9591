import { describe, expect, it } from 'vitest';
import { EngineStreamError, type ImageDetails, type ProgressEvent } from '../../src/build/engine-images.js';
import { pushImage, type PushDeps } from '../../src/build/push.js';
import { configSchema, type Options } from '../../src/config.js';
import type { Credentials } from '../../src/credentials.js';
import type { ImageEngine } from '../../src/docker.js';
import { DagshipError } from '../../src/errors.js';
import type { GitRepo } from '../../src/git.js';
import { silentLogger } from '../../src/logger.js';
import type { RegistryClient, RemoteManifest } from '../../src/registry.js';

const sha = 'cb93dcc19bab14105373b7cb3d537ac8e6e80603';
const repo = 'reg.example.com/team/dags';
const d = (c: string) => `sha256:${c.repeat(64)}`;
const options: Options = { ...configSchema.parse({ repository: repo, build: { extra_tags: ['staging'] } }), root: '/repo' };

function image(over: Partial<ImageDetails> = {}): ImageDetails {
  return { id: d('c'), tags: [`${repo}:${sha}`, `${repo}:staging`], repoDigests: [], labels: {}, layers: [d('1'), d('2')], os: 'linux', architecture: 'amd64', config: {}, paths: {}, ...over };
}

interface World {
  images: Record<string, ImageDetails>;
  /** What the registry holds, by tag. */
  remote: Record<string, RemoteManifest>;
  /** Errors the engine's push throws, in turn, before it succeeds. */
  pushFailures?: string[];
  /** What the registry says after a push (default: what was pushed). */
  afterPush?: RemoteManifest;
}

function fakes(world: World) {
  const pushed: string[] = [];
  const auths: unknown[] = [];
  const engine = {
    inspect: async (ref: string) => world.images[ref],
    push: async (ref: string, auth: unknown, onProgress?: (e: ProgressEvent) => void) => {
      auths.push(auth);
      const failure = world.pushFailures?.shift();
      if (failure) throw new EngineStreamError(failure);
      pushed.push(ref);
      const events: ProgressEvent[] = [{ id: '111111111111', status: 'Pushed' }, { id: '222222222222', status: 'Layer already exists' }];
      events.forEach((e) => onProgress?.(e));
      const tag = ref.slice(ref.lastIndexOf(':') + 1);
      world.remote[tag] = world.afterPush ?? manifest((world.images[ref] ?? Object.values(world.images)[0]!).id, 'f');
      return { digest: world.remote[tag]!.digest, events };
    },
  } as unknown as ImageEngine;
  const registry = (host: string, credentials: Credentials | undefined): RegistryClient => ({
    host,
    ping: async () => ({ url: `https://${host}`, authRequired: Boolean(credentials) }),
    manifest: async (path, tag) => (expect(path).toBe('team/dags'), world.remote[tag]),
  });
  const git: GitRepo = { state: async () => ({ root: '/repo', revision: sha, commitTime: '2026-01-02T03:04:05Z', dirtyPaths: [] }), changedSince: async () => [] };
  const deps: PushDeps = { engine, git, registry, credentialsFor: async () => ({ username: 'robot', password: 'hunter2', source: 'test' }), retryDelaysMs: [0, 0, 0] };
  return { deps, pushed, auths };
}

const manifest = (configDigest: string, c: string, over: Partial<RemoteManifest> = {}): RemoteManifest => ({
  digest: d(c),
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  configDigest,
  isList: false,
  layers: [
    { digest: d('7'), size: 1000 },
    { digest: d('8'), size: 20 },
  ],
  ...over,
});

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as DagshipError);

describe('pushImage', () => {
  it('pushes the commit tag and extra tags, reads them back and returns the pinned reference', async () => {
    const { deps, pushed, auths } = fakes({ images: { [`${repo}:${sha}`]: image() }, remote: {} });
    const outcome = await pushImage({ options }, deps, silentLogger);
    expect(pushed).toEqual([`${repo}:${sha}`, `${repo}:staging`]);
    expect(outcome).toEqual({ reference: `${repo}@${d('f')}`, digest: d('f'), tags: [sha, 'staging'], uploaded: true, bytesUploaded: 1000 });
    expect(auths[0]).toEqual({ username: 'robot', password: 'hunter2', serveraddress: 'reg.example.com' });
  });

  it('uploads nothing when the tag already holds this image, and prints the existing pin', async () => {
    const { deps, pushed } = fakes({ images: { [`${repo}:${sha}`]: image({ tags: [`${repo}:${sha}`] }) }, remote: { [sha]: manifest(d('c'), 'e') } });
    const outcome = await pushImage({ options }, deps, silentLogger);
    expect(pushed).toEqual([]);
    expect(outcome).toMatchObject({ reference: `${repo}@${d('e')}`, uploaded: false, bytesUploaded: 0 });
  });

  it('refuses to move a tag that holds other content, naming the digest that holds it', async () => {
    const { deps, pushed } = fakes({ images: { [`${repo}:${sha}`]: image() }, remote: { [sha]: manifest(d('9'), 'e') } });
    const err = await failure(pushImage({ options }, deps, silentLogger));
    expect(err).toMatchObject({ kind: 'gate' });
    expect(err!.message).toContain(`already exists in the registry with different content: ${repo}@${d('e')} (image ${d('9')})`);
    expect(pushed).toEqual([]);
  });

  it('refuses a tag that holds a manifest list, saying so', async () => {
    const { deps } = fakes({ images: { [`${repo}:${sha}`]: image() }, remote: { [sha]: manifest(d('9'), 'e', { isList: true, configDigest: undefined }) } });
    expect((await failure(pushImage({ options }, deps, silentLogger)))!.message).toMatch(/as a manifest list \(multi-platform image\)/);
  });

  it('refuses an image labelled dirty unless --allow-dirty', async () => {
    const dirty = image({ labels: { 'io.dagship.dirty': 'true' } });
    const { deps } = fakes({ images: { [`${repo}:${sha}`]: dirty }, remote: {} });
    const err = await failure(pushImage({ options }, deps, silentLogger));
    expect(err).toMatchObject({ kind: 'gate' });
    expect(err!.message).toMatch(/built from uncommitted changes \(label io.dagship.dirty=true\): it is not a release/);
    expect((await pushImage({ options, allowDirty: true }, deps, silentLogger)).tags).toEqual([sha]);
  });

  it('finds only a -dirty build of the commit: refused, or pushed with --allow-dirty', async () => {
    const dirtyRef = `${repo}:${sha}-dirty`;
    const { deps, pushed } = fakes({ images: { [dirtyRef]: image({ labels: { 'io.dagship.dirty': 'true' }, tags: [dirtyRef] }) }, remote: {} });
    expect(await failure(pushImage({ options }, deps, silentLogger))).toMatchObject({ kind: 'gate' });
    await pushImage({ options, allowDirty: true }, deps, silentLogger);
    expect(pushed).toEqual([dirtyRef]);
  });

  it('says to build first when the commit has no image', async () => {
    const { deps } = fakes({ images: {}, remote: {} });
    const err = await failure(pushImage({ options }, deps, silentLogger));
    expect(err).toMatchObject({ kind: 'usage', hint: 'run dagship build first (with the same --short-sha setting)' });
  });

  it('retries transient failures with backoff, then succeeds', async () => {
    const world: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {}, pushFailures: ['Patch "http://r/v2/x/blobs/uploads/1": read: connection reset by peer', 'received unexpected HTTP status: 502 Bad Gateway'] };
    const { deps, pushed } = fakes(world);
    expect((await pushImage({ options }, deps, silentLogger)).uploaded).toBe(true);
    expect(pushed).toHaveLength(1);
  });

  it('gives up after the bounded retries, reporting nothing as pushed', async () => {
    const world: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {}, pushFailures: Array(4).fill('dial tcp 127.0.0.1:5113: connect: connection refused') };
    const err = await failure(pushImage({ options }, fakes(world).deps, silentLogger));
    expect(err).toMatchObject({ kind: 'infra' });
    expect(err!.message).toMatch(/failed 4 time\(s\), the last with: dial tcp/);
  });

  it('does not retry an auth failure and never shows the password', async () => {
    const world: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {}, pushFailures: ['unauthorized: authentication required for robot:hunter2', 'never reached'] };
    const err = await failure(pushImage({ options }, fakes(world).deps, silentLogger));
    expect(err!.message).toBe(`the registry reg.example.com refused the push of ${repo}:${sha}: unauthorized: authentication required for robot:***`);
    expect(world.pushFailures).toEqual(['never reached']);
  });

  it('does not report a push the registry does not show', async () => {
    const world: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {}, afterPush: manifest(d('9'), 'a') };
    const err = await failure(pushImage({ options }, fakes(world).deps, silentLogger));
    expect(err!.message).toMatch(/not reporting it as pushed/);
  });
});
