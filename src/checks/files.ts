import { glob } from 'glob';

/** Folders that never hold the team's code. */
export const NEVER_SCANNED = ['**/.git/**', '**/node_modules/**', '**/.venv/**', '**/venv/**', '**/.tox/**', '**/__pycache__/**'];

/** Python files of the repository, repo-relative and sorted. */
export async function listPythonFiles(root: string): Promise<string[]> {
  const files = await glob('**/*.py', { cwd: root, ignore: NEVER_SCANNED, dot: true, posix: true, nodir: true });
  return files.sort();
}

/** Files Airflow may load from the DAG folder (Python files and zipped DAG packages), repo-relative. */
export async function listDagFolderFiles(root: string, dagsFolder: string): Promise<string[]> {
  const files = await glob(`${dagsFolder}/**/*.{py,zip}`, { cwd: root, ignore: NEVER_SCANNED, dot: true, posix: true, nodir: true });
  return files.sort();
}
