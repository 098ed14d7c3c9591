import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { DagshipError } from '../errors.js';
import { tail } from '../text.js';
import type { Logger } from '../logger.js';
import { EngineStreamError, type ImageDetails, type ImageOperations } from '../engine/images.js';

/** Bump when the generated Dockerfile changes, so old cached requirement images are not reused. */
const RECIPE = 'dagship-requirements-v1';
/** Requirement images are cached on the engine under this name; `.local` keeps them off Docker Hub. */
export const REQUIREMENTS_REPOSITORY = 'dagship.local/requirements';

/** The requirement lines that install something (comments and blank lines do not). */
export function requirementLines(file: string): string[] {
  if (!existsSync(file)) return [];
  if (!statSync(file).isFile()) {
    throw new DagshipError(`requirements ${file} is a folder, not a file`, "set 'requirements' in dagship.yaml (or --requirements) to the requirements file, or remove the folder", 'config');
  }
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

/**
 * The Dockerfile of the requirements step. Airflow is pinned to the base image's own version when the
 * image says it (apache/airflow sets AIRFLOW_VERSION), so a requirement cannot up- or downgrade it.
 */
export function requirementsDockerfile(baseId: string): string {
  return [
    `FROM ${baseId}`,
    'COPY requirements.txt /tmp/dagship/requirements.txt',
    'RUN pip install --no-cache-dir ${AIRFLOW_VERSION:+"apache-airflow==${AIRFLOW_VERSION}"} -r /tmp/dagship/requirements.txt',
    '',
  ].join('\n');
}

/** The cache key of a requirements image: the recipe, the exact base, the exact file. */
export function requirementsKey(baseId: string, content: Buffer): string {
  return createHash('sha256').update(RECIPE).update('\0').update(baseId).update('\0').update(content).digest('hex').slice(0, 20);
}

/** Where the requirements image of this base and file is cached on the engine. */
export function requirementsRef(baseId: string, content: Buffer): string {
  return `${REQUIREMENTS_REPOSITORY}:${requirementsKey(baseId, content)}`;
}

/**
 * The base image with requirements.txt installed, in its own layers below the DAGs. pip needs the network
 * and writes timestamps, so this is the one step that is not byte-reproducible across machines; the image
 * is kept on the engine under a key of base + file, so every later build of the same pair reuses it.
 */
export async function requirementsImage(engine: ImageOperations, baseId: string, file: string, log: Logger): Promise<{ ref: string; image: ImageDetails }> {
  const content = readFileSync(file);
  const ref = requirementsRef(baseId, content);
  const cached = await engine.inspect(ref);
  if (cached) {
    log.info(`requirements: reused ${ref} (same base and requirements.txt)`);
    return { ref, image: cached };
  }
  log.info(`requirements: pip install of ${requirementLines(file).length} requirement(s) in a build container (--network host)`);
  const started = Date.now();
  const output: string[] = [];
  try {
    await engine.build({
      context: contextTar(requirementsDockerfile(baseId), content),
      dockerfile: 'Dockerfile',
      tags: [ref],
      network: 'host',
      buildArgs: proxyArgs(),
      onProgress: (e) => {
        const text = (e.stream ?? '').replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
        if (!text) return;
        output.push(text);
        log.debug(text);
      },
    });
  } catch (err) {
    if (!(err instanceof EngineStreamError)) throw err;
    throw new DagshipError(
      `installing requirements.txt failed: ${err.message}\n${tail(output.join('\n'), 12)}`,
      'fix requirements.txt (pin versions that exist for the base image’s Python), or check that this machine reaches the package index',
      'config',
      { cause: err },
    );
  }
  log.info(`requirements: built ${ref} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  const built = await engine.inspect(ref);
  if (!built) throw new DagshipError(`the engine built ${ref} but does not list it`, 'run the build again (was an image removed meanwhile?)', 'infra');
  return { ref, image: built };
}

/** Proxy settings are predefined build args: the builder passes them on without recording them. */
function proxyArgs(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const names = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];
  return Object.fromEntries(names.filter((n) => env[n]).map((n) => [n, env[n]!]));
}

/** The build context, with fixed timestamps so the engine's build cache recognises it next time. */
function contextTar(dockerfile: string, requirements: Buffer): NodeJS.ReadableStream {
  const pack = tar.pack();
  const fixed = { mtime: new Date(0), uid: 0, gid: 0, mode: 0o644 };
  pack.entry({ ...fixed, name: 'Dockerfile' }, dockerfile);
  pack.entry({ ...fixed, name: 'requirements.txt' }, requirements);
  pack.finalize();
  // A Node stream for dockerode (tar-stream's are streamx streams).
  return Readable.from(pack);
}
