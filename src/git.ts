import { DagshipError } from './errors.js';
import { run, tail } from './exec.js';

export interface GitState {
  root: string;
  revision: string;
  /** Commit time, ISO 8601: used where a timestamp must not change between runs. */
  commitTime: string;
  /** Paths (relative to the root) with uncommitted changes, untracked files included. */
  dirtyPaths: string[];
}

export interface GitRepo {
  /** The repository state, or undefined when `dir` is not inside a git work tree. */
  state(): Promise<GitState | undefined>;
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
    async state() {
      const top = await git(['rev-parse', '--show-toplevel']);
      if (top.exitCode !== 0) return undefined;
      const head = await git(['log', '-1', '--format=%H %cI']);
      if (head.exitCode !== 0) {
        throw new DagshipError(
          `the git repository at ${top.stdout} has no commits yet`,
          'commit the DAG repository first: dagship tags and labels images by commit',
          'usage',
        );
      }
      const [revision = '', commitTime = ''] = head.stdout.trim().split(' ');
      const status = await git(['status', '--porcelain=v1', '-z', '--untracked-files=all']);
      if (status.exitCode !== 0) {
        throw new DagshipError(`git status failed: ${tail(status.stderr, 2)}`, 'run git status in the repository to see why', 'infra');
      }
      return { root: top.stdout.trim(), revision, commitTime, dirtyPaths: parsePorcelainZ(status.stdout) };
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

/** Paths named by `git status --porcelain=v1 -z` (for a rename, the new path). */
export function parsePorcelainZ(output: string): string[] {
  const fields = output.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] ?? '';
    if (entry.length < 4) continue;
    paths.push(entry.slice(3));
    // A rename or copy is followed by its source path as a separate field.
    if (entry[0] === 'R' || entry[0] === 'C') i++;
  }
  return paths;
}
