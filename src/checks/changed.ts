import path from 'node:path';
import type { Options } from '../config.js';
import { importClosure } from './imports.js';

export interface Selection {
  /** Files to lint, or undefined for all. */
  lint?: string[];
  /** DAG-folder files to import, or undefined for all. */
  dags?: string[];
  /** Why this selection, for the log. */
  reason: string;
}

/** Files whose change can alter how every DAG imports: then everything is checked. */
function globalInputs(options: Options): string[] {
  const c = options.check;
  return [
    options.requirements,
    'dagship.yaml',
    'dagship.yml',
    path.posix.join(options.dags_folder, '.airflowignore'),
    c.local_settings,
    c.variables,
    c.connections,
    options.configFile && path.relative(options.root, options.configFile),
  ]
    .filter((x): x is string => Boolean(x))
    .map((p) => path.posix.normalize(p));
}

/**
 * What a pull request must re-check: changed Python files are linted; changed DAG files and every DAG
 * file that imports a changed local module (transitively) are imported again.
 */
export function selectChanged(options: Options, changed: string[], dagFolderFiles: string[]): Selection {
  const within = (dir: string, f: string) => f === dir || f.startsWith(`${dir}/`);
  const global = globalInputs(options);
  // Airflow reads an .airflowignore in every folder below the DAG folder.
  const ignoreFile = (f: string) => within(options.dags_folder, f) && path.posix.basename(f) === '.airflowignore';
  const trigger = changed.find((f) => global.includes(f) || within(options.plugins_folder, f) || ignoreFile(f));
  const lint = changed.filter((f) => f.endsWith('.py'));
  if (trigger) return { lint, reason: `${trigger} changed: checking every DAG file` };

  const changedSet = new Set(changed);
  const roots = [options.dags_folder, options.plugins_folder, '.'];
  const closure = importClosure(options.root, dagFolderFiles, roots);
  const dags = dagFolderFiles.filter((f) => changedSet.has(f) || [...(closure.get(f) ?? [])].some((d) => changedSet.has(d)));
  return { lint, dags, reason: `${changed.length} changed file(s): ${dags.length} DAG file(s) to check` };
}
