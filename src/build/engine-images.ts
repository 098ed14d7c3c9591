import type Docker from 'dockerode';
import tar from 'tar-stream';

/** Credentials as the Engine API takes them in X-Registry-Auth; `{}` is anonymous. */
export interface EngineAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress?: string;
}

/** One line of an Engine API progress stream (pull, push, build, load). */
export interface ProgressEvent {
  id?: string;
  status?: string;
  stream?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: Record<string, unknown>;
}
export type OnProgress = (event: ProgressEvent) => void;

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
}

export interface PushResult {
  /** The manifest digest the engine pushed. */
  digest: string;
  events: ProgressEvent[];
}

/** An error the engine reported inside a progress stream (the HTTP status was already 200). */
export class EngineStreamError extends Error {
  override readonly name = 'EngineStreamError';
}

/** Image operations of the Engine API that build and push need. */
export interface ImageOperations {
  /** The image with its layers and runtime config, or undefined when the engine does not hold it. */
  inspect(ref: string, paths?: string[]): Promise<ImageDetails | undefined>;
  pull(ref: string, auth: EngineAuth, onProgress?: OnProgress): Promise<void>;
  /** Builds with the classic builder and returns the image ID. */
  build(spec: BuildSpec): Promise<string>;
  /** Loads a docker-archive (`docker load`); returns what the engine says it loaded. */
  load(archive: NodeJS.ReadableStream): Promise<string[]>;
  /** Exports an image as a docker-archive (`docker save`). */
  save(ref: string): Promise<NodeJS.ReadableStream>;
  push(ref: string, auth: EngineAuth, onProgress?: OnProgress): Promise<PushResult>;
}

type Call = <T>(work: () => Promise<T>) => Promise<T>;

export function imageOperations(client: Docker, call: Call): ImageOperations {
  return {
    inspect: (ref, paths = []) => call(() => inspectImage(client, ref, paths)),
    pull: (ref, auth, onProgress) =>
      call(async () => {
        await follow(await client.pull(ref, { authconfig: auth }), onProgress);
      }),
    build: (spec) => call(() => buildImage(client, spec)),
    load: (archive) => call(async () => loadedNames(await follow(await client.loadImage(archive, { quiet: true })))),
    save: (ref) => call(() => client.getImage(ref).get()),
    push: (ref, auth, onProgress) => call(() => pushImage(client, ref, auth, onProgress)),
  };
}

async function inspectImage(client: Docker, ref: string, paths: string[]): Promise<ImageDetails | undefined> {
  let i: Docker.ImageInspectInfo;
  try {
    i = await client.getImage(ref).inspect();
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
    variant: (i as { Variant?: string }).Variant || undefined,
    config: (i.Config ?? {}) as unknown as Record<string, unknown>,
    paths: paths.length ? await statPaths(client, i.Id, paths) : {},
  };
}

/**
 * Owner and mode of paths in an image, read from the first entry of the container archive API on a
 * created (never started) container: no command runs, so this works on any image, shell or not.
 */
async function statPaths(client: Docker, image: string, paths: string[]): Promise<Record<string, PathInfo>> {
  const container = await client.createContainer({ Image: image, Entrypoint: ['/dagship-never-started'], Cmd: [], NetworkDisabled: true });
  try {
    const found: Record<string, PathInfo> = {};
    for (const p of paths) {
      try {
        const header = await firstHeader(await container.getArchive({ path: p }));
        if (header) found[p] = { uid: header.uid ?? 0, gid: header.gid ?? 0, mode: (header.mode ?? 0o755) & 0o7777 };
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
    }
    return found;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
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

async function buildImage(client: Docker, spec: BuildSpec): Promise<string> {
  const stream = await client.buildImage(spec.context, {
    // The engine takes repeated t= parameters; docker-modem writes an array that way.
    t: spec.tags as unknown as string,
    dockerfile: spec.dockerfile,
    networkmode: spec.network,
    buildargs: spec.buildArgs,
    labels: spec.labels,
    rm: true,
    forcerm: true,
    version: '1',
  });
  const events = await follow(stream, spec.onProgress);
  const id = events.map((e) => e.aux?.ID).find((v): v is string => typeof v === 'string');
  if (!id) throw new EngineStreamError('the engine finished the build without naming an image');
  return id;
}

async function pushImage(client: Docker, ref: string, auth: EngineAuth, onProgress?: OnProgress): Promise<PushResult> {
  const at = ref.lastIndexOf(':');
  const [name, tag] = at > ref.lastIndexOf('/') ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, 'latest'];
  // Engine API 1.41 refuses a push without X-Registry-Auth even for anonymous registries: always send it.
  const stream = await client.getImage(name).push({ tag, authconfig: auth });
  const events = await follow(stream, onProgress);
  const digest = events.map((e) => e.aux?.Digest).find((v): v is string => typeof v === 'string');
  if (!digest) throw new EngineStreamError(`the engine finished pushing ${ref} without reporting a manifest digest`);
  return { digest, events };
}

/** Reads a JSON-lines progress stream to its end; an error line rejects with EngineStreamError. */
export function follow(stream: NodeJS.ReadableStream, onProgress?: OnProgress): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    const events: ProgressEvent[] = [];
    let buffered = '';
    let failed = false;
    const take = (line: string) => {
      if (failed || !line.trim()) return;
      const event = parseProgressLine(line);
      if ('error' in event) {
        failed = true;
        reject(new EngineStreamError(event.error));
        return;
      }
      events.push(event);
      onProgress?.(event);
    };
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(take);
    });
    stream.on('error', (err) => !failed && reject(err));
    stream.on('end', () => {
      take(buffered);
      if (!failed) resolve(events);
    });
  });
}

/** One progress line: an event, or the error it carries. Lines that are not JSON are kept as text. */
export function parseProgressLine(line: string): ProgressEvent | { error: string } {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { stream: line };
  }
  const detail = value.errorDetail as { message?: string } | undefined;
  if (value.error || detail?.message) return { error: String(detail?.message ?? value.error) };
  return value as ProgressEvent;
}

/** Names from `docker load` output: "Loaded image: repo:tag" and "Loaded image ID: sha256:…". */
export function loadedNames(events: ProgressEvent[]): string[] {
  return events.flatMap((e) => [...(e.stream ?? '').matchAll(/Loaded image(?: ID)?: (\S+)/g)].map((m) => m[1]!));
}

function statusOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : undefined;
}
