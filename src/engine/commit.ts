import { DagshipError } from '../errors.js';
import { engineRepoTag } from '../image-reference.js';
import { runContainerName } from '../runs.js';
import { onStop, throwIfStopped } from '../stop.js';
import type { EngineApi } from './api.js';
import { demux, removeContainer } from './containers.js';

/*
 * A build step without the classic builder: a command runs in a container of the image and the result
 * is committed with the image's own runtime config. The command's environment is given to an exec, not
 * to the container, so it is in no config the commit records (build args and a container's Env are).
 */

export interface CommitRunSpec {
  /** The image the step starts from (an ID). */
  image: string;
  /** A shell script, run as the image's own user. */
  script: string;
  /** For the script only: never in the container's config, the commit or its history. */
  env: Record<string, string>;
  network: 'host' | 'none';
  /** The container is removed when this runs out; the result says it timed out. */
  timeoutMs: number;
  /** The tag of the committed image (repository:tag). */
  ref: string;
  /** The new layer's line in the image history. */
  createdBy: string;
  onOutput(chunk: Buffer, stream: 'stdout' | 'stderr'): void;
}

export interface CommitRunResult {
  exitCode: number;
  timedOut: boolean;
  /** The committed image, when the script exited 0. */
  id?: string;
}

/** The runtime settings the commit must leave as the image had them. */
const KEPT = ['User', 'Env', 'Entrypoint', 'Cmd', 'WorkingDir', 'Labels', 'Volumes', 'ExposedPorts', 'StopSignal', 'Healthcheck', 'Shell', 'OnBuild'];

type Config = Record<string, unknown>;

export async function runAndCommit(api: EngineApi, spec: CommitRunSpec): Promise<CommitRunResult> {
  const { Config: config } = await api.json<{ Config?: Config | null }>('GET', `/images/${spec.image}/json`);
  const base = config ?? {};
  // Named before it exists, so a signal during the create still removes it (by name).
  const name = runContainerName();
  const unregister = onStop(() => removeContainer(api, name));
  try {
    await api.json('POST', '/containers/create', { query: { name }, body: keeper(spec, base) });
    await api.send('POST', `/containers/${name}/start`);
    const run = await execScript(api, name, spec);
    throwIfStopped();
    if (run.timedOut || run.exitCode !== 0) return run;
    const { repository, tag } = engineRepoTag(spec.ref);
    // The commit gets the image's own config: the engine fills what it leaves empty from the container's.
    const { Id: id } = await api.json<{ Id: string }>('POST', '/commit', { query: { container: name, repo: repository, tag, pause: true }, body: base });
    await refuseChangedConfig(api, id, base, spec.ref);
    return { ...run, id };
  } finally {
    unregister();
    await removeContainer(api, name).catch(() => undefined);
  }
}

/**
 * A container that only waits while the script runs as an exec. No labels and no Env of its own (the
 * commit would merge them into the image); it stops itself after the time limit and the engine then
 * removes it, so even a killed dagship leaves nothing behind. The command line ends with `createdBy`,
 * which the engine writes as the layer's history line.
 */
function keeper(spec: CommitRunSpec, base: Config) {
  const seconds = Math.ceil(spec.timeoutMs / 1000) + 60;
  const wait = ['/bin/sh', '-c', `exec sleep ${seconds}`, spec.createdBy];
  const hasEntrypoint = Array.isArray(base.Entrypoint) && base.Entrypoint.length > 0;
  return {
    Image: spec.image,
    ...(hasEntrypoint ? { Entrypoint: wait.slice(0, 3), Cmd: [spec.createdBy] } : { Cmd: wait }),
    Tty: false,
    HostConfig: { NetworkMode: spec.network, AutoRemove: true },
  };
}

async function execScript(api: EngineApi, container: string, spec: CommitRunSpec): Promise<Omit<CommitRunResult, 'id'>> {
  const { Id: exec } = await api.json<{ Id: string }>('POST', `/containers/${container}/exec`, {
    body: { Cmd: ['/bin/sh', '-c', spec.script], Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`), AttachStdout: true, AttachStderr: true, Tty: false },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // Removing the container ends the exec and its output stream.
    removeContainer(api, container).catch(() => undefined);
  }, spec.timeoutMs);
  try {
    const stream = await api.stream('POST', `/exec/${exec}/start`, { body: { Detach: false, Tty: false } });
    await demux(stream, { push: (c) => spec.onOutput(c, 'stdout') }, { push: (c) => spec.onOutput(c, 'stderr') });
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) return { exitCode: -1, timedOut };
  const { ExitCode } = await api.json<{ ExitCode: number | null }>('GET', `/exec/${exec}/json`);
  return { exitCode: ExitCode ?? -1, timedOut };
}

async function refuseChangedConfig(api: EngineApi, id: string, base: Config, ref: string): Promise<void> {
  const { Config: committed } = await api.json<{ Config?: Config | null }>('GET', `/images/${id}/json`);
  const changed = KEPT.filter((k) => JSON.stringify(emptyAsNull(committed?.[k])) !== JSON.stringify(emptyAsNull(base[k])));
  if (changed.length === 0) return;
  await api.send('DELETE', `/images/${id}`, { query: { force: true } }).catch(() => undefined);
  throw new DagshipError(`the engine committed ${ref} with another ${changed.join(', ')} than its base image`, 'report this with the engine version (docker version)', 'infra');
}

function emptyAsNull(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return null;
  if (Array.isArray(value) && value.length === 0) return null;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return null;
  return value;
}
