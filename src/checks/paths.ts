import path from 'node:path';

/** A tool's path (absolute in the container, or relative to its working directory) as repo-relative posix. */
export function relativeTo(root: string, file: string): string {
  const rel = path.posix.isAbsolute(file) ? path.posix.relative(root, file) : path.posix.normalize(file);
  return rel.replace(/^\.\//, '');
}
