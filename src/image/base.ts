import { engineAuth, maskCredentials, type Credentials } from '../credentials.js';
import { DagshipError, reasonOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ImageDetails, ImageOperations } from '../engine/images.js';
import { parseImageReference } from '../image-reference.js';

export type CredentialsFor = (registry: string) => Promise<Credentials | undefined>;

/**
 * The base image as the engine holds it; pulled through the engine (with the user's credentials for its
 * registry) when missing.
 */
export async function ensureBase(engine: ImageOperations, ref: string, credentialsFor: CredentialsFor, log: Logger): Promise<ImageDetails> {
  const held = await engine.inspect(ref);
  if (held) return held;
  const { registry } = parseImageReference(ref);
  const credentials = await credentialsFor(registry);
  log.info(`base image ${ref} is not on the engine: pulling it${credentials ? ` (credentials from ${credentials.source})` : ''}`);
  const started = Date.now();
  try {
    await engine.pull(ref, engineAuth(credentials, registry));
  } catch (err) {
    throw new DagshipError(
      maskCredentials(`base image ${ref} is not on the Docker Engine and pulling it failed: ${reasonOf(err)}`, credentials),
      `check 'base_image' (dagship.yaml or --base-image), that this machine reaches ${registry}, and credentials (docker login ${registry}); or load the image first (docker pull / docker load)`,
      'config',
      { cause: err },
    );
  }
  log.info(`pulled ${ref} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  const pulled = await engine.inspect(ref);
  if (!pulled) throw new DagshipError(`the engine pulled ${ref} but does not list it`, 'run the build again', 'infra');
  return pulled;
}

/**
 * The digest that pins the base: its registry manifest digest when the engine knows one (a pulled
 * image), else its image ID (an image built or loaded locally has no registry digest).
 */
export function baseDigest(base: ImageDetails, ref: string): string {
  const { registry, repository } = parseImageReference(ref);
  const wanted = registry === 'docker.io' ? [repository, repository.replace(/^library\//, ''), `docker.io/${repository}`] : [`${registry}/${repository}`];
  const digests = [...base.repoDigests].sort();
  const match = digests.find((d) => wanted.includes(d.split('@')[0]!)) ?? digests[0];
  return match?.split('@')[1] ?? base.id;
}
