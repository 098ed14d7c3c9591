import { existsSync, readFileSync, statSync } from 'node:fs';
import { DagshipError } from '../errors.js';
import { tail } from '../text.js';
import type { Logger } from '../logger.js';
import type { ImageDetails, ImageOperations } from '../engine/images.js';
import { contentKey, keyedImage } from './keyed-build.js';

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
  return contentKey(RECIPE, baseId, content);
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
  return keyedImage(
    engine,
    {
      label: 'requirements',
      ref: requirementsRef(baseId, content),
      dockerfile: requirementsDockerfile(baseId),
      files: { 'requirements.txt': content },
      building: `pip install of ${requirementLines(file).length} requirement(s) in a build container (--network host)`,
      reusedBecause: 'same base and requirements.txt',
      failed: (reason, output, cause) =>
        new DagshipError(
          `installing requirements.txt failed: ${reason}\n${tail(output.join('\n'), 12)}`,
          'fix requirements.txt (pin versions that exist for the base image’s Python), or check that this machine reaches the package index',
          'config',
          { cause },
        ),
    },
    log,
  );
}
