import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { CheckedFile, CheckerFinding } from './checker.js';

/**
 * Results of earlier checks, one entry per DAG file, keyed by everything that can change how it imports:
 * the image, the checker, the check settings (the "scope"), the file's content and the content of each
 * local module it imported. A warm re-run with nothing changed starts no container at all.
 */
export interface CacheEntry {
  content: string;
  /** repo-relative path → content hash of each local module the file imported. */
  deps: Record<string, string>;
  /** undefined: Airflow's discovery does not list the file as a DAG file. */
  file?: CheckedFile;
  findings: CheckerFinding[];
}

export interface CheckCache {
  get(file: string): CacheEntry | undefined;
  put(file: string, entry: Omit<CacheEntry, 'content' | 'deps'>, deps: string[]): void;
  meta(): { airflow_version: string; python_version: string } | undefined;
  putMeta(meta: { airflow_version: string; python_version: string }): void;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.DAGSHIP_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'dagship');
}

export const hashText = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** A cache under `root` for one scope; `repo` is where the files' content is read from. */
export function openCheckCache(root: string, scope: string, repo: string): CheckCache {
  const dir = path.join(root, 'check', hashText(scope).slice(0, 32));
  const contentOf = memo((file: string) => {
    try {
      return hashText(readFileSync(path.join(repo, file)));
    } catch {
      return 'missing';
    }
  });
  const entryPath = (file: string) => path.join(dir, `${hashText(file).slice(0, 32)}.json`);
  const write = (target: string, value: unknown) => {
    mkdirSync(dir, { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify(value));
    renameSync(partial, target);
  };
  return {
    get(file) {
      const entry = readJson<CacheEntry>(entryPath(file));
      if (!entry || entry.content !== contentOf(file)) return undefined;
      return Object.entries(entry.deps).every(([dep, hash]) => contentOf(dep) === hash) ? entry : undefined;
    },
    put(file, entry, deps) {
      write(entryPath(file), { ...entry, content: contentOf(file), deps: Object.fromEntries(deps.map((d) => [d, contentOf(d)])) });
    },
    meta: () => readJson(path.join(dir, 'meta.json')),
    putMeta: (meta) => write(path.join(dir, 'meta.json'), meta),
  };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function memo<T>(fn: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, fn(key));
    return seen.get(key)!;
  };
}
