import { DagshipError, reasonOf } from './errors.js';
import { engineApi, type EngineApi } from './build/engine-api.js';
import { imageOperations, imageStoreOf, statusOf, type ImageOperations } from './build/engine-images.js';
import { RUN_LABELS, runContainerName, runLabels } from './runs.js';
import { onStop, throwIfStopped } from './stop.js';

export type { BuildSpec, EngineAuth, ImageDetails, ImageOperations, PathInfo, ProgressEvent, PushResult } from './build/engine-images.js';
export { EngineStreamError } from './build/engine-images.js';

export interface EngineInfo {
  host: string;
  version: string;
  apiVersion: string;
  storageDriver: string;
  os: string;
  arch: string;
  /**
   * Where the engine keeps images: its graph driver (overlay2 …), or containerd's image store
   * (`driver-type io.containerd.snapshotter.v1`), which may refuse an archive that leaves out base layers.
   */
  imageStore?: 'graphdriver' | 'containerd';
}

export interface ImageInfo {
  id: string;
  tags: string[];
  size: number;
  labels: Record<string, string>;
}

export interface RunSpec {
  image: string;
  cmd: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  /** host path → container path; mounted read-only unless listed in `writable`. */
  mounts?: { source: string; target: string; writable?: boolean }[];
  network?: 'none' | 'host';
  /** Kill the container after this long; the result says it timed out. */
  timeoutMs?: number;
  /** Keep at most this many bytes of each stream (the rest is dropped, `truncated` says so). */
  maxOutputBytes?: number;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
}

/** A container some dagship run started (it carries the labels of src/runs.ts). */
export interface RunContainer {
  id: string;
  name: string;
  image: string;
  /** running, exited, created … */
  state: string;
  createdAt: Date;
  labels: Record<string, string>;
}

/** The Docker Engine, through its API. */
export interface DockerEngine {
  readonly host: string;
  info(): Promise<EngineInfo>;
  /** The image as the engine holds it locally, or undefined. */
  image(ref: string): Promise<ImageInfo | undefined>;
  /** Runs a container to its end and removes it; a SIGINT/SIGTERM removes it too (src/stop.ts). */
  run(spec: RunSpec): Promise<RunResult>;
  /** Every container of a dagship run on this engine, running or not. */
  runContainers(): Promise<RunContainer[]>;
  /** Removes a container, running or not; one already gone is fine. */
  remove(id: string): Promise<void>;
}

/**
 * The engine with the image operations build and push need (inspect, pull, build, load, save, push).
 * A separate interface so fakes of DockerEngine written for the checks stay valid.
 */
export interface ImageEngine extends DockerEngine, ImageOperations {}

/** Where the engine is, the way the docker CLI finds it: DOCKER_HOST, else the default socket. */
export function dockerHost(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

export function connectDocker(env: NodeJS.ProcessEnv = process.env): ImageEngine {
  const host = dockerHost(env);
  const api = engineApi(host);
  const unreachable = (err: unknown) =>
    new DagshipError(
      `cannot reach the Docker Engine at ${host}: ${reasonOf(err)}`,
      'start Docker (in a dagship checkout, test/infra/up starts one), or set DOCKER_HOST to the engine, e.g. unix:///var/run/docker.sock',
      'infra',
      { cause: err },
    );
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (isConnectionError(err)) throw unreachable(err);
      throw err;
    }
  };

  return {
    host,
    info: () =>
      call(async () => {
        const [version, info] = await Promise.all([api.json<VersionAnswer>('GET', '/version'), api.json<InfoAnswer>('GET', '/info')]);
        return {
          host,
          version: version.Version,
          apiVersion: version.ApiVersion,
          storageDriver: String(info.Driver ?? ''),
          os: version.Os,
          arch: version.Arch,
          imageStore: imageStoreOf(info),
        };
      }),
    image: (ref) =>
      call(async () => {
        try {
          const i = await api.json<{ Id: string; RepoTags?: string[] | null; Size: number; Config?: { Labels?: Record<string, string> | null } | null }>('GET', `/images/${ref}/json`);
          return { id: i.Id, tags: i.RepoTags ?? [], size: i.Size, labels: i.Config?.Labels ?? {} };
        } catch (err) {
          if (statusOf(err) === 404) return undefined;
          throw err;
        }
      }),
    run: (spec) => call(() => runContainer(api, spec)),
    runContainers: () => call(() => listRunContainers(api)),
    remove: (id) => call(() => removeContainer(api, id)),
    ...imageOperations(api, call),
  };
}

