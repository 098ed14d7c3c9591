import tar from 'tar-stream';
import { engineRepoTag } from '../image-reference.js';
import { EngineApiError, type EngineApi } from './api.js';
import { runAndCommit, type CommitRunResult, type CommitRunSpec } from './commit.js';
import { EngineStreamError, follow, loadedNames, type OnProgress, type ProgressEvent } from './progress.js';

export { EngineStreamError, follow, loadedNames, parseProgressLine, type OnProgress, type ProgressEvent } from './progress.js';

/** Credentials as the Engine API takes them in X-Registry-Auth; `{}` is anonymous. */
export interface EngineAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress?: string;
}

/** Owner and mode of a path inside an image's filesystem. */
export interface PathInfo {
  uid: number;
  gid: number;
  mode: number;
}

export interface ImageDetails {
  id: string;
  tags: string[];
  repoDigests: string[];
  labels: Record<string, string>;
  /** rootfs diff IDs, base first. */
  layers: string[];
  os: string;
  architecture: string;
  variant?: string;
  /** The runtime config (User, Env, Entrypoint, Cmd, WorkingDir, Labels …) as the engine reports it. */
  config: Record<string, unknown>;
  /** Owner and mode of each path asked for; a path missing from the image is left out. */
  paths: Record<string, PathInfo>;
}

export interface BuildSpec {
  /** A tar stream: the build context, Dockerfile included. */
  context: NodeJS.ReadableStream;
  dockerfile: string;
  tags: string[];
  /** `host` when a RUN step needs the network (pip), as the engine has no bridge on CI machines. */
  network?: 'host' | 'none' | 'default';
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  onProgress?: OnProgress;
  /** Ends the build (the engine stops when its client goes away). */
  signal?: AbortSignal;
}

export interface PushResult {
  /** The manifest digest the engine pushed. */
  digest: string;
  events: ProgressEvent[];
}

/** Image operations of the Engine API that build and push need. */
export interface ImageOperations {
  /** The image with its layers and runtime config, or undefined when the engine does not hold it. */
  inspect(ref: string, paths?: string[]): Promise<ImageDetails | undefined>;
  pull(ref: string, auth: EngineAuth, onProgress?: OnProgress): Promise<void>;
  /** Builds with the classic builder and returns the image ID. */
  build(spec: BuildSpec): Promise<string>;
  /** Runs a script in a container of an image and commits the result with the image's own config. */
  runAndCommit(spec: CommitRunSpec): Promise<CommitRunResult>;
  /** Loads a docker-archive (`docker load`); returns what the engine says it loaded. */
  load(archive: NodeJS.ReadableStream): Promise<string[]>;
  /** Exports an image as a docker-archive (`docker save`). */
  save(ref: string): Promise<NodeJS.ReadableStream>;
  /** Pushes a tag; `signal` ends the push (the engine stops when its client goes away). */
  push(ref: string, auth: EngineAuth, onProgress?: OnProgress, signal?: AbortSignal): Promise<PushResult>;
  /** Adds a tag (`repository:tag`) to an image the engine holds. */
  tag(source: string, ref: string): Promise<void>;
  /** Removes one tag (`repository:tag`); the image stays while other tags name it. */
  untag(ref: string): Promise<void>;
  /** Where the engine keeps images (GET /info alone: /version is not needed for that). */
  storage(): Promise<ImageStorage>;
}

export interface ImageStorage {
  storageDriver: string;
  /**
   * The engine's graph driver (overlay2 …), or containerd's image store (`driver-type
   * io.containerd.snapshotter.v1`), which may refuse an archive that leaves out base layers.
   */
  imageStore: 'graphdriver' | 'containerd';
}

type Call = <T>(work: () => Promise<T>) => Promise<T>;

export function imageOperations(api: EngineApi, call: Call): ImageOperations {
  return {
    inspect: (ref, paths = []) => call(() => inspectImage(api, ref, paths)),
    pull: (ref, auth, onProgress) =>
      call(async () => {
        const { repository, tag } = engineRepoTag(ref);
        await follow(await api.stream('POST', '/images/create', { query: { fromImage: repository, tag: tag ?? 'latest' }, auth: { ...auth } }), onProgress);
      }),
    build: (spec) => call(() => buildImage(api, spec)),
    runAndCommit: (spec) => call(() => runAndCommit(api, spec)),
    load: (archive) => call(async () => loadedNames(await follow(await api.stream('POST', '/images/load', { query: { quiet: 1 }, body: archive })))),
    save: (ref) => call(() => api.stream('GET', `/images/${ref}/get`)),
    push: (ref, auth, onProgress, signal) => call(() => pushImage(api, ref, auth, onProgress, signal)),
    storage: () =>
      call(async () => {
        const info = await api.json<{ Driver?: string; DriverStatus?: unknown }>('GET', '/info');
        return { storageDriver: String(info.Driver ?? ''), imageStore: imageStoreOf(info) };
      }),
    tag: (source, ref) =>
      call(async () => {
        const { repository, tag } = engineRepoTag(ref);
        await api.send('POST', `/images/${source}/tag`, { query: { repo: repository, tag } });
      }),
    untag: (ref) => call(() => api.send('DELETE', `/images/${ref}`, { query: { noprune: true } })),
  };
}

