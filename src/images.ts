import path from 'node:path';
import type { Options } from './config.js';
import { DagshipError } from './errors.js';

/** The image `lint` runs ruff and bandit in. */
export function toolsImage(options: Options): string {
  if (options.tools_image) return options.tools_image;
  throw new DagshipError('no tools image configured for lint', "set 'tools_image' in dagship.yaml (a Python image with ruff and bandit) or pass --tools-image", 'config');
}

/** The Airflow image DAGs are checked in when no built image is given. */
export function airflowImage(options: Options, override?: string): string {
  const image = override ?? options.base_image;
  if (image) return image;
  throw new DagshipError('no Airflow image to check the DAGs in', "set 'base_image' in dagship.yaml (e.g. apache/airflow:3.3.2) or pass --image", 'config');
}

/** The baseline file, resolved against the repository. */
export function baselinePath(options: Options): string | undefined {
  return options.baseline ? path.resolve(options.root, options.baseline) : undefined;
}
