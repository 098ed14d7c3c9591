import { REPOSITORY_SETTING, type Options } from '../src/config.js';
import { credentialsOnce, type Credentials } from '../src/credentials.js';
import { parseImageReference } from '../src/image-reference.js';

/**
 * Credentials for the images a command pulls (base image, --image): config.json's for each registry;
 * DAGSHIP_REGISTRY_* only for the push target's registry when one is configured, so they never leak to
 * another registry. The repository is read on the first ask: doctor reports a bad one, it does not stop.
 */
export function imageCredentials(options: Options): (registry: string) => Promise<Credentials | undefined> {
  let once: ((registry: string) => Promise<Credentials | undefined>) | undefined;
  return async (registry) => {
    once ??= credentialsOnce({ cwd: options.root, target: options.repository ? parseImageReference(options.repository, REPOSITORY_SETTING).registry : undefined });
    return once(registry);
  };
}
