import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onStop } from './stop.js';

/**
 * A scratch folder under the temp directory for the length of `work`: removed when `work` ends, however
 * it ends, and on a SIGINT/SIGTERM too (build's layer folders hold ~50 MB that a cancelled job would leave).
 */
export async function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  const unregister = onStop(remove);
  try {
    return await work(dir);
  } finally {
    unregister();
    remove();
  }
}
