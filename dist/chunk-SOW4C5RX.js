#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  ensureBase
} from "./chunk-HD5HDXIZ.js";
import {
  readAirflowVersion
} from "./chunk-MPU4A5NT.js";
import {
  isDagshipError
} from "./chunk-EDJIWXRY.js";

// src/checks/lint-target.ts
var UNKNOWN = "ruff's Airflow 3 migration rules (AIR3xx) report as warnings, and fail nothing, until it can be read";
async function lintAirflowMajor(options, engine, credentialsFor, log) {
  const image = options.base_image;
  if (!image) {
    log.warn(`no base_image configured: the Airflow version the DAGs run on is unknown, so ${UNKNOWN} (set base_image in dagship.yaml or pass --base-image)`);
    return void 0;
  }
  try {
    await ensureBase(engine, image, credentialsFor, log);
    const read = await readAirflowVersion(image, engine, log);
    if (!read) {
      log.warn(`could not read the apache-airflow version installed in ${image}, so ${UNKNOWN}`);
      return void 0;
    }
    const rules = read.major >= 3 ? "Airflow 3 migration rules (AIR3xx) on" : "Airflow 3 migration rules (AIR3xx) off, warnings where the ruff config asks for them";
    const source = { label: "its io.dagship.airflow.version label", cache: "cached for its image ID", image: "read from the image" }[read.source];
    log.info(`lint: target Airflow ${read.version} (${image}, ${source}): ${rules}`);
    return read.major;
  } catch (err) {
    if (!isDagshipError(err)) throw err;
    log.warn(`the Airflow version of ${image} could not be read (${err.message}), so ${UNKNOWN}`);
    return void 0;
  }
}

export {
  lintAirflowMajor
};
