import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheRoot } from './checks/check-cache.js';
import type { DockerEngine } from './engine/index.js';
import type { Logger } from './logger.js';

/** The label images dagship builds carry: the apache-airflow version installed in them. */
export const AIRFLOW_VERSION_LABEL = 'io.dagship.airflow.version';

export interface AirflowVersion {
  version: string;
  major: number;
  /** Where it was read: the image's label, dagship's cache, or a container started to read it. */
  source: 'label' | 'cache' | 'image';
}

// Package metadata only: importing airflow would read config and take a second.
const READ = 'import importlib.metadata as m; print(m.version("apache-airflow"))';

/**
 * The apache-airflow version installed in an image the engine holds, or undefined (not held, no Python,
 * no Airflow). Read once per image ID: from dagship's label, else the cache, else a container with no network.
 */
export async function readAirflowVersion(image: string, docker: DockerEngine, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<AirflowVersion | undefined> {
  const held = await docker.image(image);
  if (!held) return undefined;
  const labelled = parseVersion(held.labels[AIRFLOW_VERSION_LABEL]);
  if (labelled) return { ...labelled, source: 'label' };
  const file = path.join(cacheRoot(env), 'airflow-version', held.id.replace(/^sha256:/, ''));
  const cached = parseVersion(readQuietly(file));
  if (cached) return { ...cached, source: 'cache' };
  const started = Date.now();
  const run = await docker.run({ image: held.id, entrypoint: ['python', '-c'], cmd: [READ], network: 'none', timeoutMs: 60_000, maxOutputBytes: 64 * 1024 });
  const read = run.exitCode === 0 ? parseVersion(run.stdout.trim()) : undefined;
  log.debug(`Airflow version of ${image}: ${read?.version ?? `unreadable (exit ${run.exitCode}: ${run.stderr.trim().split('\n').at(-1) ?? ''})`} in ${Date.now() - started} ms`);
  if (read) writeQuietly(file, read.version);
  return read && { ...read, source: 'image' };
}

export function parseVersion(text: string | undefined): { version: string; major: number } | undefined {
  const match = text?.match(/^(\d+)\.\d+(?:\.\d+)?\S*$/);
  return match ? { version: text!, major: Number(match[1]) } : undefined;
}

function readQuietly(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The cache only saves time: a cache folder that cannot be written costs a container next time, nothing else. */
function writeQuietly(file: string, text: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, `${text}\n`);
    renameSync(partial, file);
  } catch {
    /* see above */
  }
}
