import { readAirflowVersion } from '../airflow-version.js';
import { ensureBase, type CredentialsFor } from '../image/pull.js';
import type { Options } from '../config.js';
import type { ImageEngine } from '../engine/index.js';
import { isDagshipError } from '../errors.js';
import type { Logger } from '../logger.js';

const UNKNOWN = "ruff's Airflow 3 migration rules (AIR3xx) report as warnings, and fail nothing, until it can be read";

/**
 * The Airflow major version the linted code will run on: that of `base_image`, the image `build` bakes
 * the DAGs into (pulled like build pulls it, so the gate does not depend on what this engine happens to
 * hold). Undefined, with a warning saying why, when it cannot be read: lint then runs as if unknown.
 */
export async function lintAirflowMajor(options: Options, engine: ImageEngine, credentialsFor: CredentialsFor, log: Logger): Promise<number | undefined> {
  const image = options.base_image;
  if (!image) {
    log.warn(`no base_image configured: the Airflow version the DAGs run on is unknown, so ${UNKNOWN} (set base_image in dagship.yaml or pass --base-image)`);
    return undefined;
  }
  try {
    await ensureBase(engine, image, credentialsFor, log);
    const read = await readAirflowVersion(image, engine, log);
    if (!read) {
      log.warn(`could not read the apache-airflow version installed in ${image}, so ${UNKNOWN}`);
      return undefined;
    }
    const rules = read.major >= 3 ? 'Airflow 3 migration rules (AIR3xx) on' : 'Airflow 3 migration rules (AIR3xx) off, warnings where the ruff config asks for them';
    const source = { label: 'its io.dagship.airflow.version label', cache: 'cached for its image ID', image: 'read from the image' }[read.source];
    log.info(`lint: target Airflow ${read.version} (${image}, ${source}): ${rules}`);
    return read.major;
  } catch (err) {
    if (!isDagshipError(err)) throw err;
    log.warn(`the Airflow version of ${image} could not be read (${err.message}), so ${UNKNOWN}`);
    return undefined;
  }
}