export function imageStoreOf(info: { DriverStatus?: unknown }): 'graphdriver' | 'containerd' {
  const status = Array.isArray(info.DriverStatus) ? (info.DriverStatus as unknown[][]) : [];
  return status.some((pair) => String(pair?.[1] ?? '').startsWith('io.containerd.snapshotter')) ? 'containerd' : 'graphdriver';
}

interface InspectAnswer {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Config?: ({ Labels?: Record<string, string> | null } & Record<string, unknown>) | null;
  RootFS?: { Layers?: string[] };
  Os: string;
  Architecture: string;
  Variant?: string;
}

async function inspectImage(api: EngineApi, ref: string, paths: string[]): Promise<ImageDetails | undefined> {
  let i: InspectAnswer;
  try {
    i = await api.json<InspectAnswer>('GET', `/images/${ref}/json`);
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
  return {
    id: i.Id,
    tags: i.RepoTags ?? [],
    repoDigests: i.RepoDigests ?? [],
    labels: i.Config?.Labels ?? {},
    layers: i.RootFS?.Layers ?? [],
    os: i.Os,
    architecture: i.Architecture,
    variant: i.Variant || undefined,
    config: (i.Config ?? {}) as Record<string, unknown>,
    paths: paths.length ? await statPaths(api, i.Id, paths) : {},
  };
}

/**
 * Owner and mode of paths in an image, read from the first entry of the container archive API on a
 * created (never started) container: no command runs, so this works on any image, shell or not.
 */
async function statPaths(api: EngineApi, image: string, paths: string[]): Promise<Record<string, PathInfo>> {
  const { Id: id } = await api.json<{ Id: string }>('POST', '/containers/create', { body: { Image: image, Entrypoint: ['/dagship-never-started'], Cmd: [], NetworkDisabled: true } });
  try {
    const found: Record<string, PathInfo> = {};
    for (const p of paths) {
      try {
        const header = await firstHeader(await api.stream('GET', `/containers/${id}/archive`, { query: { path: p } }));
        if (header) found[p] = { uid: header.uid ?? 0, gid: header.gid ?? 0, mode: (header.mode ?? 0o755) & 0o7777 };
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
    }
    return found;
  } finally {
    await api.send('DELETE', `/containers/${id}`, { query: { force: true } }).catch(() => undefined);
  }
}

function firstHeader(stream: NodeJS.ReadableStream): Promise<tar.Header | undefined> {
  return new Promise((resolve, reject) => {
    const extract = tar.extract();
    const done = (header?: tar.Header) => {
      resolve(header);
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      extract.destroy();
    };
    extract.on('entry', (header) => done(header));
    extract.on('finish', () => done());
    extract.on('error', reject);
    stream.pipe(extract);
  });
}

async function buildImage(api: EngineApi, spec: BuildSpec): Promise<string> {
  const stream = await api.stream('POST', '/build', {
    query: { t: spec.tags, dockerfile: spec.dockerfile, networkmode: spec.network, buildargs: spec.buildArgs, labels: spec.labels, rm: true, forcerm: true, version: '1' },
    body: spec.context,
    signal: spec.signal,
  });
  const events = await follow(stream, spec.onProgress);
  const id = events.map((e) => e.aux?.ID).find((v): v is string => typeof v === 'string');
  if (!id) throw new EngineStreamError('the engine finished the build without naming an image');
  return id;
}

async function pushImage(api: EngineApi, ref: string, auth: EngineAuth, onProgress?: OnProgress, signal?: AbortSignal): Promise<PushResult> {
  const { repository, tag } = engineRepoTag(ref);
  // Engine API 1.41 refuses a push without X-Registry-Auth even for anonymous registries: always send it.
  const stream = await api.stream('POST', `/images/${repository}/push`, { query: { tag: tag ?? 'latest' }, auth: { ...auth }, signal });
  const events = await follow(stream, onProgress);
  const digest = events.map((e) => e.aux?.Digest).find((v): v is string => typeof v === 'string');
  if (!digest) throw new EngineStreamError(`the engine finished pushing ${ref} without reporting a manifest digest`);
  return { digest, events };
}

export function statusOf(err: unknown): number | undefined {
  if (err instanceof EngineApiError) return err.statusCode;
  const code = (err as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : undefined;
}
