import { createReadStream, createWriteStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { ImageOperations } from '../engine/images.js';
import type { ImageConfig } from './image-config.js';

export interface ArchiveSpec {
  config: ImageConfig;
  repoTags: string[];
  /** Every layer in rootfs order; `file` when its tar goes inside the archive. */
  layers: { diffId: string; file?: string }[];
}

const hex = (digest: string) => digest.replace(/^sha256:/, '');

/** The docker-archive manifest.json: layer paths for every layer, even those left out of the archive. */
export function archiveManifest(spec: ArchiveSpec): string {
  return JSON.stringify([{ Config: `${hex(spec.config.digest)}.json`, RepoTags: spec.repoTags, Layers: spec.layers.map((l) => `${hex(l.diffId)}/layer.tar`) }]);
}

/**
 * A docker-archive (`docker load` input) for the image. The engine registers layers by chain ID and only
 * opens a layer's tar when it does not hold that layer yet, so a graph-driver engine that holds the base
 * takes an archive carrying only the new layers.
 */
export function archiveStream(spec: ArchiveSpec): NodeJS.ReadableStream {
  const pack = tar.pack();
  const fixed = { mtime: new Date(0), uid: 0, gid: 0 };
  const write = async () => {
    pack.entry({ ...fixed, name: `${hex(spec.config.digest)}.json`, mode: 0o644 }, spec.config.json);
    for (const layer of spec.layers.filter((l) => l.file)) {
      const name = `${hex(layer.diffId)}/layer.tar`;
      let entry!: NodeJS.WritableStream;
      const added = new Promise<void>((resolve, reject) => {
        entry = pack.entry({ ...fixed, name, mode: 0o644, size: statSync(layer.file!).size }, (err) => (err ? reject(err) : resolve()));
      });
      await Promise.all([pipeline(createReadStream(layer.file!), entry), added]);
    }
    pack.entry({ ...fixed, name: 'manifest.json', mode: 0o644 }, archiveManifest(spec));
    pack.finalize();
  };
  write().catch((err: Error) => pack.destroy(err));
  return Readable.from(pack);
}

/**
 * The layer tars of an image, exported with the engine's image "get" API (`docker save`) into `dir`:
 * for engines that cannot take an archive without its base layers (containerd's image store).
 * Returns one file per layer, in rootfs order.
 */
export async function exportLayers(engine: ImageOperations, ref: string, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const target = path.join(dir, path.normalize(header.name).replace(/^(\.\.(\/|$))+/, ''));
    if (header.type !== 'file') {
      stream.on('end', () => next());
      stream.resume();
      return;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    pipeline(stream, createWriteStream(target)).then(() => next(), next);
  });
  const finished = new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  await Promise.all([pipeline(await engine.save(ref), extract), finished]);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
  return (manifest[0]?.Layers ?? []).map((l) => path.join(dir, l));
}
