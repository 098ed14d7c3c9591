import type { KeyObject } from 'node:crypto';
import { DagshipError } from '../errors.js';
import { parseImageReference } from '../image-reference.js';
import type { Logger } from '../logger.js';
import type { Outcome } from '../outcome.js';
import type { ArtifactRegistry } from '../registry/index.js';
import { checkResult, PREDICATE_TYPE, type CheckResult } from './result.js';
import { keyHint, keyId, seal, sealOf, signedBy, type Seal } from './signing.js';
import { INTOTO_PAYLOAD_TYPE, isAbout, parseStatement, statement, type Statement } from './statement.js';
import { fetchAttestations, legacyTag, storeAttestation, type Found } from './store.js';

export { PREDICATE_TYPE, rulesApplied, type CheckResult } from './result.js';
export { generateKeys, keyId, loadPublicKey, loadSigningKey } from './signing.js';

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

/**
 * Records the result as an in-toto attestation of the image's digest, signed with the team key when there is
 * one, where cosign finds it; deploy reads it back.
 */
export async function recordResult(registry: ArtifactRegistry, request: RecordRequest, log: Logger): Promise<CheckResult> {
  const { image, signingKey } = request;
  const result = checkResult({ outcome: request.outcome, rulesRun: request.rulesRun, labels: request.labels, dagshipVersion: request.dagshipVersion });
  if (!signingKey) log.warn('the result is unsigned: set DAGSHIP_SIGNING_KEY (dagship keygen) so that deploy can tell it from a forged one');
  const payload = Buffer.from(JSON.stringify(statement(`${image.host}/${image.repository}`, image.digest, PREDICATE_TYPE, result)));
  const envelope = seal(INTOTO_PAYLOAD_TYPE, payload, signingKey);
  const where = await storeAttestation(registry, { repository: image.repository, imageDigest: image.digest, envelope, predicateType: PREDICATE_TYPE, keyHint: signingKey && keyHint(signingKey) });
  log.info(`recorded result '${result.outcome}'${signingKey ? ' (signed)' : ' (unsigned)'} as an in-toto attestation: ${where.join('; ')}`);
  return result;
}

export interface Verification {
  result: CheckResult;
  seal: Seal;
  /** For the deployment's annotations: how the image was let through. */
  summary: string;
}

type Attested = Found & { statement: Statement<CheckResult> };

/**
 * The gate in front of deploy: among the dagship attestations of the exact digest (signed by the team's key,
 * when a public key is given), the newest decides: it must have passed, from a clean tree. Anything else
 * throws a gate error.
 */
export async function verifyImage(registry: ArtifactRegistry, image: PinnedImage, publicKey: KeyObject | undefined): Promise<Verification> {
  const ref = `${image.host}/${image.repository}@${image.digest}`;
  const attestations = await fetchAttestations(registry, image.repository, image.digest);
  const ours = attestations.found.flatMap((f): Attested[] => {
    if (f.envelope.payloadType !== INTOTO_PAYLOAD_TYPE) return [];
    const s = parseStatement(Buffer.from(f.envelope.payload, 'base64'));
    return s?.predicateType === PREDICATE_TYPE && isResult(s.predicate) ? [{ ...f, statement: s as Statement<CheckResult> }] : [];
  });
  if (ours.length === 0) {
    if (attestations.oldFormat) {
      throw new DagshipError(
        `${ref} has a dagship result in the format before in-toto attestations (${attestations.oldFormat}), which deploy no longer reads`,
        `record it again with this dagship: dagship check --image ${ref} --attest (or ship again), then deploy`,
        'gate',
      );
    }
    const unreadable = attestations.unreadable.length ? `; unreadable: ${attestations.unreadable.join('; ')}` : '';
    throw new DagshipError(
      `${ref} was not checked: the registry has no dagship result for this digest (no ${PREDICATE_TYPE} attestation among its referrers or under :${legacyTag(image.digest)}${unreadable})`,
      'deploy the reference dagship ship printed, or run dagship check --image <reference> --attest first',
      'gate',
    );
  }
  const about = ours.filter((a) => isAbout(a.statement, image.digest));
  const trusted = publicKey ? about.filter((a) => signedBy(a.envelope, publicKey)) : about;
  if (trusted.length === 0) throw refusal(ref, image.digest, ours, about, publicKey);
  const chosen = trusted.reduce((a, b) => (b.statement.predicate.checked_at > a.statement.predicate.checked_at ? b : a));
  const result = chosen.statement.predicate;
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
  const s = sealOf(chosen.envelope, publicKey, chosen.signer);
  return { result, seal: s, summary: describe(s, result) };
}

/** Why no attestation could be trusted: about another digest, unsigned, or not signed by the key. */
function refusal(ref: string, digest: string, ours: Attested[], about: Attested[], key: KeyObject | undefined): DagshipError {
  const elsewhere = ours.find((a) => !isAbout(a.statement, digest) && (!key || signedBy(a.envelope, key)));
  if (about.length === 0 || (key && elsewhere)) {
    const other = (elsewhere ?? ours[0]!).statement.subject.map((s) => `${s.name}@${Object.entries(s.digest)[0]?.join(':')}`).join(', ');
    return new DagshipError(
      `the dagship result ${(elsewhere ?? ours[0]!).where} is about ${other}, not ${ref}`,
      'do not deploy this image; results are only valid for the digest they were recorded for',
      'gate',
    );
  }
  const id = keyId(key!);
  if (about.every((a) => a.envelope.signatures.length === 0)) {
    return new DagshipError(
      `the dagship result of ${ref} is not signed, and a public key is configured`,
      'run the checks again with DAGSHIP_SIGNING_KEY set in CI (dagship ship or check --attest), then deploy',
      'gate',
    );
  }
  const signers = [...new Set(about.map((a) => a.signer ?? 'a key it does not name'))].join(', ');
  return new DagshipError(
    `the dagship result of ${ref} has no valid signature by key ${id} (${about.length} found, signed by ${signers}): it was forged, altered, or signed with another key`,
    'do not deploy this image; re-run the checks in CI with the team signing key, or check that --public-key is the key CI signs with',
    'gate',
  );
}

function isResult(p: unknown): p is CheckResult {
  const r = p as Partial<CheckResult> | undefined;
  return typeof r?.outcome === 'string' && typeof r.checked_at === 'string' && typeof r.dirty === 'boolean' && typeof r.findings === 'object';
}

function describe(s: Seal, result: CheckResult): string {
  const what = `passed (dagship ${result.dagship_version}, ${result.checked_at})`;
  if (s.state === 'signed') return `${what}, signed by ${s.keyid}`;
  return `${what}, signature not verified (no public key configured)`;
}
