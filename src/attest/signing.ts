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
  signatures: { keyid: string; sig: string }[];
}

/** PEM text, or the path of a PEM file: CI secrets usually hold the text, local setups a file. */
function pemOf(value: string, what: string, hint: string): string {
  const text = value.includes('-----BEGIN') ? value : existsSync(value) && statSync(value).isFile() ? readFileSync(value, 'utf8') : undefined;
  // Never echo the value: it may be a private key pasted in the wrong place.
  if (!text) throw new DagshipError(`${what} is neither a PEM key nor the path of a readable file`, hint, 'config');
  return text;
}

/** An Ed25519 key from PEM text or file; anything else is a config error that never echoes the value. */
function loadKey(value: string, what: { name: string; kind: string; hint: string }, parse: (pem: string) => KeyObject): KeyObject {
  let key: KeyObject;
  try {
    key = parse(pemOf(value, what.name, what.hint));
  } catch (err) {
    if (err instanceof DagshipError) throw err;
    throw new DagshipError(`${what.name} is not a valid PEM ${what.kind} key`, what.hint, 'config');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new DagshipError(`${what.name} is ${key.asymmetricKeyType}, not Ed25519`, what.hint, 'config');
  return key;
}

export function loadSigningKey(value: string): KeyObject {
  const hint = 'set DAGSHIP_SIGNING_KEY to the PEM private key dagship keygen wrote (an Ed25519 PKCS#8 key), e.g. from a CI secret';
  return loadKey(value, { name: 'DAGSHIP_SIGNING_KEY', kind: 'private', hint }, createPrivateKey);
}

export function loadPublicKey(value: string): KeyObject {
  const hint = 'pass the PEM public key dagship keygen wrote (--public-key FILE or DAGSHIP_PUBLIC_KEY)';
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

/** A short, stable name for a key pair: the sha256 of the public key's DER form. */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return `sha256:${createHash('sha256')
    .update(pub.export({ format: 'der', type: 'spki' }))
    .digest('hex')
    .slice(0, 32)}`;
}

/** DSSE's pre-authentication encoding. */
function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

export function seal(payloadType: string, payload: Buffer, key: KeyObject | undefined): Envelope {
  const signatures = key ? [{ keyid: keyId(key), sig: sign(null, pae(payloadType, payload), key).toString('base64') }] : [];
  return { payloadType, payload: payload.toString('base64'), signatures };
}

export type Seal = { state: 'signed'; keyid: string } | { state: 'unsigned' } | { state: 'not-verified'; keyids: string[] };

/**
 * With a key: the envelope must carry a valid signature by it, else it throws (a gate). Without one,
 * the result is reported as not verified, never as trusted.
 */
export function openEnvelope(envelope: Envelope, key: KeyObject | undefined, where: string): { payload: Buffer; seal: Seal } {
  const payload = Buffer.from(envelope.payload, 'base64');
  const keyids = envelope.signatures.map((s) => s.keyid);
  if (!key) return { payload, seal: keyids.length ? { state: 'not-verified', keyids } : { state: 'unsigned' } };
  const id = keyId(key);
  if (keyids.length === 0) {
    throw new DagshipError(
      `the dagship result ${where} is not signed, and a public key is configured`,
      'run the checks again with DAGSHIP_SIGNING_KEY set in CI (dagship ship or check --attest), then deploy',
      'gate',
    );
  }
  const valid = envelope.signatures.some((s) => s.keyid === id && verify(null, pae(envelope.payloadType, payload), key, Buffer.from(s.sig, 'base64')));
  if (!valid) {
    throw new DagshipError(
      `the dagship result ${where} has no valid signature by key ${id} (signed by ${keyids.join(', ')}): it was forged, altered, or signed with another key`,
      'do not deploy this image; re-run the checks in CI with the team signing key, or check that --public-key is the key CI signs with',
      'gate',
    );
  }
  return { payload, seal: { state: 'signed', keyid: id } };
}

export function generateKeys(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}
