import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EngineStreamError, type ImageDetails, type ProgressEvent } from '../../src/engine/images.js';
import { pushImage, type PushDeps } from '../../src/image/push.js';
import { configSchema, type Options } from '../../src/config.js';
import type { Credentials } from '../../src/credentials.js';
import type { ImageEngine } from '../../src/engine/index.js';
import { DagshipError } from '../../src/errors.js';
import type { GitRepo } from '../../src/git.js';
import { silentLogger } from '../../src/logger.js';
import { parseManifest, type ArtifactRegistry } from '../../src/registry/index.js';

const sha = 'cb93dcc19bab14105373b7cb3d537ac8e6e80603';
const repo = 'reg.example.com/team/dags';
const staging = 'team/dags-dagship-staging';
const d = (c: string) => `sha256:${c.repeat(64)}`;
const digestOf = (body: Buffer) => `sha256:${createHash('sha256').update(body).digest('hex')}`;
const options: Options = { ...configSchema.parse({ repository: repo, build: { extra_tags: ['staging'] } }), root: '/repo' };
const MEDIA = 'application/vnd.docker.distribution.manifest.v2+json';

function image(over: Partial<ImageDetails> = {}): ImageDetails {
  return { id: d('c'), tags: [`${repo}:${sha}`, `${repo}:staging`], repoDigests: [], labels: {}, layers: [d('1'), d('2')], os: 'linux', architecture: 'amd64', config: {}, paths: {}, ...over };
}

/** The bytes of a single-image manifest (or a manifest list) for an image ID. */
const body = (configDigest: string, list = false) =>
  Buffer.from(
    JSON.stringify(
      list
        ? { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [] }
        : {
            schemaVersion: 2,
            mediaType: MEDIA,
            config: { digest: configDigest },
            layers: [
              { digest: d('7'), size: 1000 },
              { digest: d('8'), size: 20 },
            ],
          },
    ),
  );

interface World {
  images: Record<string, ImageDetails>;
  /** What the release repository holds, by tag. */
  remote: Record<string, Buffer>;
  /** Errors the engine's push throws, in turn, before it succeeds. */
  pushFailures?: string[];
  /** Another writer: runs just before dagship's tag write lands (fresh look-up already done). */
  beforeTagWrite?: (tag: string) => void;
  /** Another writer: runs right after dagship's tag write lands. */
  afterTagWrite?: (tag: string) => void;
  /** The tag write lands but its answer is lost. */
  dropTagAnswer?: boolean;
  /** The registry opens an upload instead of mounting. */
  noMount?: boolean;
}

function fakes(world: World) {
  const pushed: string[] = [];
  const auths: unknown[] = [];
  const stagingStore: Record<string, Buffer> = {};
  const mounted: string[] = [];
  const copied: string[] = [];
  const engine = {
    inspect: async (ref: string) => world.images[ref] ?? Object.values(world.images).find((i) => i.id === ref),
    tag: async () => undefined,
    untag: async () => undefined,
    push: async (ref: string, auth: unknown, onProgress?: (e: ProgressEvent) => void) => {
      auths.push(auth);
      const failure = world.pushFailures?.shift();
      if (failure) throw new EngineStreamError(failure);
      pushed.push(ref);
      const events: ProgressEvent[] = [
        { id: '111111111111', status: 'Pushed' },
        { id: '222222222222', status: 'Layer already exists' },
      ];
      events.forEach((e) => onProgress?.(e));
      const manifest = body(Object.values(world.images)[0]!.id);
      stagingStore[digestOf(manifest)] = manifest;
      return { digest: digestOf(manifest), events };
    },
  } as unknown as ImageEngine;
  const read = (path: string, ref: string) => (path === staging ? stagingStore[ref] : (world.remote[ref] ?? Object.values(world.remote).find((b) => digestOf(b) === ref)));
  const registry = (host: string): ArtifactRegistry => ({
    host,
    ping: async () => ({ url: `https://${host}`, authRequired: true }),
    manifest: async (path, ref) => {
      const found = read(path, ref);
      return found && parseManifest(found, MEDIA);
    },
    rawManifest: async (path, ref) => {
      const found = read(path, ref);
      return found && { body: found, mediaType: MEDIA };
    },
    blob: async (path, digest) => (expect(path).toBe(staging), Buffer.from(digest)),
    putBlob: async (_path, data) => (copied.push(data.toString()), data.toString()),
    mountBlob: async (path, digest, from) => (expect([path, from]).toEqual(['team/dags', staging]), mounted.push(digest), !world.noMount),
    putManifest: async (path, tag, data) => {
      expect(path).toBe('team/dags');
      world.beforeTagWrite?.(tag);
      world.remote[tag] = data;
      world.afterTagWrite?.(tag);
      if (world.dropTagAnswer) throw new DagshipError('cannot reach the registry: socket closed', '', 'infra');
      return { digest: digestOf(data) };
    },
    referrers: async () => undefined,
  });
  const git: GitRepo = { state: async () => ({ root: '/repo', revision: sha, commitTime: '2026-01-02T03:04:05Z', dirtyPaths: [] }), changedSince: async () => [] };
  const deps: PushDeps = { engine, git, registry, credentialsFor: async (_: string): Promise<Credentials> => ({ username: 'robot', password: 'hunter2', source: 'test' }), retryDelaysMs: [0, 0, 0] };
  return { deps, pushed, auths, mounted, copied };
}

