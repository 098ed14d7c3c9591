import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PREDICATE_TYPE, recordResult, verifyImage, type PinnedImage } from '../../src/attest/index.js';
import { checkResult, rulesApplied } from '../../src/attest/result.js';
import { keyId, loadPublicKey, loadSigningKey, seal, sealOf, signedBy } from '../../src/attest/signing.js';
import { INTOTO_PAYLOAD_TYPE, statement } from '../../src/attest/statement.js';
import { legacyTag, oldResultTag, referrersTag, storeAttestation } from '../../src/attest/store.js';
import type { Finding } from '../../src/findings.js';
import { silentLogger } from '../../src/logger.js';
import { judge } from '../../src/outcome.js';
import type { ArtifactRegistry, Descriptor } from '../../src/registry/index.js';

type Kind = 'ec' | 'ed25519';
const pair = (kind: Kind = 'ec') => {
  const { privateKey, publicKey } = kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('ed25519');
  return { key: loadSigningKey(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()), pub: loadPublicKey(publicKey.export({ format: 'pem', type: 'spki' }).toString()) };
};
const payload = Buffer.from('{"outcome":"passed"}');
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe.each<Kind>(['ec', 'ed25519'])('DSSE signatures (%s)', (kind) => {
  it('name no key id (cosign refuses one in a bundle) and are verified by the same pair whatever id is named', () => {
    const team = pair(kind);
    const envelope = seal(INTOTO_PAYLOAD_TYPE, payload, team.key);
    expect(signedBy(envelope, team.pub)).toBe(true);
    expect(envelope.signatures.map((s) => s.keyid)).toEqual([undefined]);
    expect(signedBy({ ...envelope, signatures: envelope.signatures.map((s) => ({ ...s, keyid: 'any' })) }, team.pub)).toBe(true);
    expect(sealOf(envelope, team.pub, undefined)).toEqual({ state: 'signed', keyid: keyId(team.pub) });
    expect(keyId(team.key)).toBe(keyId(team.pub));
  });

  it('are not verified by another key, nor over an altered payload or payload type', () => {
    const team = pair(kind);
    const envelope = seal(INTOTO_PAYLOAD_TYPE, payload, team.key);
    expect(signedBy(envelope, pair(kind).pub)).toBe(false);
    expect(signedBy({ ...envelope, payload: Buffer.from('{"outcome":"failed"}').toString('base64') }, team.pub)).toBe(false);
    expect(signedBy({ ...envelope, payloadType: 'text/plain' }, team.pub)).toBe(false);
    expect(signedBy({ ...envelope, signatures: [{ keyid: '', sig: 'bm90IGEgc2lnbmF0dXJl' }] }, team.pub)).toBe(false);
  });
});

describe('team keys', () => {
  it('refuses a private key given where the public key belongs, without echoing it', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const err = (() => {
      try {
        loadPublicKey(pem);
      } catch (e) {
        return e as { message: string; hint: string; kind: string };
      }
      throw new Error('accepted a private key as the public key');
    })();
    expect(err.kind).toBe('config');
    expect(err.message).toBe('the public key given is a private key: refused');
    expect(err.hint).toMatch(/\.pub file dagship keygen wrote/);
    expect(`${err.message}${err.hint}`).not.toContain(pem.split('\n')[1]);
  });

  it('rejects keys cosign does not share with dagship (RSA, other curves) and non-keys, without echoing them', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadSigningKey(rsa)).toThrow(/is rsa, not ECDSA P-256 or Ed25519/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(() => loadPublicKey(p384)).toThrow(/is ec \(secp384r1\), not ECDSA P-256 or Ed25519/);
    expect(() => loadSigningKey('s3cr3t-not-a-key')).toThrow(/neither a PEM key nor the path of a readable file/);
    try {
      loadSigningKey('s3cr3t-not-a-key');
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('s3cr3t');
    }
  });

  it("says what to do with cosign's encrypted private key", () => {
    const pem = '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n';
    expect(() => loadSigningKey(pem)).toThrow(/cosign-encrypted key: dagship signs with a plain PEM \(PKCS#8\) key/);
  });
});

