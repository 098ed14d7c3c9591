import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { imageLayout, type Options } from '../config.js';
import { DagshipError } from '../errors.js';
import { placements, type Placement } from '../layout.js';
import { readJsonObject } from '../checks/checker.js';

/** Where the repository is mounted (read-only) in the test container. */
export const REPO_MOUNT = '/repo';
/** The runner's working copy of the repository: symlinks to the mount, or to the image for what ships. */
export const WORKDIR = '/tmp/dagship-repo';

/** A DAG run of the request. */
export interface DagRunSpec {
  dag_id: string;
  skip_tasks: string[];
  timeout: number;
}

/**
 * The pytest targets: test.paths that exist. A target named in dagship.yaml (or --tests) that does not
 * exist is refused; the default `tests` is simply absent from a repository without tests.
 */
export function testPaths(options: Options): string[] {
  const configured = options.configured?.has('test.paths');
  const missing = options.test.paths.filter((p) => !existsSync(path.join(options.root, p)));
  if (configured && missing.length) {
    throw new DagshipError(`test.paths: ${missing.join(', ')} not found in ${options.root}`, 'list the folders or files of your pytest suite, relative to the repository', 'config');
  }
  return options.test.paths.filter((p) => !missing.includes(p));
}

/** The DAG runs asked for: --dag ids (with their test.dags settings when listed there), else test.dags. */
export function dagRuns(options: Options, ids?: string[]): DagRunSpec[] {
  const listed = options.test.dags.map((d) => ({ dag_id: d.dag_id, skip_tasks: d.skip_tasks, timeout: ('timeout' in d && d.timeout) || options.test.dag_timeout }));
  if (!ids?.length) return listed;
  return ids.map((id) => listed.find((d) => d.dag_id === id) ?? { dag_id: id, skip_tasks: [], timeout: options.test.dag_timeout });
}

/**
 * The working copy as [path, target] links, in creation order (a null target is a real folder): every
 * top-level entry points at the mount, except, with `baked`, the folders the image holds, which point
 * at the image's copy — the tests then see what ships. A folder above a baked one is made real and filled
 * link by link.
 */
export function repositoryLinks(root: string, baked: Placement[]): [string, string | null][] {
  const redirected = baked.filter((p) => p.source !== '');
  const links: [string, string | null][] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel)).sort()) {
      if (!rel && entry === '.git') continue;
      const p = rel ? `${rel}/${entry}` : entry;
      const to = redirected.find((r) => r.source === p);
      if (to) links.push([p, to.target]);
      else if (redirected.some((r) => r.source.startsWith(`${p}/`)) && statSync(path.join(root, p)).isDirectory()) {
        links.push([p, null]);
        walk(p);
      } else links.push([p, `${REPO_MOUNT}/${p}`]);
    }
  };
  walk('');
  return links;
}

export interface RunnerRequestInput {
  options: Options;
  baked: boolean;
  paths: string[];
  dags: DagRunSpec[];
  dbTemplate: string;
}

/** request.json of src/python/dagship_test.py. */
export function runnerRequest(input: RunnerRequestInput) {
  const { options } = input;
  const layout = imageLayout(options);
  const all = placements(options);
  const check = options.check;
  const test = options.test;
  return {
    workdir: WORKDIR,
    links: repositoryLinks(options.root, input.baked ? all : []),
    // Longest first: a path in the image or the mount becomes the repository path it came from.
    roots: Object.fromEntries([...all.map((p) => [p.target, p.source] as const), [REPO_MOUNT, ''] as const, [WORKDIR, ''] as const].sort((a, b) => b[0].length - a[0].length)),
    paths: input.paths,
    pytest_args: test.pytest_args,
    test_timeout: test.timeout,
    suite_timeout: test.suite_timeout,
    memory_limit_mb: test.memory_limit_mb,
    dags: input.dags,
    logical_date: test.logical_date ?? null,
    dags_folder: layout.dags,
    plugins_folder: layout.plugins,
    python_path: layout.pythonPath,
    variables: check.variables ? readJsonObject(options, check.variables, 'check.variables') : {},
    connections: check.connections ? readJsonObject(options, check.connections, 'check.connections') : {},
    db_template: input.dbTemplate,
    log_tail_lines: 20,
  };
}

/** The container's mounts: the repository, and unless `baked`, each of its folders where the image keeps them. */
export function repositoryMounts(options: Options, baked: boolean): { source: string; target: string }[] {
  // A folder the repository lacks is not mounted: the engine would create it in the repository.
  const folders = baked ? [] : placements(options).flatMap((p) => (existsSync(path.join(options.root, p.source)) ? [{ source: path.join(options.root, p.source), target: p.target }] : []));
  return [{ source: options.root, target: REPO_MOUNT }, ...folders];
}
