import type { Options } from '../config.js';
import { DagshipError } from '../errors.js';

// An image baked from an empty DAG folder deploys fine, and every DAG vanishes from Airflow: the
// pipeline refuses it unless the team says it means it.
const HINT = "point 'dags_folder' (dagship.yaml or --dags-folder) at the folder holding the DAG files; pass --allow-empty-dags (or allow_empty_dags: true) if a release without DAGs is intended";

/** Refuses a DAG folder without a single Python file or zipped DAG package. */
export function refuseEmptyDagFolder(options: Options, dagFiles: number): void {
  if (dagFiles > 0 || options.allow_empty_dags) return;
  throw new DagshipError(`the DAG folder ${options.dags_folder}/ has no Python files: a release from it would remove every DAG from Airflow`, HINT, 'config');
}

/** Refuses a DAG folder whose files Airflow would all skip (.airflowignore, or no "dag"/"airflow" in them). */
export function refuseAllIgnored(options: Options, discovered: number, present?: number): void {
  if (discovered > 0 || present === 0 || options.allow_empty_dags) return;
  throw new DagshipError(
    `Airflow lists none of the ${present === undefined ? '' : `${present} `}file(s) in ${options.dags_folder}/ as DAG files (.airflowignore, or safe mode skips files that never mention "dag" and "airflow"): a release from it would remove every DAG`,
    HINT,
    'config',
  );
}
