import type { KeyObject } from 'node:crypto';
import { DagshipError } from '../errors.js';
import { parseImageReference } from '../image-reference.js';
import type { Logger } from '../logger.js';
import type { Outcome } from '../outcome.js';
import type { ArtifactRegistry } from '../registry/index.js';
import { checkResult, RESULT_TYPE, type CheckResult } from './result.js';
import { openEnvelope, seal, type Seal } from './signing.js';
import { fetchResult, resultTag, storeResult } from './store.js';

export { rulesApplied, type CheckResult } from './result.js';
export { generateKeys, keyId, loadPublicKey, loadSigningKey } from './signing.js';
export { resultTag } from './store.js';

/** An image in a registry, pinned: `host/repository@sha256:…` split into its parts. */
export interface PinnedImage {
  host: string;
  repository: string;
  digest: string;
}

/** A reference as `dagship push` prints it, split; one without a digest is a usage error. */
export function pinnedImage(reference: string): PinnedImage {
  const ref = parseImageReference(reference);
  if (!ref.digest) {
    throw new DagshipError(`${reference} is not pinned to a digest`, 'use the reference dagship push printed: registry/repository@sha256:…', 'usage');
  }
  return { host: ref.registry, repository: ref.repository, digest: ref.digest };
}

export interface RecordRequest {
  image: PinnedImage;
  outcome: Outcome;
  rulesRun: string[];
  labels: Record<string, string>;
  dagshipVersion: string;
  signingKey?: KeyObject;
}

/** Pushes the signed (or, without a key, unsigned) result next to the image; deploy reads it back. */
export async function recordResult(registry: ArtifactRegistry, request: RecordRequest, log: Logger): Promise<CheckResult> {
  const { image } = request;
  const result = checkResult({
    repository: `${image.host}/${image.repository}`,
    digest: image.digest,
    outcome: request.outcome,
    rulesRun: request.rulesRun,
    labels: request.labels,
    dagshipVersion: request.dagshipVersion,
  });
  if (!request.signingKey) log.warn('the result is unsigned: set DAGSHIP_SIGNING_KEY (dagship keygen) so that deploy can tell it from a forged one');
  const envelope = seal(RESULT_TYPE, Buffer.from(JSON.stringify(result)), request.signingKey);
  await storeResult(registry, image.repository, image.digest, envelope, RESULT_TYPE);
  log.info(`recorded result '${result.outcome}'${request.signingKey ? ' (signed)' : ' (unsigned)'} as ${image.host}/${image.repository}:${resultTag(image.digest)}`);
  return result;
}

export interface Verification {
  result: CheckResult;
  seal: Seal;
  /** For the deployment's annotations: how the image was let through. */
  summary: string;
}

/**
 * The gate in front of deploy: the image must have a result for its exact digest that passed, from a
 * clean tree, and (with a public key) signed by the team's key. Anything else throws a gate error.
 */
export async function verifyImage(registry: ArtifactRegistry, image: PinnedImage, publicKey: KeyObject | undefined): Promise<Verification> {
  const ref = `${image.host}/${image.repository}@${image.digest}`;
  const where = `${image.host}/${image.repository}:${resultTag(image.digest)}`;
  const envelope = await fetchResult(registry, image.repository, image.digest);
  if (!envelope) {
    throw new DagshipError(
      `${ref} was not checked: the registry has no dagship result for this digest (${where})`,
      'deploy the reference dagship ship printed, or run dagship check --image <reference> --attest first',
      'gate',
    );
  }
  if (envelope.payloadType !== RESULT_TYPE) throw new DagshipError(`the dagship result ${where} is of type ${envelope.payloadType}`, 'run the checks again to record a new result', 'gate');
  const opened = openEnvelope(envelope, publicKey, where);
  const result = parseResult(opened.payload, where);
  if (result.image.digest !== image.digest || result.image.repository !== `${image.host}/${image.repository}`) {
    throw new DagshipError(
      `the dagship result ${where} is about ${result.image.repository}@${result.image.digest}, not ${ref}`,
      'do not deploy this image; results are only valid for the digest they were recorded for',
      'gate',
    );
  }
  if (result.outcome !== 'passed') {
    throw new DagshipError(
      `${ref} failed its checks (${result.findings.failing} finding(s) at or above ${result.fail_on}, checked ${result.checked_at})`,
      'fix the findings (dagship check shows them), ship a new image and deploy that',
      'gate',
    );
  }
  if (result.dirty) {
    throw new DagshipError(
      `${ref} was built from uncommitted changes (revision ${result.revision ?? 'unknown'}): it is not a release`,
      'commit, ship again from a clean checkout and deploy that image',
      'gate',
    );
  }
  return { result, seal: opened.seal, summary: describe(opened.seal, result) };
}

function describe(s: Seal, result: CheckResult): string {
  const what = `passed (dagship ${result.dagship_version}, ${result.checked_at})`;
  if (s.state === 'signed') return `${what}, signed by ${s.keyid}`;
  return `${what}, signature not verified (no public key configured)`;
}

function parseResult(payload: Buffer, where: string): CheckResult {
  try {
    const result = JSON.parse(payload.toString('utf8')) as CheckResult;
    if (result.type === RESULT_TYPE && result.image && result.outcome) return result;
  } catch {
    // fall through to the one message
  }
  throw new DagshipError(`the dagship result ${where} does not hold a dagship check result`, 'run the checks again to record a new result', 'gate');
}
