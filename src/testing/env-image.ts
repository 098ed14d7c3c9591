import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Options } from '../config.js';
import type { ImageEngine } from '../engine/index.js';
import type { ImageDetails } from '../engine/images.js';
import { contentKey } from '../image/keyed-build.js';
import { installedImage, requirementLines } from '../image/requirements.js';
import type { Logger } from '../logger.js';

/** Bump when MIGRATE or the install changes, so old cached test environments are not reused. */
const RECIPE = 'dagship-test-env-v1';
/** Test environments are cached on the engine under this name; `.local` keeps them off Docker Hub. */
export const TEST_ENV_REPOSITORY = 'dagship.local/test-env';
/** A migrated metadata database, made once per environment: each run copies it into a throwaway AIRFLOW_HOME. */
export const DB_TEMPLATE = '/tmp/dagship-test-db/airflow.db';

/**
 * `airflow db migrate` into DB_TEMPLATE, as the image's user, with the image's own Airflow. Its output
 * is shown only when it fails.
 */
const MIGRATE = `set -u
h=$(mktemp -d) || exit 1
mkdir -p ${path.posix.dirname(DB_TEMPLATE)}
if ! AIRFLOW_HOME="$h" AIRFLOW__CORE__LOAD_EXAMPLES=False AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///${DB_TEMPLATE} airflow db migrate >"$h/migrate.log" 2>&1; then
  echo "dagship: airflow db migrate failed in the image:" >&2; tail -n 15 "$h/migrate.log" >&2; exit 96
fi
chmod -R a+rX ${path.posix.dirname(DB_TEMPLATE)}
rm -rf "$h"
`;

/** The test requirements file, absolute, when the repository has one. */
export function testRequirementsFile(options: Options): string | undefined {
  const file = path.join(options.root, options.test.requirements);
  return existsSync(file) ? file : undefined;
}

/** Where the test environment of this image and test requirements is cached. */
export function testEnvRef(imageId: string, requirements: Buffer | undefined): string {
  return `${TEST_ENV_REPOSITORY}:${contentKey(RECIPE, imageId, requirements ?? '')}`;
}

/**
 * The image the tests run in: `image` (what ships) with the test requirements pip-installed over it as
 * its own user, Airflow pinned to its version, and a migrated database. Another tag, never the image
 * that ships; reused while the image and the file are the same.
 */
export async function testEnvImage(options: Options, engine: ImageEngine, image: ImageDetails, log: Logger): Promise<{ ref: string; image: ImageDetails }> {
  const file = testRequirementsFile(options);
  if (file) requirementLines(file); // a folder where the file should be is refused here, before any work
  const ref = testEnvRef(image.id, file ? readFileSync(file) : undefined);
  return installedImage(
    { engine, baseId: image.id, file, timeoutMs: options.build.requirements_timeout * 1000, log },
    {
      label: 'test requirements',
      fileName: options.test.requirements,
      timeoutSetting: 'build.requirements_timeout (dagship.yaml, or DAGSHIP_BUILD_REQUIREMENTS_TIMEOUT)',
      ref,
      createdBy: `dagship: test environment (pip install -r ${options.test.requirements}, airflow db migrate)`,
      after: MIGRATE,
      afterFailure: { code: 96, what: 'airflow db migrate' },
    },
  );
}
