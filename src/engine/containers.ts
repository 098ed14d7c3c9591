import { DagshipError } from '../errors.js';
import type { EngineApi } from './api.js';
import { statusOf } from './images.js';
import { RUN_LABELS, runContainerName, runLabels } from '../runs.js';
import { onStop, throwIfStopped } from '../stop.js';

/*
 * Containers on the Docker Engine: run one to its end (removed however it ends, a signal included),
 * and find or remove the ones dagship runs started.
 */

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
  /** Each chunk as it arrives, for progress (kept in the result as well). */
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
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

/** Runs a container to its end and removes it; a SIGINT/SIGTERM removes it too. */
export async function runContainer(api: EngineApi, spec: RunSpec): Promise<RunResult> {
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
      throw new DagshipError(`image ${spec.image} is not on the Docker Engine`, `pull it (docker pull ${spec.image}) or build it, then run again`, 'config', { cause: err });
    }
    throw err;
  }
  const limit = spec.maxOutputBytes ?? 16 * 1024 * 1024;
  const stdout = new CappedBuffer(limit);
  const stderr = new CappedBuffer(limit);
  let timedOut = false;
  // Attached before the start, so no early output is lost.
  const stream = await api.stream('POST', `/containers/${id}/attach`, { query: { stream: true, stdout: true, stderr: true } });
  const tee = (buffer: CappedBuffer, name: 'stdout' | 'stderr') => ({
    push: (chunk: Buffer) => {
      buffer.push(chunk);
      spec.onOutput?.(chunk, name);
    },
  });
  const ended = spec.onOutput ? demux(stream, tee(stdout, 'stdout'), tee(stderr, 'stderr')) : demux(stream, stdout, stderr);
  await api.send('POST', `/containers/${id}/start`).catch((err: unknown) => {
    // The engine refuses to start a command the image does not have (HTTP 400 from runc).
    if (statusOf(err) === 400) {
      const message = String((err as Error).message);
      const reason = (/exec: (.*)$/m.exec(message)?.[1] ?? message).replace(/:\s*unknown\s*$/, '');
      throw new DagshipError(`cannot start ${(spec.entrypoint ?? spec.cmd).join(' ')} in image ${spec.image}: ${reason}`, 'is this the right image? an Airflow image needs python on PATH', 'config', {
        cause: err,
      });
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

export async function removeContainer(api: EngineApi, id: string): Promise<void> {
  try {
    await api.send('DELETE', `/containers/${id}`, { query: { force: true } });
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

export async function listRunContainers(api: EngineApi): Promise<RunContainer[]> {
  const filters = JSON.stringify({ label: [RUN_LABELS.pid] });
  const list = await api.json<{ Id: string; Names?: string[]; Image: string; State: string; Created: number; Labels?: Record<string, string> | null }[]>('GET', '/containers/json', {
    query: { all: true, filters },
  });
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