const ours = digestOf(body(d('c')));
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as DagshipError,
  );

describe('pushImage', () => {
  it('uploads to a one-time staging tag, mounts the blobs, writes the commit and extra tags itself, and returns the pin', async () => {
    const world: World = { images: { [`${repo}:${sha}`]: image() }, remote: {} };
    const { deps, pushed, auths, mounted } = fakes(world);
    const outcome = await pushImage({ options }, deps, silentLogger);
    expect(pushed).toEqual([expect.stringMatching(new RegExp(`^reg\\.example\\.com/${staging}:${sha}-[a-f0-9]{8}$`))]);
    expect(mounted).toEqual([d('c'), d('7'), d('8')]);
    expect(outcome).toEqual({ reference: `${repo}@${ours}`, digest: ours, tags: [sha, 'staging'], uploaded: true, bytesUploaded: 1000 });
    expect(digestOf(world.remote[sha]!)).toBe(ours);
    expect(digestOf(world.remote.staging!)).toBe(ours);
    expect(auths[0]).toEqual({ username: 'robot', password: 'hunter2', serveraddress: 'reg.example.com' });
  });

  it('uploads nothing when the tag already holds this image, and prints the existing pin', async () => {
    const { deps, pushed } = fakes({ images: { [`${repo}:${sha}`]: image({ tags: [`${repo}:${sha}`] }) }, remote: { [sha]: body(d('c')) } });
    const outcome = await pushImage({ options }, deps, silentLogger);
    expect(pushed).toEqual([]);
    expect(outcome).toMatchObject({ reference: `${repo}@${ours}`, uploaded: false, bytesUploaded: 0 });
  });

  it('refuses to move a tag that holds other content, naming the digest that holds it', async () => {
    const { deps, pushed } = fakes({ images: { [`${repo}:${sha}`]: image() }, remote: { [sha]: body(d('9')) } });
    const err = await failure(pushImage({ options }, deps, silentLogger));
    expect(err).toMatchObject({ kind: 'gate' });
    expect(err!.message).toContain(`already exists in the registry with different content: ${repo}@${digestOf(body(d('9')))} (image ${d('9')})`);
    expect(pushed).toEqual([]);
  });

  it('refuses when another writer took the tag during the upload: the fresh look-up before the write sees it', async () => {
    const world: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {} };
    const { deps } = fakes(world);
    const push = deps.engine.push.bind(deps.engine);
    deps.engine.push = async (...args) => ((world.remote[sha] = body(d('9'))), push(...args));
    const err = await failure(pushImage({ options }, deps, silentLogger));
    expect(err).toMatchObject({ kind: 'gate' });
    expect(err!.message).toContain(`${repo}:${sha} was written while this push uploaded: the tag holds ${repo}@${digestOf(body(d('9')))}`);
    expect(digestOf(world.remote[sha]!)).toBe(digestOf(body(d('9'))));
  });

  it('refuses, reporting nothing, when another writer moves the tag right after dagship wrote it', async () => {
    const world: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {}, afterTagWrite: (tag) => (world.remote[tag] = body(d('9'))) };
    const err = await failure(pushImage({ options }, fakes(world).deps, silentLogger));
    expect(err).toMatchObject({ kind: 'gate' });
    expect(err!.message).toContain(`was moved by another writer right after dagship wrote ${ours}: the tag holds ${repo}@${digestOf(body(d('9')))}`);
  });

  it('refuses when another writer in lockstep lands its write just after dagship read its own back: the settled re-read sees it', async () => {
    const world: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {}, afterTagWrite: (tag) => void setTimeout(() => (world.remote[tag] = body(d('9'))), 50) };
    const err = await failure(pushImage({ options }, fakes(world).deps, silentLogger));
    expect(err).toMatchObject({ kind: 'gate' });
    expect(err!.message).toContain(`was moved by another writer right after dagship wrote ${ours}`);
  });

  it('a tag write whose answer is lost is decided by reading the tag: ours → pushed; another writer’s → refused', async () => {
    const landed: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {}, dropTagAnswer: true };
    expect((await pushImage({ options }, fakes(landed).deps, silentLogger)).digest).toBe(ours);
    const lost: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {}, dropTagAnswer: true, afterTagWrite: (tag) => (lost.remote[tag] = body(d('9'))) };
    expect(await failure(pushImage({ options }, fakes(lost).deps, silentLogger))).toMatchObject({ kind: 'gate' });
  });

  it('copies the blobs through dagship when the registry will not mount them', async () => {
    const { deps, copied } = fakes({ images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {}, noMount: true });
    expect((await pushImage({ options }, deps, silentLogger)).digest).toBe(ours);
    expect(copied).toEqual([d('c'), d('7'), d('8')]);
  });

  it('refuses a tag that holds a manifest list, saying so', async () => {
    const { deps } = fakes({ images: { [`${repo}:${sha}`]: image() }, remote: { [sha]: body(d('9'), true) } });
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
    const world: World = { images: { [dirtyRef]: image({ labels: { 'io.dagship.dirty': 'true' }, tags: [dirtyRef] }) }, remote: {} };
    const { deps, pushed } = fakes(world);
    expect(await failure(pushImage({ options }, deps, silentLogger))).toMatchObject({ kind: 'gate' });
    await pushImage({ options, allowDirty: true }, deps, silentLogger);
    expect(pushed).toHaveLength(1);
    expect(Object.keys(world.remote)).toEqual([`${sha}-dirty`]);
  });

  it('says to build first when the commit has no image', async () => {
    const { deps } = fakes({ images: {}, remote: {} });
    const err = await failure(pushImage({ options }, deps, silentLogger));
    expect(err).toMatchObject({ kind: 'usage', hint: 'run dagship build first (with the same --short-sha setting)' });
  });

  it('retries transient failures with backoff, then succeeds', async () => {
    const world: World = {
      images: { [`${repo}:${sha}`]: image({ tags: [] }) },
      remote: {},
      pushFailures: ['Patch "http://r/v2/x/blobs/uploads/1": read: connection reset by peer', 'received unexpected HTTP status: 502 Bad Gateway'],
    };
    const { deps, pushed } = fakes(world);
    expect((await pushImage({ options }, deps, silentLogger)).uploaded).toBe(true);
    expect(pushed).toHaveLength(1);
  });

  it('gives up after the bounded retries, reporting nothing as pushed', async () => {
    const world: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {}, pushFailures: Array(4).fill('dial tcp 127.0.0.1:5113: connect: connection refused') };
    const err = await failure(pushImage({ options }, fakes(world).deps, silentLogger));
    expect(err).toMatchObject({ kind: 'infra' });
    expect(err!.message).toMatch(/failed 4 time\(s\), the last with: dial tcp/);
    expect(world.remote).toEqual({});
  });

  it('does not retry an auth failure and never shows the password', async () => {
    const world: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {}, pushFailures: ['unauthorized: authentication required for robot:hunter2', 'never reached'] };
    const err = await failure(pushImage({ options }, fakes(world).deps, silentLogger));
    expect(err!.message).toMatch(
      new RegExp(
        `^the registry reg.example.com refused the push of ${repo}:${sha} \\(uploaded through reg.example.com/${staging}:${sha}-[a-f0-9]{8}\\): unauthorized: authentication required for robot:\\*\\*\\*$`,
      ),
    );
    expect(world.pushFailures).toEqual(['never reached']);
  });

  it('ends at the deadline when the engine upload never finishes (exit 2), reporting nothing', async () => {
    const world: World = { images: { [`${repo}:${sha}`]: image({ tags: [] }) }, remote: {} };
    const { deps } = fakes(world);
    deps.engine.push = () => new Promise(() => undefined);
    const err = await failure(pushImage({ options, timeoutMs: 50, deadlineName: '--timeout 50ms' }, deps, silentLogger));
    expect(err).toMatchObject({ kind: 'infra' });
    expect(err!.message).toMatch(/did not finish before the --timeout 50ms ran out/);
    expect(world.remote).toEqual({});
  });
});
