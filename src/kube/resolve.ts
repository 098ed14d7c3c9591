import type { Credentials } from '../credentials.js';
import { DagshipError, isDagshipError } from '../errors.js';
import type { Logger } from '../logger.js';
import { registryApiHost, type RegistryClient } from '../registry/index.js';
import { parseImageReference, splitReference } from '../image-reference.js';

/** How pinReference reaches the registry; the CLI passes resolveCredentials and connectRegistry. */
export interface PinDeps {
  credentialsFor: (registry: string) => Promise<Credentials | undefined>;
  registry: (host: string, credentials: Credentials | undefined) => Pick<RegistryClient, 'manifest'>;
}

/**
 * A reference pinned by digest: returned as it is when it has a digest, else its tag (`latest` when none
 * is written) is looked up in the registry once and `name@sha256:…` returned, so everything after this
 * deploys exactly the content the tag named at this moment, even if the tag moves meanwhile.
 */
export async function pinReference(ref: string, deps: PinDeps, log: Logger): Promise<string> {
  const parsed = parseImageReference(ref.trim(), '--image');
  const split = splitReference(ref)!;
  if (parsed.digest) return ref.trim();
  const tag = parsed.tag ?? 'latest';
  const where = `${parsed.registry}/${parsed.repository}:${tag}`;
  const manifest = await lookUp(parsed.registry, parsed.repository, tag, deps, where);
  if (!manifest) {
    throw new DagshipError(
      `cannot deploy '${ref}': the registry ${parsed.registry} has no tag '${tag}' in ${parsed.repository}`,
      'check the tag (was it pushed?), or deploy the pinned reference `dagship push` printed (registry/repository@sha256:…)',
      'config',
    );
  }
  const pinned = `${split.name}@${manifest.digest}`;
  log.info(`resolved ${split.name}:${tag} → ${pinned}`);
  return pinned;
}

async function lookUp(registry: string, repository: string, tag: string, deps: PinDeps, where: string) {
  try {
    const credentials = await deps.credentialsFor(registry);
    return await deps.registry(registryApiHost(registry), credentials).manifest(repository, tag);
  } catch (err) {
    // The registry's own words (unreachable, refused credentials) say what failed; this says what it was for.
    if (isDagshipError(err)) throw new DagshipError(`cannot resolve ${where} to a digest: ${err.message}`, err.hint, err.kind === 'gate' ? 'infra' : err.kind, { cause: err });
    throw err;
  }
}
