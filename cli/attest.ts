import type { KeyObject } from 'node:crypto';
import { loadPublicKey, loadSigningKey, pinnedImage, verifyImage } from '../src/attest/index.js';
import { credentialsOnce, type Credentials } from '../src/credentials.js';
import type { Logger } from '../src/logger.js';
import { connectRegistry, registryApiHost, type ArtifactRegistry } from '../src/registry/index.js';

/** The team's signing key from the environment (a CI secret), if any. */
export function signingKey(env: NodeJS.ProcessEnv = process.env): KeyObject | undefined {
  const value = env.DAGSHIP_SIGNING_KEY?.trim();
  return value ? loadSigningKey(value) : undefined;
}

/** --public-key, else DAGSHIP_PUBLIC_KEY: a PEM file or the PEM text itself. */
export function publicKey(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): KeyObject | undefined {
  const value = (flag ?? env.DAGSHIP_PUBLIC_KEY)?.trim();
  return value ? loadPublicKey(value) : undefined;
}

export type CredentialsFor = (host: string) => Promise<Credentials | undefined>;

export async function artifactRegistry(host: string, credentialsFor: CredentialsFor): Promise<ArtifactRegistry> {
  return connectRegistry(registryApiHost(host), fetch, { credentials: await credentialsFor(host) });
}

export interface GateFlags {
  publicKey?: string;
  skipVerify?: boolean;
}

/**
 * The release gate in front of deploy: returns what is recorded as dagship.io/verification, or throws.
 * Skipping it is possible but never quiet: a warning (an annotation in GitHub) and the record on the objects.
 */
export async function releaseGate(reference: string, flags: GateFlags, log: Logger, credentialsFor: CredentialsFor = credentialsOnce()): Promise<string> {
  if (flags.skipVerify) {
    const who = process.env.GITHUB_ACTOR ?? process.env.USER ?? 'unknown';
    log.warn(`RELEASE GATE SKIPPED (--skip-verify): ${reference} is deployed without checking its dagship result; recorded on every changed object`);
    return `skipped with --skip-verify by ${who} at ${new Date().toISOString()}`;
  }
  const image = pinnedImage(reference);
  const key = publicKey(flags.publicKey);
  const verified = await verifyImage(await artifactRegistry(image.host, credentialsFor), image, key);
  if (!key)
    log.warn(
      `the result of ${reference} is ${verified.seal.state === 'unsigned' ? 'unsigned' : 'signed, but not verified'}: no public key is configured (--public-key or DAGSHIP_PUBLIC_KEY), so a forged result would pass`,
    );
  log.info(`release gate: ${reference} ${verified.summary}`);
  return verified.summary;
}
