import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** A file or folder that goes into an image, with only what a reproducible layer keeps of it. */
export interface ContextFile {
  /** Path relative to the folder being baked, '/'-separated. */
  path: string;
  /** Where it is on disk. */
  source: string;
  type: 'file' | 'directory' | 'symlink';
  executable: boolean;
  size: number;
  linkTarget?: string;
}

export interface Selection {
  files: ContextFile[];
  /** What was left out, relative to the repository root (folders once, not their content). */
  excluded: string[];
  bytes: number;
}

/** Decides, by name, whether a repository path (relative to the root) stays out of the image. */
export interface Rules {
  excludes(relative: string): boolean;
}

/** Never wanted in an image: VCS data, caches, bytecode, local virtualenvs, editor litter. */
const JUNK_NAMES = [
  '.git',
  '.hg',
  '.svn',
  '__pycache__',
  'node_modules',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.ipynb_checkpoints',
  '.DS_Store',
  '.idea',
  '.vscode',
];
/** Test suites are not DAGs (a generated build bakes only the DAG and plugin folders). */
const TEST_NAMES = ['tests', 'test', 'conftest.py'];

/**
 * The exclusion rules for a repository: dagship's built-in ones plus `.dockerignore` (with Docker's
 * meaning: patterns are anchored at the repository root). `withTests` leaves test folders in, for a
 * team Dockerfile that may copy them.
 */
export function contextRules(root: string, options: { withTests?: boolean } = {}): Rules {
  const names = new Set([...JUNK_NAMES, ...(options.withTests ? [] : TEST_NAMES)]);
  const file = path.join(root, '.dockerignore');
  const dockerignore = existsSync(file) ? dockerignoreRules(readFileSync(file, 'utf8')) : undefined;
  return {
    excludes(relative) {
      const parts = relative.split('/');
      if (parts.some((p) => names.has(p))) return true;
      if (/\.py[co]$/.test(relative)) return true;
      return Boolean(dockerignore && relative && dockerignore.ignores(relative));
    },
  };
}

/**
 * `.dockerignore` as `ignore` (gitignore) rules. Docker anchors every pattern at the context root
 * (`*.pyc` matches only top-level files), gitignore floats patterns without a slash: so each pattern is
 * cleaned the way Docker cleans it and anchored with a leading '/'.
 */
export function dockerignoreRules(text: string): Ignore {
  const patterns = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const body = path.posix
        .normalize(line.slice(negated ? 1 : 0).trim())
        .replace(/^(\.\/|\/)+/, '')
        .replace(/\/+$/, '');
      return body === '.' || body === '' ? undefined : `${negated ? '!' : ''}/${body}`;
    })
    .filter((p): p is string => Boolean(p));
  return ignore().add(patterns);
}

/**
 * Everything under `folder` (relative to `root`) that the rules keep, sorted, folders before their
 * content. A folder holding `pyvenv.cfg` is a virtualenv and stays out whatever its name. `skip`:
 * repository paths passed over without a word (another layer bakes them).
 */
export function selectFiles(root: string, folder: string, rules: Rules, skip: string[] = []): Selection {
  const selection: Selection = { files: [], excluded: [], bytes: 0 };
  const walk = (relative: string) => {
    const dir = path.join(root, folder, relative);
    for (const name of readdirSync(dir).sort()) {
      const inFolder = relative ? `${relative}/${name}` : name;
      const fromRoot = path.posix.join(folder.split(path.sep).join('/'), inFolder);
      const source = path.join(dir, name);
      if (skip.includes(fromRoot)) continue;
      const stat = lstatSync(source);
      if (rules.excludes(fromRoot) || (stat.isDirectory() && existsSync(path.join(source, 'pyvenv.cfg')))) {
        selection.excluded.push(fromRoot);
        continue;
      }
      if (stat.isDirectory()) {
        selection.files.push({ path: inFolder, source, type: 'directory', executable: true, size: 0 });
        walk(inFolder);
      } else if (stat.isSymbolicLink()) {
        selection.files.push({ path: inFolder, source, type: 'symlink', executable: false, size: 0, linkTarget: readlinkSync(source) });
      } else if (stat.isFile()) {
        selection.files.push({ path: inFolder, source, type: 'file', executable: (stat.mode & 0o111) !== 0, size: stat.size });
        selection.bytes += stat.size;
      }
      // Sockets, FIFOs and devices never belong in an image.
    }
  };
  walk('');
  return selection;
}

/** Normalises a configured folder: "./dags/" → "dags". */
export function folderPath(p: string): string {
  return path.posix.normalize(p.split(path.sep).join('/')).replace(/^\.\/|\/+$/g, '');
}

export { formatBytes } from './text.js';
