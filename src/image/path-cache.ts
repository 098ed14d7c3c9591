import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { ImageDetails, ImageOperations, PathInfo } from '../engine/images.js';

/**
 * Owners and modes of folders inside an image, remembered per image ID: reading them costs a container
 * and two archive requests (~0.15 s), and an image ID names immutable content, so the answer never goes
 * stale. A missing or unreadable cache only costs that time again.
 */
export async function withPaths(engine: ImageOperations, image: ImageDetails, paths: string[], env: NodeJS.ProcessEnv = process.env): Promise<ImageDetails | undefined> {
  const file = cacheFile(env);
  const cache = readCache(file);
  const key = `${image.id} ${paths.join(' ')}`;
  const known = cache[key];
  if (known) return { ...image, paths: known };
  const fresh = await engine.inspect(image.id, paths);
  if (!fresh) return undefined;
  writeCache(file, { ...cache, [key]: fresh.paths });
  return fresh;
}

function cacheFile(env: NodeJS.ProcessEnv): string {
  return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || homedir(), '.cache'), 'dagship', 'image-paths.json');
}

function readCache(file: string): Record<string, Record<string, PathInfo>> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, PathInfo>>;
  } catch {
    return {};
  }
}

function writeCache(file: string, cache: Record<string, Record<string, PathInfo>>): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // Keep it small: the most recent 200 images are plenty for any machine.
    const kept = Object.fromEntries(Object.entries(cache).slice(-200));
    const temporary = `${file}.${process.pid}`;
    writeFileSync(temporary, JSON.stringify(kept));
    // Atomic, so parallel builds never read half a file.
    renameSync(temporary, file);
  } catch {
    // A read-only home is fine: the next build asks the engine again.
  }
}