/** An in-memory registry behind our own interface: manifests by tag and digest, blobs, and optionally the referrers API. */
function memoryRegistry(withReferrersApi: boolean) {
  const manifests = new Map<string, { body: Buffer; mediaType: string }>();
  const blobs = new Map<string, Buffer>();
  const registry: ArtifactRegistry = {
    host: 'reg.test',
    ping: async () => ({ url: 'http://reg.test', authRequired: false }),
    manifest: async () => undefined,
    rawManifest: async (_repo, ref) => manifests.get(ref),
    blob: async (_repo, digest) => blobs.get(digest),
    putBlob: async (_repo, data) => (blobs.set(sha(data), data), sha(data)),
    mountBlob: async () => false,
    putManifest: async (_repo, ref, body, mediaType) => {
      manifests.set(ref, { body, mediaType });
      manifests.set(sha(body), { body, mediaType });
      const subject = (JSON.parse(body.toString()) as { subject?: { digest: string } }).subject?.digest;
      return { digest: sha(body), subject: withReferrersApi ? subject : undefined };
    },
    referrers: async (_repo, digest) => {
      if (!withReferrersApi) return undefined;
      return [...manifests.entries()].flatMap(([ref, m]): Descriptor[] => {
        const parsed = JSON.parse(m.body.toString()) as { subject?: { digest: string }; artifactType?: string };
        return ref === sha(m.body) && parsed.subject?.digest === digest ? [{ mediaType: m.mediaType, digest: ref, size: m.body.length, artifactType: parsed.artifactType }] : [];
      });
    },
  };
  const push = (content: string): PinnedImage => {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', content }));
    manifests.set(sha(body), { body, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    return { host: 'reg.test', repository: 'team/dags', digest: sha(body) };
  };
  return { registry, manifests, push };
}

const passing = (failed = false) =>
  judge(
    failed ? [{ tool: 'dagship', version: '1', files: ['dags/a.py'], findings: [{ file: 'dags/a.py', line: 1, rule: 'dag-import-error', severity: 'error', message: 'm', tool: 'dagship' }] }] : [],
    { root: '/repo', failOn: 'error' },
  );
const record = (registry: ArtifactRegistry, image: PinnedImage, key: KeyObject | undefined, opts: { failed?: boolean; dirty?: boolean } = {}) =>
  recordResult(registry, { image, outcome: passing(opts.failed), rulesRun: [], labels: opts.dirty ? { 'io.dagship.dirty': 'true' } : {}, dagshipVersion: '9.9.9', signingKey: key }, silentLogger);

describe.each([true, false])('attestations in the registry (referrers API: %s)', (api) => {
  it("records an in-toto statement about the digest, as a Sigstore bundle referrer and under cosign v2's tag, and deploy reads it back", async () => {
    const { registry, manifests, push } = memoryRegistry(api);
    const team = pair();
    const image = push('a');
    await record(registry, image, team.key);
    const legacy = JSON.parse(manifests.get(legacyTag(image.digest))!.body.toString()) as { layers: Descriptor[] };
    expect(legacy.layers.map((l) => [l.mediaType, l.annotations?.predicateType])).toEqual([['application/vnd.dsse.envelope.v1+json', PREDICATE_TYPE]]);
    expect(manifests.has(referrersTag(image.digest))).toBe(!api);
    const listed = api ? await registry.referrers('team/dags', image.digest) : (JSON.parse(manifests.get(referrersTag(image.digest))!.body.toString()) as { manifests: Descriptor[] }).manifests;
    expect(listed!.map((d) => d.artifactType)).toEqual(['application/vnd.dev.sigstore.bundle.v0.3+json']);
    const verified = await verifyImage(registry, image, team.pub);
    expect(verified.result.outcome).toBe('passed');
    expect(verified.summary).toMatch(new RegExp(`passed \\(dagship 9\\.9\\.9, .*\\), signed by ${keyId(team.pub)}`));
  });

  it('refuses what another key signed, and keeps reading attestations others added to the same tags', async () => {
    const { registry, push } = memoryRegistry(api);
    const team = pair();
    const image = push('b');
    await record(registry, image, pair().key);
    await expect(verifyImage(registry, image, team.pub)).rejects.toThrow(/has no valid signature by key sha256:[0-9a-f]{32} \(1 found, signed by sha256:[0-9a-f]{32}\): it was forged/);
    await record(registry, image, team.key);
    expect((await verifyImage(registry, image, team.pub)).seal.state).toBe('signed');
  });

  it('lets the newest signed result decide', async () => {
    const { registry, push } = memoryRegistry(api);
    const team = pair();
    const image = push('c');
    await record(registry, image, team.key);
    await new Promise((r) => setTimeout(r, 5));
    await record(registry, image, team.key, { failed: true });
    await expect(verifyImage(registry, image, team.pub)).rejects.toThrow(/failed its checks \(1 finding\(s\) at or above error/);
  });

  it('refuses a statement signed by the team about another digest, copied onto this one', async () => {
    const { registry, push } = memoryRegistry(api);
    const team = pair();
    const good = push('d');
    const other = push('e');
    const envelope = seal(
      INTOTO_PAYLOAD_TYPE,
      Buffer.from(JSON.stringify(statement('reg.test/team/dags', good.digest, PREDICATE_TYPE, checkResult({ outcome: passing(), rulesRun: [], labels: {}, dagshipVersion: '1' })))),
      team.key,
    );
    await storeAttestation(registry, { repository: 'team/dags', imageDigest: other.digest, envelope, predicateType: PREDICATE_TYPE });
    await expect(verifyImage(registry, other, team.pub)).rejects.toThrow(new RegExp(`is about reg\\.test/team/dags@${good.digest}, not reg\\.test/team/dags@${other.digest}`));
  });
});

describe('what deploy refuses to read', () => {
  it('says an image was never checked, and that a result in the old format must be recorded again', async () => {
    const { registry, manifests, push } = memoryRegistry(false);
    const image = push('f');
    await expect(verifyImage(registry, image, undefined)).rejects.toThrow(/was not checked: the registry has no dagship result for this digest/);
    manifests.set(oldResultTag(image.digest), { body: Buffer.from('{}'), mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    const err = (await verifyImage(registry, image, undefined).catch((e: unknown) => e)) as { message: string; hint: string };
    expect(err.message).toMatch(/has a dagship result in the format before in-toto attestations \(reg\.test\/team\/dags:sha256-[0-9a-f]{64}\.dagship\)/);
    expect(err.hint).toMatch(/dagship check --image reg\.test\/team\/dags@sha256:[0-9a-f]{64} --attest/);
  });

  it('refuses unsigned results once a key is configured, and never calls one verified without a key', async () => {
    const { registry, push } = memoryRegistry(false);
    const image = push('g');
    await record(registry, image, undefined);
    await expect(verifyImage(registry, image, pair().pub)).rejects.toThrow(/is not signed, and a public key is configured/);
    expect((await verifyImage(registry, image, undefined)).seal).toEqual({ state: 'unsigned' });
  });

  it('refuses a dirty build', async () => {
    const { registry, push } = memoryRegistry(true);
    const team = pair('ed25519');
    const image = push('h');
    await record(registry, image, team.key, { dirty: true });
    await expect(verifyImage(registry, image, team.pub)).rejects.toThrow(/was built from uncommitted changes/);
  });
});

describe('the check result', () => {
  const finding = (rule: string, severity: Finding['severity']): Finding => ({ file: 'dags/a.py', line: 1, rule, severity, message: 'm', tool: 'dagship' });

  it('records outcome, counts, rules, the dirty label and the revision', () => {
    const outcome = judge([{ tool: 'dagship', version: '0.1.0', files: ['dags/a.py'], findings: [finding('dag-import-error', 'error'), finding('dag-slow-import', 'warning')] }], {
      root: '/repo',
      failOn: 'error',
    });
    const result = checkResult({
      outcome,
      rulesRun: rulesApplied({ policies: { owner: true, max_tasks: 20, tags: false } }, false),
      labels: { 'io.dagship.dirty': 'true', 'org.opencontainers.image.revision': 'abc' },
      dagshipVersion: '0.1.0',
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(result.outcome).toBe('failed');
    expect(result.dirty).toBe(true);
    expect(result.revision).toBe('abc');
    expect(result.findings).toEqual({ error: 1, warning: 1, note: 0, failing: 1, suppressed: 0 });
    expect(result.rules).toContain('dag-policy-owner');
    expect(result.rules).toContain('dag-policy-max-tasks');
    expect(result.rules).not.toContain('dag-policy-tags');
    expect(result.rules).not.toContain('ruff');
    expect(result.checked_at).toBe('2026-01-01T00:00:00.000Z');
  });
});
