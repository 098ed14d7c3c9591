import type { ImageDetails } from '../engine/images.js';
import { parseImageReference } from '../image-reference.js';

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
