import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { imageLayout, type Options } from './config.js';
import { DagshipError } from './errors.js';

/** A repository folder and where the image holds it: what `build` bakes and `check` mounts. */
export interface Placement {
  kind: 'dags' | 'plugins' | 'folder';
  /** dags, plugins, or the folder's key in image_layout.folders ('.' for the whole repository). */
  name: string;
  /** Relative to the repository root, '/'-separated; '' is the root itself. */
  source: string;
  /** Absolute folder in the image. */
  target: string;
}

const HINT = 'fix image_layout in dagship.yaml (folders: {repository folder: image folder}, see the README)';

/**
 * The repository folders the image holds: image_layout.folders (sorted by image path, parents first),
 * the plugins folder when the repository has one, and the DAG folder last. Refuses (exit 2) a folder that
 * does not exist and one that would put files into the DAG or plugins folder beside the team's own.
 */
export function placements(options: Options): Placement[] {
  const layout = imageLayout(options);
  const folders = Object.entries(layout.folders).map(([key, target]) => ({ kind: 'folder' as const, name: key, source: repoPath(key), target: imagePath(target) }));
  for (const f of folders) {
    const full = path.join(options.root, f.source);
    if (!existsSync(full)) throw new DagshipError(`image_layout.folders.${f.name}: ${full} does not exist`, `create the folder or remove '${f.name}' from image_layout.folders`, 'config');
    if (!statSync(full).isDirectory()) throw new DagshipError(`image_layout.folders.${f.name}: ${full} is not a folder`, `list folders only; put the file's folder there instead`, 'config');
  }
  folders.sort((a, b) => compare(a.target, b.target));
  const plugins: Placement = { kind: 'plugins', name: 'plugins', source: repoPath(options.plugins_folder), target: imagePath(layout.plugins) };
  const dags: Placement = { kind: 'dags', name: 'dags', source: repoPath(options.dags_folder), target: imagePath(layout.dags) };
  const hasPlugins = isDir(path.join(options.root, plugins.source));
  for (const own of [dags, plugins]) for (const f of folders) refuseShadowing(options, f, own);
  const all = [...folders, ...(hasPlugins ? [plugins] : []), dags];
  const seen = new Map<string, Placement>();
  for (const p of all) {
    const other = seen.get(p.target);
    if (other) throw new DagshipError(`image_layout: both ${describe(other)} and ${describe(p)} go to ${p.target} in the image`, HINT, 'config');
    seen.set(p.target, p);
  }
  return all;
}

/** Folder `f` must not put anything into `own` (the DAG or plugins folder) other than `own`'s own content. */
function refuseShadowing(options: Options, f: Placement, own: Placement): void {
  const what = own.kind === 'dags' ? 'DAG folder' : 'plugins folder';
  if (f.target === own.target || under(f.target, own.target)) {
    throw new DagshipError(`image_layout.folders.${f.name} goes to ${f.target}, into the ${what} ${own.target}: Airflow would read its files as the team's ${own.kind}`, HINT, 'config');
  }
  if (!under(own.target, f.target)) return;
  // The folder holds the place of the DAG folder: only the DAG folder itself may be there.
  const there = path.posix.join(f.source, path.posix.relative(f.target, own.target));
  if (there !== own.source && existsSync(path.join(options.root, there))) {
    throw new DagshipError(
      `image_layout.folders.${f.name} puts the repository's ${there || '.'}/ at ${own.target}, where the ${what} ${own.source || '.'}/ goes: its files would be ${own.kind} too`,
      `${HINT}, or move ${there}/ out of the way`,
      'config',
    );
  }
}

/**
 * The repository paths (relative to the root) that another placement bakes at the same image path inside
 * `p`: left out of `p`'s layer, so a change to them changes one layer, not two.
 */
export function nestedSources(p: Placement, all: Placement[]): string[] {
  return all.filter((q) => q !== p && within(q.source, p.source) && q.target === path.posix.join(p.target, path.posix.relative(p.source || '.', q.source || '.'))).map((q) => q.source);
}

/** Where a repository file (relative to the root) is in the image: one path per placement holding it. */
export function imagePathsOf(all: Placement[], file: string): string[] {
  const found = all.filter((p) => within(file, p.source) && file !== p.source).map((p) => path.posix.join(p.target, path.posix.relative(p.source || '.', file)));
  return [...new Set(found)];
}

/** Whether a repository path is inside a placement's source (or is it). */
export function within(p: string, folder: string): boolean {
  return folder === '' || p === folder || p.startsWith(`${folder}/`);
}

const under = (p: string, folder: string) => p.startsWith(`${folder === '/' ? '' : folder}/`);
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const describe = (p: Placement) => (p.kind === 'folder' ? `image_layout.folders.${p.name}` : `the ${p.kind} folder`);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** "./include/" → "include", "." → "". */
export function repoPath(p: string): string {
  const normal = path.posix.normalize(p.split(path.sep).join('/')).replace(/^\.\/|\/+$/g, '');
  return normal === '.' ? '' : normal;
}

function imagePath(p: string): string {
  return path.posix.normalize(p).replace(/(.)\/+$/, '$1');
}

/**
 * The environment the image needs for its layout: PYTHONPATH with image_layout.python_path after the
 * parent's own entries, and the DAG and plugins folders where the parent's Airflow would not look for
 * them (AIRFLOW__CORE__DAGS_FOLDER, else $AIRFLOW_HOME/dags) — set, so that the image runs what was checked.
 * Without a plugins folder in the repository, the parent's plugins setting stays as it is.
 */
export function layoutEnv(parentEnv: string[], options: Options, all: Placement[]): Record<string, string> {
  const env = Object.fromEntries(parentEnv.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  const layout = imageLayout(options);
  const changes: Record<string, string> = {};
  const own = (env.PYTHONPATH ?? '').split(':').filter(Boolean);
  const added = layout.pythonPath.filter((p) => !own.includes(p));
  if (added.length) changes.PYTHONPATH = [...own, ...new Set(added)].join(':');
  const home = env.AIRFLOW_HOME;
  for (const [key, folder, wanted] of [
    ['AIRFLOW__CORE__DAGS_FOLDER', 'dags', layout.dags],
    ['AIRFLOW__CORE__PLUGINS_FOLDER', 'plugins', layout.plugins],
  ] as const) {
    if (!all.some((p) => p.kind === folder)) continue;
    const looks = env[key] ?? (home ? path.posix.join(home, folder) : undefined);
    if (!looks || imagePath(looks) !== imagePath(wanted)) changes[key] = imagePath(wanted);
  }
  return changes;
}

/** The image folders whose owner and mode the layers copy: every parent of a target, and the extra folders' own. */
export function ownedPaths(all: Placement[]): string[] {
  const parents = all.flatMap((p) =>
    p.target
      .split('/')
      .slice(1, -1)
      .map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`),
  );
  const folders = all.filter((p) => p.kind === 'folder').map((p) => p.target);
  return [...new Set([...parents, ...folders])].sort(compare);
}
