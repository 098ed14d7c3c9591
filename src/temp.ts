import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DagshipError } from './errors.js';
import { onStop } from './stop.js';

const REFUSALS: Record<string, string> = { ENOSPC: 'is full', EDQUOT: 'is over its disk quota', EROFS: 'is read-only', EACCES: 'is not writable', EPERM: 'is not writable' };
/** Only running out of room is certain to be the temp folder's doing; a refusal must name a path in it. */
const ANY_PATH = new Set(['ENOSPC', 'EDQUOT']);

/** A private scratch folder (0700) in the temp folder (TMPDIR); a full or read-only one is a worded error. */
export function makeTempDir(prefix: string): string {
  try {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    chmodSync(dir, 0o700);
    return dir;
  } catch (err) {
    throw tempError(err) ?? err;
  }
}

/**
 * A private scratch folder for the length of `work`: removed when `work` ends, however it ends, and on a
 * SIGINT/SIGTERM too (build's layer folders hold ~50 MB that a cancelled job would leave).
 */
export async function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = makeTempDir(prefix);
  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  const unregister = onStop(remove);
  try {
    return await work(dir);
  } finally {
    unregister();
    remove();
  }
}

/** The error to show when `err` is the temp folder refusing a write (full, read-only); else undefined. */
export function tempError(err: unknown, need = 'room for the files it writes'): DagshipError | undefined {
  const { code, path: where } = (err ?? {}) as { code?: string; path?: string };
  const what = code ? REFUSALS[code] : undefined;
  if (!what) return undefined;
  const temp = tmpdir();
  if (!ANY_PATH.has(code!) && !(where && path.resolve(where).startsWith(path.resolve(temp)))) return undefined;
  return new DagshipError(`the temp folder ${temp} ${what} (${code})`, `point TMPDIR at a writable folder with ${need}, or free space in ${temp}`, 'infra', { cause: err });
}
