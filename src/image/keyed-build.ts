import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { DagshipError } from '../errors.js';
import type { Logger } from '../logger.js';
import { onStop, throwIfStopped } from '../stop.js';
import { EngineStreamError, type ImageDetails, type ImageOperations } from '../engine/images.js';

/** A short cache key over its parts, each part kept apart from the next (a|bc ≠ ab|c). */
export function contentKey(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  parts.forEach((p, i) => hash.update(i ? '\0' : '').update(p));
  return hash.digest('hex').slice(0, 20);
}

export interface KeyedBuild {
  /** Names the step in log lines: `requirements`, `lint tools`. */
  label: string;
  /** Where the image is cached on the engine; the tag is the content key of everything that made it. */
  ref: string;
  dockerfile: string;
  /** The rest of the build context. */
  files: Record<string, Buffer | string>;
  buildArgs?: Record<string, string>;
  /** The log line before a build, and why a cached image is still right. */
  building: string;
  reusedBecause: string;
  timeoutMs?: number;
  /** The error to raise when the build fails or times out, given the reason and the build's output. */
  failed: (reason: string, output: string[], cause: unknown) => DagshipError;
  /** Shows a build output line as progress (info); the rest go to debug. */
  progress?: (line: string) => boolean;
}

/**
 * The image cached on the engine under `ref`, built with the host's network (pip) when absent. Builds
 * that need the network are not byte-reproducible, so the key names the inputs and the image is reused
 * on every later run with the same ones: no network is needed then.
 */
export async function keyedImage(engine: ImageOperations, spec: KeyedBuild, log: Logger): Promise<{ ref: string; image: ImageDetails; built: boolean }> {
  const cached = await engine.inspect(spec.ref);
  if (cached) {
    log.info(`${spec.label}: reused ${spec.ref} (${spec.reusedBecause})`);
    return { ref: spec.ref, image: cached, built: false };
  }
  log.info(`${spec.label}: ${spec.building}`);
  const started = Date.now();
  const output: string[] = [];
  const abort = new AbortController();
  let stopped = false;
  const timer = spec.timeoutMs ? setTimeout(() => abort.abort(), spec.timeoutMs) : undefined;
  // A signal ends the build request, so the engine stops the build instead of finishing it unwatched.
  const unregister = onStop(() => {
    stopped = true;
    abort.abort();
  });
  try {
    await engine.build({
      context: contextTar({ Dockerfile: spec.dockerfile, ...spec.files }),
      dockerfile: 'Dockerfile',
      tags: [spec.ref],
      network: 'host',
      buildArgs: { ...proxyArgs(), ...spec.buildArgs },
      signal: abort.signal,
      onProgress: (e) => {
        const text = (e.stream ?? '').replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
        if (!text) return;
        for (const line of text.split('\n')) {
          if (!BUILDER_CHATTER.test(line)) output.push(line);
          if (spec.progress?.(line)) log.info(`${spec.label}: ${line.trim()}`);
          else log.debug(line);
        }
      },
    });
  } catch (err) {
    throwIfStopped();
    if (stopped) throw err;
    if (abort.signal.aborted) throw spec.failed(`stopped after ${Math.round(spec.timeoutMs! / 1000)}s`, output, err);
    if (!(err instanceof EngineStreamError)) throw err;
    throw spec.failed(err.message, output, err);
  } finally {
    clearTimeout(timer);
    unregister();
  }
  log.info(`${spec.label}: built ${spec.ref} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  const built = await engine.inspect(spec.ref);
  if (!built) throw new DagshipError(`the engine built ${spec.ref} but does not list it`, 'run the command again (was an image removed meanwhile?)', 'infra');
  return { ref: spec.ref, image: built, built: true };
}

/** The classic builder's own lines (steps, intermediate containers), not the build's output. */
const BUILDER_CHATTER = /^(Step \d+\/\d+ :| ---> |Removing intermediate container|Successfully (built|tagged) )/;

/** Proxy settings are predefined build args: the builder passes them on without recording them. */
function proxyArgs(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const names = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];
  return Object.fromEntries(names.filter((n) => env[n]).map((n) => [n, env[n]!]));
}

/** The build context, with fixed timestamps so the engine's build cache recognises it next time. */
function contextTar(files: Record<string, Buffer | string>): NodeJS.ReadableStream {
  const pack = tar.pack();
  const fixed = { mtime: new Date(0), uid: 0, gid: 0, mode: 0o644 };
  for (const [name, content] of Object.entries(files)) pack.entry({ ...fixed, name }, content);
  pack.finalize();
  // A Node stream for dockerode (tar-stream's are streamx streams).
  return Readable.from(pack);
}
