import { engineAuth, maskCredentials, type Credentials } from '../credentials.js';
import { DagshipError, reasonOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ImageDetails, ImageOperations, ProgressEvent } from '../engine/images.js';
import { parseImageReference } from '../image-reference.js';
import { formatBytes } from './text.js';

export type CredentialsFor = (registry: string) => Promise<Credentials | undefined>;

export interface PullNeed {
  /** What the image is, for the log and the message: 'base image', 'image'. */
  what: string;
  /** Where the reference was set, for the hint: "'base_image' (dagship.yaml or --base-image)". */
  setting: string;
}

const BASE: PullNeed = { what: 'base image', setting: "'base_image' (dagship.yaml or --base-image)" };

/**
 * The image as the engine holds it; pulled through the engine, with the user's credentials for its
 * registry and progress in the log, when missing. Every command that runs or builds on an image it
 * does not make itself (check, lint, build, ship, check --attest) gets it here.
 */
export async function ensureImage(engine: ImageOperations, ref: string, credentialsFor: CredentialsFor, log: Logger, need: PullNeed = BASE): Promise<ImageDetails> {
  const held = await engine.inspect(ref);
  if (held) return held;
  const { registry } = parseImageReference(ref);
  const credentials = await credentialsFor(registry);
  log.info(`${need.what} ${ref} is not on the engine: pulling it${credentials ? ` (credentials from ${credentials.source})` : ''}`);
  const started = Date.now();
  const progress = pullProgress(log, ref);
  try {
    await engine.pull(ref, engineAuth(credentials, registry), progress.onEvent);
  } catch (err) {
    throw new DagshipError(
      maskCredentials(`${need.what} ${ref} is not on the Docker Engine and pulling it failed: ${reasonOf(err)}`, credentials),
      `check ${need.setting}, that this machine reaches ${registry}, and credentials (docker login ${registry}); or load the image first (docker pull / docker load)`,
      'config',
      { cause: err },
    );
  } finally {
    progress.stop();
  }
  const tally = pullTally(progress.events);
  log.info(`pulled ${ref} in ${((Date.now() - started) / 1000).toFixed(1)}s: ${describeTally(tally)}`);
  const pulled = await engine.inspect(ref);
  if (!pulled) throw new DagshipError(`the engine pulled ${ref} but does not list it`, 'run the command again', 'infra');
  return pulled;
}

/** The base image (`base_image`, or a Dockerfile's FROM) as the engine holds it, pulled when missing. */
export const ensureBase = (engine: ImageOperations, ref: string, credentialsFor: CredentialsFor, log: Logger) => ensureImage(engine, ref, credentialsFor, log, BASE);

/** Where a pull stands, from the engine's progress events so far. */
export interface PullTally {
  /** Layers of the image the engine did not hold (downloaded or to download). */
  layers: number;
  /** Of those, the ones extracted. */
  done: number;
  /** Layers the engine already held. */
  held: number;
  /** Compressed bytes downloaded, and the total of the layers whose size is known yet. */
  bytes: number;
  totalBytes: number;
}

/** Counts an Engine API pull stream: layers by id, bytes from each layer's last Downloading event. */
export function pullTally(events: ProgressEvent[]): PullTally {
  const fetched = new Map<string, { current: number; total: number; done: boolean }>();
  const held = new Set<string>();
  for (const event of events) {
    if (!event.id || !event.status) continue;
    if (event.status === 'Already exists') held.add(event.id);
    else if (/^(Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete|Extracting|Pull complete)$/.test(event.status)) {
      const layer = fetched.get(event.id) ?? { current: 0, total: 0, done: false };
      if (event.status === 'Downloading') {
        layer.current = event.progressDetail?.current ?? layer.current;
        layer.total = event.progressDetail?.total ?? layer.total;
      }
      // The engine stops sending Downloading before the last bytes: a finished download is complete.
      if (/^(Download complete|Extracting|Pull complete)$/.test(event.status)) layer.current = layer.total;
      if (event.status === 'Pull complete') layer.done = true;
      fetched.set(event.id, layer);
    }
  }
  const layers = [...fetched.values()];
  return {
    layers: layers.length,
    done: layers.filter((l) => l.done).length,
    held: held.size,
    bytes: layers.reduce((sum, l) => sum + l.current, 0),
    totalBytes: layers.reduce((sum, l) => sum + l.total, 0),
  };
}

export function describeTally(t: PullTally): string {
  const bytes = t.totalBytes ? `, ${formatBytes(t.bytes)} of ${formatBytes(t.totalBytes)}` : '';
  return `${t.done}/${t.layers} new layer(s) done${bytes}${t.held ? ` (${t.held} already on the engine)` : ''}`;
}

/** A line every `everyMs` while the pull runs: a large image takes minutes, and silence looks like a hang. */
function pullProgress(log: Logger, ref: string, everyMs = 10_000) {
  const events: ProgressEvent[] = [];
  const timer = setInterval(() => log.info(`pulling ${ref}: ${describeTally(pullTally(events))}`), everyMs);
  timer.unref();
  return { events, onEvent: (event: ProgressEvent) => void events.push(event), stop: () => clearInterval(timer) };
}