interface VersionAnswer {
  Version: string;
  ApiVersion: string;
  Os: string;
  Arch: string;
}

interface InfoAnswer {
  Driver?: string;
  DriverStatus?: unknown;
}


async function runContainer(api: EngineApi, spec: RunSpec): Promise<RunResult> {
  // Named before it exists, so a signal during the create still removes it (by name).
  const name = runContainerName();
  const unregister = onStop(() => removeContainer(api, name));
  try {
    return await createAndRun(api, spec, name);
  } finally {
    unregister();
    await removeContainer(api, name).catch(() => undefined);
  }
}

async function createAndRun(api: EngineApi, spec: RunSpec, name: string): Promise<RunResult> {
  let id: string;
  try {
    ({ Id: id } = await api.json<{ Id: string }>('POST', '/containers/create', {
      query: { name },
      body: {
        Image: spec.image,
        Cmd: spec.cmd,
        Entrypoint: spec.entrypoint,
        Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
        User: spec.user,
        WorkingDir: spec.workdir,
        Labels: runLabels(),
        Tty: false,
        HostConfig: {
          NetworkMode: spec.network ?? 'none',
          Binds: (spec.mounts ?? []).map((m) => `${m.source}:${m.target}:${m.writable ? 'rw' : 'ro'}`),
        },
      },
    }));
  } catch (err) {
    if (statusOf(err) === 404) {
      throw new DagshipError(
        `image ${spec.image} is not on the Docker Engine`,
        `pull it (docker pull ${spec.image}) or build it, then run again`,
        'config',
        { cause: err },
      );
    }
    throw err;
  }
  const limit = spec.maxOutputBytes ?? 16 * 1024 * 1024;
  const stdout = new CappedBuffer(limit);
  const stderr = new CappedBuffer(limit);
  let timedOut = false;
  // Attached before the start, so no early output is lost.
  const stream = await api.stream('POST', `/containers/${id}/attach`, { query: { stream: true, stdout: true, stderr: true } });
  const ended = demux(stream, stdout, stderr);
  await api.send('POST', `/containers/${id}/start`).catch((err: unknown) => {
    // The engine refuses to start a command the image does not have (HTTP 400 from runc).
    if (statusOf(err) === 400) {
      const message = String((err as Error).message);
      const reason = (/exec: (.*)$/m.exec(message)?.[1] ?? message).replace(/:\s*unknown\s*$/, '');
      throw new DagshipError(`cannot start ${(spec.entrypoint ?? spec.cmd).join(' ')} in image ${spec.image}: ${reason}`, 'is this the right image? an Airflow image needs python on PATH', 'config', { cause: err });
    }
    throw err;
  });
  const timer = spec.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        api.send('POST', `/containers/${id}/kill`).catch(() => undefined);
      }, spec.timeoutMs)
    : undefined;
  const status = await api.json<{ StatusCode: number }>('POST', `/containers/${id}/wait`);
  clearTimeout(timer);
  await ended;
  // A signal removed the container (the engine killed it): what it printed is no result.
  throwIfStopped();
  return {
    exitCode: status.StatusCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    timedOut,
    truncated: stdout.truncated || stderr.truncated,
  };
}

async function removeContainer(api: EngineApi, id: string): Promise<void> {
  try {
    await api.send('DELETE', `/containers/${id}`, { query: { force: true } });
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

async function listRunContainers(api: EngineApi): Promise<RunContainer[]> {
  const filters = JSON.stringify({ label: [RUN_LABELS.pid] });
  const list = await api.json<{ Id: string; Names?: string[]; Image: string; State: string; Created: number; Labels?: Record<string, string> | null }[]>('GET', '/containers/json', { query: { all: true, filters } });
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
    image: c.Image,
    state: c.State,
    createdAt: new Date(c.Created * 1000),
    labels: c.Labels ?? {},
  }));
}

/**
 * Splits an attached container's output (without a TTY): frames of an 8-byte header (stream 1 stdout,
 * 2 stderr; bytes 4-7 the length, big-endian) and the payload. Resolves when the stream ends.
 */
export function demux(stream: NodeJS.ReadableStream, stdout: { push(chunk: Buffer): void }, stderr: { push(chunk: Buffer): void }): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const payload = pending.subarray(8, 8 + size);
        if (pending[0] === 2) stderr.push(payload);
        else stdout.push(payload);
        pending = pending.subarray(8 + size);
      }
    });
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', reject);
  });
}

class CappedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer) {
    const room = this.limit - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  text() {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}


function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && ['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(code);
}
