import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DagshipError } from '../../src/errors.js';

/** A temporary folder holding `files` (path → content), parent folders created. */
export function folderWith(files: Record<string, string>, prefix = 'dagship-unit-'): string {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  return root;
}

/** The DagshipError `work` throws; anything else (or nothing) fails the test. */
export function errorOf(work: () => unknown): DagshipError {
  try {
    work();
  } catch (err) {
    if (err instanceof DagshipError) return err;
    throw err;
  }
  throw new Error('expected a DagshipError');
}
