import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkResult, rulesApplied } from '../../src/attest/result.js';
import { keyId, loadPublicKey, loadSigningKey, openEnvelope, seal } from '../../src/attest/signing.js';
import { resultTag } from '../../src/attest/store.js';
import type { Finding } from '../../src/findings.js';
import { judge } from '../../src/outcome.js';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { key: loadSigningKey(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()), pub: loadPublicKey(publicKey.export({ format: 'pem', type: 'spki' }).toString()) };
};
const TYPE = 'application/vnd.dagship.check-result.v1+json';
const payload = Buffer.from('{"outcome":"passed"}');

describe('signed results (DSSE, Ed25519)', () => {
  it('opens what the same key pair sealed and names the key', () => {
    const team = pair();
    const opened = openEnvelope(seal(TYPE, payload, team.key), team.pub, 'here');
    expect(opened.payload.equals(payload)).toBe(true);
    expect(opened.seal).toEqual({ state: 'signed', keyid: keyId(team.pub) });
    expect(keyId(team.key)).toBe(keyId(team.pub));
  });

  it('refuses a private key given where the public key belongs, without echoing it', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
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

  it('refuses a result signed by another key', () => {
    const team = pair();
    const other = pair();
    expect(() => openEnvelope(seal(TYPE, payload, other.key), team.pub, 'here')).toThrow(/no valid signature by key sha256:[0-9a-f]{32} \(signed by sha256:/);
  });

  it('refuses an altered payload or payload type under a valid signature', () => {
    const team = pair();
    const envelope = seal(TYPE, payload, team.key);
    const altered = { ...envelope, payload: Buffer.from('{"outcome":"failed"}').toString('base64') };
    expect(() => openEnvelope(altered, team.pub, 'here')).toThrow(/forged, altered/);
    expect(() => openEnvelope({ ...envelope, payloadType: 'text/plain' }, team.pub, 'here')).toThrow(/forged, altered/);
  });

  it('refuses an unsigned result once a key is configured; without a key nothing is called verified', () => {
    const team = pair();
    expect(() => openEnvelope(seal(TYPE, payload, undefined), team.pub, 'here')).toThrow(/is not signed, and a public key is configured/);
    expect(openEnvelope(seal(TYPE, payload, undefined), undefined, 'here').seal).toEqual({ state: 'unsigned' });
    expect(openEnvelope(seal(TYPE, payload, team.key), undefined, 'here').seal).toEqual({ state: 'not-verified', keyids: [keyId(team.key)] });
  });

  it('rejects keys that are not Ed25519 PEM, without echoing them', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadSigningKey(rsa)).toThrow(/is rsa, not Ed25519/);
    expect(() => loadSigningKey('s3cr3t-not-a-key')).toThrow(/neither a PEM key nor the path of a readable file/);
    try {
      loadSigningKey('s3cr3t-not-a-key');
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('s3cr3t');
    }
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
      repository: '127.0.0.1:5111/team/dags',
      digest: `sha256:${'a'.repeat(64)}`,
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

  it('lives under cosign-style tags beside the image', () => {
    expect(resultTag(`sha256:${'b'.repeat(64)}`)).toBe(`sha256-${'b'.repeat(64)}.dagship`);
  });
});
