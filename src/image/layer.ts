import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { PathInfo } from '../engine/images.js';
import type { ContextFile } from './context.js';

/** The Airflow user of the official image; gid 0 so arbitrary-uid platforms (OpenShift) can read too. */
export const AIRFLOW_UID = 50000;
export const AIRFLOW_GID = 0;

export interface LayerSpec {
  /** For messages and history: "dags", "plugins", an image_layout.folders key. */
  name: string;
  /** Absolute folder in the image, e.g. /opt/airflow/dags. */
  target: string;
  files: ContextFile[];
  /** Every timestamp in the layer: the commit time, so a rebuild writes the same bytes. */
  mtime: Date;
  /**
   * Owner and mode of the target's parent folders in the image below. They are written into the layer
   * (an overlay layer without them would get 0600 root folders there) exactly as the image has them;
   * the target itself too when it is listed.
   */
  parents: Record<string, PathInfo>;
}

export interface Layer {
  name: string;
  target: string;
  /** The uncompressed layer tar on disk. */
  file: string;
  /** sha256 of the uncompressed tar: the image config's rootfs diff_id. */
  diffId: string;
  /** Tar size in bytes. */
  size: number;
  /** sha256 of each regular file, by its absolute path in the image. */
  fileDigests: [string, string][];
}

export type Header = Parameters<tar.Pack['entry']>[0];

interface Entry {
  header: Header;
  source?: string;
}

/**
 * Writes a layer tar that depends only on the files' content, names and executable bits: entries sorted,
 * every mtime the commit time, uid 50000 gid 0 with no user or group names, modes 0644/0755.
 */
export async function writeLayer(spec: LayerSpec, dir: string): Promise<Layer> {
  const pack = tar.pack();
  // Targets are unique in an image (names need not be: a folder may be called plugins); encoded, one file name.
  const file = path.join(dir, `${encodeURIComponent(spec.target)}.tar`);
  const sink = new LayerSink(file);
  const written = pipeline(pack, sink);
  const fileDigests: [string, string][] = [];
  for (const entry of layerEntries(spec)) {
    if (entry.source) fileDigests.push([`/${entry.header.name}`, await addFile(pack, entry.header, entry.source)]);
    else await addEntry(pack, entry.header);
  }
  pack.finalize();
  await written;
  return { name: spec.name, target: spec.target, file, diffId: `sha256:${sink.hash.digest('hex')}`, size: sink.size, fileDigests };
}

/**
 * The layer tar on its way to disk: hashed as it passes and written in large synchronous batches. A tar
 * is a 512-byte header, the content and padding per file; written chunk by chunk through an fs stream,
 * every small DAG file waited for its own writes (2,000 files took about twice as long).
 */
class LayerSink extends Writable {
  readonly hash = createHash('sha256');
  size = 0;
  private readonly fd: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(file: string) {
    super();
    this.fd = openSync(file, 'w');
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    done(this.pendingBytes >= 4 * 1024 * 1024 ? this.flush() : null);
  }

  override _final(done: (err?: Error | null) => void): void {
    done(this.flush());
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    closeSync(this.fd);
    done(err);
  }

  private flush(): Error | null {
    try {
      const batch = Buffer.concat(this.pending);
      for (let written = 0; written < batch.length; ) written += writeSync(this.fd, batch, written);
      this.pending = [];
      this.pendingBytes = 0;
      return null;
    } catch (err) {
      return err as Error;
    }
  }
}

/** The tar entries of a layer, in the order they are written: parents, the target, its content sorted. */
export function layerEntries(spec: LayerSpec): Entry[] {
  const target = spec.target.replace(/^\/+|\/+$/g, '');
  const base = { mtime: spec.mtime, uname: '', gname: '' };
  const parents = target
    .split('/')
    .slice(0, -1)
    .map((_, i, all) => all.slice(0, i + 1).join('/'));
  const entries: Entry[] = parents.map((p) => {
    const info = spec.parents[`/${p}`] ?? { uid: 0, gid: 0, mode: 0o755 };
    return { header: { ...base, name: `${p}/`, type: 'directory', mode: info.mode, uid: info.uid, gid: info.gid } };
  });
  const owned = { ...base, uid: AIRFLOW_UID, gid: AIRFLOW_GID };
  // A folder the image already has (an extra folder baked to /opt/airflow) keeps its owner and mode.
  const own = spec.parents[`/${target}`];
  entries.push({ header: { ...(own ? { ...base, uid: own.uid, gid: own.gid } : owned), name: `${target}/`, type: 'directory', mode: own?.mode ?? 0o755 } });
  const content = spec.files.map((f): Entry => {
    const name = `${target}/${f.path}`;
    if (f.type === 'directory') return { header: { ...owned, name: `${name}/`, type: 'directory', mode: 0o755 } };
    if (f.type === 'symlink') return { header: { ...owned, name, type: 'symlink', mode: 0o777, linkname: f.linkTarget } };
    return { header: { ...owned, name, type: 'file', mode: f.executable ? 0o755 : 0o644, size: f.size }, source: f.source };
  });
  // Byte order, not locale order: the same on every machine. A folder sorts before its content
  // because its name (with the trailing '/') is a prefix of theirs.
  content.sort((a, b) => (a.header.name < b.header.name ? -1 : a.header.name > b.header.name ? 1 : 0));
  return [...entries, ...content];
}

export function addEntry(pack: tar.Pack, header: Header): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, (err) => (err ? reject(err) : resolve())));
}

/** Files up to this size are read whole: one read instead of a stream per file (DAG folders are many small files). */
const WHOLE_FILE_LIMIT = 4 * 1024 * 1024;

/** Adds one file to the tar and returns the sha256 of its content. */
export async function addFile(pack: tar.Pack, header: Header, source: string): Promise<string> {
  try {
    if ((header.size ?? 0) <= WHOLE_FILE_LIMIT) {
      const content = readFileSync(source);
      // The header's size comes from the folder walk: a file that changed since fails here, not silently.
      if (content.length !== header.size) throw new Error(`size ${content.length}, expected ${header.size}`);
      await new Promise<void>((resolve, reject) => pack.entry(header, content, (err) => (err ? reject(err) : resolve())));
      return createHash('sha256').update(content).digest('hex');
    }
    return await streamFile(pack, header, source);
  } catch (err) {
    throw new Error(`${source} changed while it was being baked (${(err as Error).message}); run the build again`, { cause: err });
  }
}

async function streamFile(pack: tar.Pack, header: Header, source: string): Promise<string> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  let entry!: NodeJS.WritableStream;
  const finished = new Promise<void>((resolve, reject) => {
    entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
  // tar-stream checks the bytes written against the header's size.
  await Promise.all([pipeline(createReadStream(source), tap, entry), finished]);
  return hash.digest('hex');
}

/**
 * The digest of the baked DAG content (io.dagship.dags.digest): sha256 over "<sha256>  <path>" lines,
 * sorted by path — what `find … -type f | sort | xargs sha256sum | sha256sum` gives inside the image.
 */
export function contentDigest(layers: Pick<Layer, 'fileDigests'>[]): string {
  const lines = layers
    .flatMap((l) => l.fileDigests)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([file, digest]) => `${digest}  ${file}\n`)
    .join('');
  return `sha256:${createHash('sha256').update(lines).digest('hex')}`;
}
