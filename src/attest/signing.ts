import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { DagshipError } from '../errors.js';

/**
 * A signed statement in the DSSE envelope format (what in-toto and cosign use): the signature covers
 * the payload type and the exact payload bytes, so neither can be swapped.
 */
export interface Envelope {
  payloadType: string;
  payload: string;
  /** No key id: cosign refuses a bundle whose signature names one; the bundle's key hint names the signer. */
  signatures: { keyid?: string; sig: string }[];
}

/** PEM text, or the path of a PEM file: CI secrets usually hold the text, local setups a file. */
function pemOf(value: string, what: string, hint: string): string {
  const text = value.includes('-----BEGIN') ? value : existsSync(value) && statSync(value).isFile() ? readFileSync(value, 'utf8') : undefined;
  // Never echo the value: it may be a private key pasted in the wrong place.
  if (!text) throw new DagshipError(`${what} is neither a PEM key nor the path of a readable file`, hint, 'config');
  return text;
}

/** What cosign also signs and verifies with: ECDSA P-256 (its default) and Ed25519. */
function keyKind(key: KeyObject): 'ecdsa-p256' | 'ed25519' | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ecdsa-p256';
  return undefined;
}

/** An ECDSA P-256 or Ed25519 key from PEM text or file; anything else is a config error that never echoes the value. */
function loadKey(value: string, what: { name: string; kind: string; hint: string }, parse: (pem: string) => KeyObject): KeyObject {
  let key: KeyObject;
  let pem: string | undefined;
  try {
    pem = pemOf(value, what.name, what.hint);
    key = parse(pem);
  } catch (err) {
    if (err instanceof DagshipError) throw err;
    if (pem && /-----BEGIN ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY-----/.test(pem)) {
      throw new DagshipError(
        `${what.name} is a cosign-encrypted key: dagship signs with a plain PEM (PKCS#8) key`,
        'make the team pair with dagship keygen (cosign verifies with its .pub; cosign import-key-pair --key PREFIX.key lets cosign sign with it too)',
        'config',
      );
    }
    throw new DagshipError(`${what.name} is not a valid PEM ${what.kind} key`, what.hint, 'config');
  }
  if (!keyKind(key)) {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw new DagshipError(`${what.name} is ${key.asymmetricKeyType}${curve ? ` (${curve})` : ''}, not ECDSA P-256 or Ed25519`, what.hint, 'config');
  }
  return key;
}

export function loadSigningKey(value: string): KeyObject {
  const hint = 'set DAGSHIP_SIGNING_KEY to the PEM private key dagship keygen wrote (PKCS#8, ECDSA P-256 or Ed25519), e.g. from a CI secret';
  return loadKey(value, { name: 'DAGSHIP_SIGNING_KEY', kind: 'private', hint }, createPrivateKey);
}

export function loadPublicKey(value: string): KeyObject {
  const hint = 'pass the PEM public key dagship keygen or cosign generate-key-pair wrote (--public-key FILE or DAGSHIP_PUBLIC_KEY)';
  return loadKey(value, { name: 'the public key', kind: 'public', hint }, (pem) => {
    // Node derives a public key from a private one without a word; the private key would then sit
    // wherever deploys run, which it must never reach.
    if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) {
      throw new DagshipError(
        'the public key given is a private key: refused',
        'pass the .pub file dagship keygen wrote (the .key file stays a CI secret for signing); if the private key was exposed, make a new pair with dagship keygen',
        'config',
      );
    }
    return createPublicKey(pem);
  });
}

/** cosign's name for a key in a bundle: base64 of the sha256 of the public key's DER form. */
export function keyHint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(pub.export({ format: 'der', type: 'spki' }))
    .digest('base64');
}

/** A short, stable name for a key pair, for people: `sha256:` and the first 32 hex digits of its hint. */
export function keyId(key: KeyObject): string {
  return idOfHint(keyHint(key));
}

export const idOfHint = (hint: string) => `sha256:${Buffer.from(hint, 'base64').toString('hex').slice(0, 32)}`;

/** DSSE's pre-authentication encoding. */
function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** ECDSA signs the SHA-256 of the encoding (DER signature), Ed25519 the encoding itself: what cosign does. */
const digestFor = (key: KeyObject) => (keyKind(key) === 'ed25519' ? null : 'sha256');

export function seal(payloadType: string, payload: Buffer, key: KeyObject | undefined): Envelope {
  const signatures = key ? [{ sig: sign(digestFor(key), pae(payloadType, payload), key).toString('base64') }] : [];
  return { payloadType, payload: payload.toString('base64'), signatures };
}

export type Seal = { state: 'signed'; keyid: string } | { state: 'unsigned' } | { state: 'not-verified'; keyids: string[] };

/** Whether any of the envelope's signatures is the key's over its type and payload (key ids are hints only: cosign leaves them empty). */
export function signedBy(envelope: Envelope, key: KeyObject): boolean {
  const signed = pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  return envelope.signatures.some((s) => {
    try {
      return verify(digestFor(key), signed, key, Buffer.from(s.sig, 'base64'));
    } catch {
      return false;
    }
  });
}

/** How an envelope is sealed, for the record: by the key (checked), or not checked because no key was given. */
export function sealOf(envelope: Envelope, key: KeyObject | undefined, signer: string | undefined): Seal {
  if (key) return { state: 'signed', keyid: keyId(key) };
  return envelope.signatures.length ? { state: 'not-verified', keyids: [signer ?? 'a key it does not name'] } : { state: 'unsigned' };
}

/** A new team pair: ECDSA P-256, cosign's default, so cosign verifies what dagship signs and the other way round. */
export function generateKeys(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}
