import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Options } from '../config.js';
import type { DockerEngine, ImageEngine } from '../engine/index.js';
import { DagshipError } from '../errors.js';
import { contentKey, keyedImage } from '../image/keyed-build.js';
import type { Logger } from '../logger.js';
import { tail } from '../text.js';
import { checkerDir } from './checker.js';

/** Bump when toolsDockerfile changes, so old cached tools images are not reused. */
const RECIPE = 'dagship-tools-v1';
/** Tools images are cached on the engine under this name; `.local` keeps them off Docker Hub. */
export const TOOLS_REPOSITORY = 'dagship.local/tools';
export const DEFAULT_INDEX = 'https://pypi.org/simple';
const BUILD_TIMEOUT_MS = 10 * 60_000;
/** Python images a machine may already hold, tried when the base image is not there. */
const PYTHON_IMAGES = ['python:3.13-slim', 'python:3.12-slim', 'python:3.11-slim', 'python:3-slim', 'python:3.13', 'python:3.12', 'python:3.11', 'python:3'];

/** The lint tools of this release (src/python/tools.lock): ruff, bandit and their dependencies, hashed. */
export function toolsLock(): string {
  return readFileSync(path.join(checkerDir(), 'tools.lock'), 'utf8');
}

/** A package's pinned version in a lock (`name==version`), case and `-`/`_` as pip compares them. */
export function lockedVersion(lock: string, name: string): string {
  const norm = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');
  const pin = lock.split('\n').find((l) => /^[A-Za-z0-9]/.test(l) && norm(l.split('==')[0]!) === norm(name));
  return pin?.split('==')[1]?.split(/[\s\\;]/)[0] ?? '';
}

/**
 * The tools on the base image's own Python, in a venv so they cannot touch its packages. `--isolated`:
 * the image's pip settings (apache/airflow sets PIP_USER) do not apply; the index is the one named.
 */
export function toolsDockerfile(baseId: string): string {
  return [
    `FROM ${baseId}`,
    'USER root',
    'COPY tools.lock /tmp/dagship-tools.lock',
    'ARG DAGSHIP_INDEX_URL',
    'RUN python3 -m venv /opt/dagship-tools \\',
    ' && /opt/dagship-tools/bin/pip install --isolated --no-cache-dir --disable-pip-version-check --progress-bar off --retries 2 --timeout 30 \\',
    '    --index-url "$DAGSHIP_INDEX_URL" --require-hashes -r /tmp/dagship-tools.lock \\',
    ' && rm /tmp/dagship-tools.lock',
    'ENV PATH=/opt/dagship-tools/bin:$PATH',
    'USER 65534',
    'WORKDIR /src',
    'ENTRYPOINT []',
    'CMD ["ruff", "--version"]',
    '',
  ].join('\n');
}

/** Where the tools of this lock on this base are cached on the engine: recipe + lock + base image ID. */
export function toolsRef(baseId: string, lock: string): string {
  return `${TOOLS_REPOSITORY}:${contentKey(RECIPE, lock, baseId)}`;
}

/** The package index pip uses: PIP_INDEX_URL (a mirror), else PyPI. */
export function indexUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIP_INDEX_URL || DEFAULT_INDEX;
}

/** The Python the tools go on: the base image when the engine holds it, else a Python image it holds. */
export async function toolsBase(options: Options, engine: Pick<DockerEngine, 'image'>): Promise<{ ref: string; id: string } | undefined> {
  for (const ref of [options.base_image, ...PYTHON_IMAGES].filter((r): r is string => Boolean(r))) {
    const image = await engine.image(ref);
    if (image) return { ref, id: image.id };
  }
  return undefined;
}

/** What lint will run in: the configured tools_image, else the tools image of this release (cached or not). */
export async function plannedToolsImage(options: Options, engine: Pick<DockerEngine, 'image'>): Promise<{ ref: string; state: 'configured' | 'cached' | 'to build'; base?: string } | undefined> {
  if (options.tools_image) return { ref: options.tools_image, state: 'configured' };
  const base = await toolsBase(options, engine);
  if (!base) return undefined;
  const ref = toolsRef(base.id, toolsLock());
  return { ref, state: (await engine.image(ref)) ? 'cached' : 'to build', base: base.ref };
}

/** The builder's message repeats the whole RUN line: its exit code is what says something. */
function exitOf(reason: string): string {
  const code = /returned a non-zero code: (\d+)/.exec(reason)?.[1];
  return code ? `exit ${code}` : reason;
}

/** What a team can provide instead, with this release's versions. */
export function toolsAdvice(lock: string): string {
  return `or set tools_image (or --tools-image) to an image with ruff ${lockedVersion(lock, 'ruff')} and bandit ${lockedVersion(lock, 'bandit')} on its PATH`;
}

/**
 * The image `lint` runs ruff and bandit in: tools_image when set; else this release's tools, built once
 * per engine on the base image's Python with `pip install --require-hashes` and reused after that.
 */
export async function lintToolsImage(options: Options, engine: ImageEngine, log: Logger): Promise<string> {
  if (options.tools_image) return options.tools_image;
  const lock = toolsLock();
  const base = await toolsBase(options, engine);
  if (!base) {
    throw new DagshipError(
      'no Python image on the Docker Engine to install the lint tools on',
      `set base_image (the Airflow image, which has Python), or pull a Python image (${PYTHON_IMAGES[1]}), ${toolsAdvice(lock)}`,
      'config',
    );
  }
  const index = indexUrl();
  if (/^[a-z+]+:\/\/[^/]*@/i.test(index)) {
    throw new DagshipError(
      'PIP_INDEX_URL carries credentials, which the lint tools build would record in the image history',
      `point PIP_INDEX_URL at a mirror that needs no password for ruff and bandit, ${toolsAdvice(lock)}`,
      'config',
    );
  }
  const ruff = lockedVersion(lock, 'ruff');
  const bandit = lockedVersion(lock, 'bandit');
  const { ref } = await keyedImage(
    engine,
    {
      label: 'lint tools',
      ref: toolsRef(base.id, lock),
      dockerfile: toolsDockerfile(base.id),
      files: { 'tools.lock': lock },
      buildArgs: { DAGSHIP_INDEX_URL: index },
      building: `installing ruff ${ruff} and bandit ${bandit} (pinned with hashes) on ${base.ref} from ${index}, once for this engine`,
      reusedBecause: `ruff ${ruff} and bandit ${bandit} on ${base.ref}`,
      timeoutMs: BUILD_TIMEOUT_MS,
      progress: (line) => /^(Collecting|Downloading|Successfully installed|ERROR|WARNING)/.test(line.trim()),
      failed: (reason, output, cause) =>
        new DagshipError(
          `could not install ruff ${ruff} and bandit ${bandit} from ${index} (${exitOf(reason)})\n${tail(output.join('\n'), 8)}`,
          `let this machine reach ${index}, or set PIP_INDEX_URL to a mirror that has them, ${toolsAdvice(lock)}`,
          'infra',
          { cause },
        ),
    },
    log,
  );
  return ref;
}
