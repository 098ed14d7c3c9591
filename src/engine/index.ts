import { DagshipError, reasonOf } from '../errors.js';
import { engineApi } from './api.js';
import { imageOperations, imageStoreOf, statusOf, type ImageOperations } from './images.js';
import { listRunContainers, removeContainer, runContainer, type RunContainer, type RunResult, type RunSpec } from './containers.js';

export type { BuildSpec, EngineAuth, ImageDetails, ImageOperations, PathInfo, ProgressEvent, PushResult } from './images.js';
export { EngineStreamError } from './images.js';
export { demux, type RunContainer, type RunResult, type RunSpec } from './containers.js';
export type { CommitRunResult, CommitRunSpec } from './commit.js';

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

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && ['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(code);
}
