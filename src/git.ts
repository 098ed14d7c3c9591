import { DagshipError } from './errors.js';
import { run } from './exec.js';
import { tail } from './text.js';

export interface GitState {
  root: string;
  revision: string;
  /** Commit time, ISO 8601: used where a timestamp must not change between runs. */
  commitTime: string;
  /** Paths (relative to the root) with uncommitted changes, untracked files included. */
  dirtyPaths: string[];
  /** With `ignored`: untracked files git ignores, relative to the root. */
  ignoredPaths?: string[];
  /** With `remote`: the fetch URL of `origin`, else of the first remote by name (`insteadOf` applied). */
  remoteUrl?: string;
}

/** What to read besides the commit; each is one more git process, run alongside the others. */
export interface StateQuery {
  /** `git status` for dirtyPaths (default true); false when only the commit matters. */
  dirty?: boolean;
  /** Ignored files too, from the same walk of the work tree; both lists then cover only `dir`. */
  ignored?: boolean;
  remote?: boolean;
}

export interface GitRepo {
  /** The repository state, or undefined when `dir` is not inside a git work tree. */
  state(query?: StateQuery): Promise<GitState | undefined>;
  /**
   * Files changed since `ref` (from the merge base, as a pull request sees them) plus uncommitted and
   * untracked ones; paths relative to the repository root.
   */
  changedSince(ref: string): Promise<string[]>;
}

/** A GitRepo that reads the work tree containing `dir` with the git command line. */
export function gitRepo(dir: string): GitRepo {
  const git = async (args: string[]) => run('git', args, { cwd: dir });
  return {
    async state(query = {}) {
      const walk = query.dirty !== false || query.ignored;
      // Independent questions, asked at once: each git process costs a few ms to start.
      const [top, head, status, remotes] = await Promise.all([
        git(['rev-parse', '--show-toplevel']),
        git(['log', '-1', '--format=%H %cI']),
        walk ? git(statusArgs(Boolean(query.ignored))) : undefined,
        query.remote ? git(['config', '--get-regexp', '^(remote\\..+\\.url|url\\..+\\.insteadof)$']) : undefined,
      ]);
      if (top.exitCode !== 0) return undefined;
      if (head.exitCode !== 0) {
        throw new DagshipError(`the git repository at ${top.stdout} has no commits yet`, 'commit the DAG repository first: dagship tags and labels images by commit', 'usage');
      }
      const [revision = '', commitTime = ''] = head.stdout.trim().split(' ');
      if (status && status.exitCode !== 0) {
        throw new DagshipError(`git status failed: ${tail(status.stderr, 2)}`, 'run git status in the repository to see why', 'infra');
      }
      const paths = parseStatusZ(status?.stdout ?? '');
      return {
        root: top.stdout.trim(),
        revision,
        commitTime,
        dirtyPaths: query.dirty === false ? [] : paths.dirty,
        ...(query.ignored ? { ignoredPaths: paths.ignored } : {}),
        ...(remotes ? { remoteUrl: remoteUrl(remotes.stdout) } : {}),
      };
    },
    async changedSince(ref) {
      const known = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
      if (known.exitCode !== 0) {
        throw new DagshipError(
          `git does not know '${ref}' in ${dir}`,
          'name a branch, tag or commit that exists locally; in GitHub Actions use actions/checkout with fetch-depth: 0 (or fetch the base branch)',
          'usage',
        );
      }
      const lists = await Promise.all([
        git(['diff', '--name-only', '-z', '--relative', `${ref}...HEAD`]),
        git(['diff', '--name-only', '-z', '--relative', 'HEAD']),
        git(['ls-files', '--others', '--exclude-standard', '-z']),
      ]);
      const failed = lists.find((l) => l.exitCode !== 0);
      if (failed) throw new DagshipError(`git diff failed: ${tail(failed.stderr, 2)}`, `check that ${ref} shares history with HEAD`, 'infra');
      return [...new Set(lists.flatMap((l) => l.stdout.split('\0').filter(Boolean)))].sort();
    },
  };
}

/**
 * `git status` for uncommitted paths; with `ignored`, ignored files are listed one by one from the same
 * walk (instead of a second walk by `git ls-files --ignored`), limited to `dir` (`-- .`).
 */
function statusArgs(ignored: boolean): string[] {
  const args = ['status', '--porcelain=v1', '-z', '--untracked-files=all'];
  return ignored ? [...args, '--ignored=traditional', '--', '.'] : args;
}

/** Paths named by `git status --porcelain=v1 -z` (for a rename, the new path), ignored ones apart. */
export function parseStatusZ(output: string): { dirty: string[]; ignored: string[] } {
  const fields = output.split('\0');
  const dirty: string[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] ?? '';
    if (entry.length < 4) continue;
    (entry.startsWith('!! ') ? ignored : dirty).push(entry.slice(3));
    // A rename or copy is followed by its source path as a separate field.
    if (entry[0] === 'R' || entry[0] === 'C') i++;
  }
  return { dirty, ignored };
}

/** Uncommitted paths named by `git status --porcelain=v1 -z`. */
export function parsePorcelainZ(output: string): string[] {
  return parseStatusZ(output).dirty;
}

/**
 * The URL of `origin`, else of the first remote by name (as `git remote` lists them), from `git config --get-regexp` lines
 * (`remote.<name>.url <url>`, `url.<base>.insteadof <prefix>`), rewritten by the longest matching
 * `insteadOf` prefix as `git remote get-url` does.
 */
export function remoteUrl(configLines: string): string | undefined {
  const remotes: [string, string][] = [];
  const rewrites: [string, string][] = [];
  for (const line of configLines.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const [key, value] = [line.slice(0, space), line.slice(space + 1).trim()];
    const remote = /^remote\.(.+)\.url$/.exec(key);
    if (remote) remotes.push([remote[1]!, value]);
    else if (/^url\..+\.insteadof$/.test(key)) rewrites.push([value, key.slice('url.'.length, -'.insteadof'.length)]);
  }
  const byName = [...remotes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const url = (remotes.find(([name]) => name === 'origin') ?? byName[0])?.[1];
  if (!url) return undefined;
  const rewrite = rewrites.filter(([prefix]) => url.startsWith(prefix)).sort((a, b) => b[0].length - a[0].length)[0];
  return rewrite ? rewrite[1] + url.slice(rewrite[0].length) : url;
}
