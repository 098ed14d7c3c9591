import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeHarness } from '../fixtures/kube/harness.js';
import { PREDICATE_TYPE } from '../../src/attest/result.js';
import { fetchAttestations, storeAttestation } from '../../src/attest/store.js';
import { parseImageReference } from '../../src/image-reference.js';
import { connectRegistry } from '../../src/registry/index.js';
import { dagship } from './cli.js';
import { exampleRepo, pinnedFrom } from './example-repo.js';
import { infra } from './infra.js';

/*
 * dagship's attestations in the ecosystem's own tool: real cosign v3 (test/infra/cosign) verifies what ship
 * records and refuses what was tampered with or signed by another key, and deploy takes what cosign attests.
 * Offline, as a key pair allows: no transparency log, no certificate authority.
 */

const env = infra();
const kube = kubeHarness(env.kubeconfig);
const work = mkdtempSync(path.join(tmpdir(), 'dagship-cosign-'));
const namespaces: string[] = [];
const pair = (name: string) => ({ key: path.join(work, `${name}.key`), pub: path.join(work, `${name}.pub`) });
const team = pair('team');
const other = pair('other');
const cosignPair = pair('cosign');

const cosign = (args: string[]) => execa(env.cosign, args, { cwd: work, env: { HOME: work, COSIGN_PASSWORD: '', NO_COLOR: '1' }, extendEnv: false, reject: false, timeout: 120_000 });
// The test registries speak plain HTTP on loopback.
const plainHttp = ['--allow-insecure-registry', '--allow-http-registry'];
const verify = (pub: string, ref: string) => cosign(['verify-attestation', '--key', pub, '--type', PREDICATE_TYPE, '--insecure-ignore-tlog=true', ...plainHttp, ref]);
const deploy = (ref: string, ns: string, pub: string) =>
  dagship(['deploy', '--image', ref, '--release', 'airflow', '-n', ns, '--dry-run', '--public-key', pub], { env: { KUBECONFIG: env.kubeconfig } });

/** The predicates cosign printed after verifying (one in-toto statement per line, in a DSSE envelope). */
function predicates(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(Buffer.from((JSON.parse(line) as { payload: string }).payload, 'base64').toString('utf8')) as { predicateType: string; predicate: Record<string, unknown> })
    .filter((s) => s.predicateType === PREDICATE_TYPE)
    .map((s) => s.predicate);
}

beforeAll(async () => {
  for (const name of ['team', 'other']) expect((await dagship(['keygen', '-o', path.join(work, name)])).exitCode).toBe(0);
  const generated = await cosign(['generate-key-pair']);
  expect(generated.exitCode, generated.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
});

/** cosign attest with the cosign key pair, offline (no signing config, no transparency log). */
const cosignAttest = (predicate: string, ref: string, extra: string[] = []) =>
  cosign(['attest', '--yes', ...extra, '--key', cosignPair.key, '--type', PREDICATE_TYPE, '--predicate', predicate, '--use-signing-config=false', '--tlog-upload=false', ...plainHttp, ref]);

/** A passing dagship predicate, as a team would hand it to cosign attest. */
function passingPredicate(version: string): string {
  const file = path.join(work, `predicate-${version}.json`);
  const findings = { error: 0, warning: 0, note: 0, failing: 0, suppressed: 0 };
  writeFileSync(file, JSON.stringify({ outcome: 'passed', dirty: false, dagship_version: version, fail_on: 'error', tools: [], rules: [], findings, checked_at: new Date().toISOString() }));
  return file;
}

describe.each([
  ['a registry without the referrers API (the OCI fallback tag)', () => env.registry],
  ['a registry with the referrers API', () => env.referrersRegistry],
])('cosign and dagship on %s', (_what, registryOf) => {
  let shipped: string;
  let unchecked: string;
  let ns: string;

  beforeAll(async () => {
    const at = { ...env, registry: registryOf() };
    const result = await dagship(['ship', exampleRepo(at, {}, 'cosign')], { env: { DAGSHIP_SIGNING_KEY: readFileSync(team.key, 'utf8') } });
    expect(result.exitCode, result.stderr).toBe(0);
    shipped = pinnedFrom(result.stdout);
    const repo = exampleRepo(at, { 'dags/unchecked.py': '# never checked\n' }, 'cosign');
    expect((await dagship(['build', repo])).exitCode).toBe(0);
    const pushed = await dagship(['push', repo]);
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    unchecked = pinnedFrom(pushed.stdout);
    ns = await kube.release('cosign');
    namespaces.push(ns);
  }, 400_000);

  it('cosign verify-attestation accepts the result ship recorded, with the team key dagship keygen wrote', async () => {
    const verified = await verify(team.pub, shipped);
    expect(verified.exitCode, verified.stderr).toBe(0);
    expect(predicates(verified.stdout)).toEqual([expect.objectContaining({ outcome: 'passed', dirty: false })]);
    // cosign v3 reads the bundle referrer whenever there is one, so the check above was on the bundle;
    // cosign v2's reading (the .att tag) is asked for on its own.
    const ref = parseImageReference(shipped);
    const registry = connectRegistry(ref.registry);
    const listed = (await registry.referrers(ref.repository, ref.digest!)) ?? [];
    const fallback = await registry.rawManifest(ref.repository, ref.digest!.replace(':', '-'));
    const indexed = [...listed, ...((fallback && (JSON.parse(fallback.body.toString()) as { manifests: { artifactType?: string }[] }).manifests) || [])];
    expect(indexed.map((d) => d.artifactType)).toEqual(['application/vnd.dev.sigstore.bundle.v0.3+json']);
    expect(listed.length > 0).toBe(registryOf() === env.referrersRegistry);
    const legacy = await cosign(['verify-attestation', '--new-bundle-format=false', '--key', team.pub, '--type', PREDICATE_TYPE, '--insecure-ignore-tlog=true', ...plainHttp, shipped]);
    expect(legacy.exitCode, legacy.stderr).toBe(0);
    expect((await deploy(shipped, ns, team.pub)).exitCode).toBe(0);
  });

  it('a result signed with another key fails in cosign and in deploy', async () => {
    const attested = await dagship(['check', exampleRepo({ ...env, registry: registryOf() }, {}, 'cosign'), '--image', unchecked, '--attest'], {
      env: { DAGSHIP_SIGNING_KEY: readFileSync(other.key, 'utf8') },
    });
    expect(attested.exitCode, attested.stderr).toBe(0);
    expect((await verify(other.pub, unchecked)).exitCode).toBe(0);
    const refused = await verify(team.pub, unchecked);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/no matching attestations|invalid signature|signature/i);
    const gate = await deploy(unchecked, ns, team.pub);
    expect(gate.exitCode).toBe(1);
    expect(gate.stderr).toContain('it was forged, altered, or signed with another key');
  });

  it("a statement altered under the team's signature fails in cosign and in deploy", async () => {
    const ref = parseImageReference(shipped);
    const registry = connectRegistry(ref.registry);
    const genuine = (await fetchAttestations(registry, ref.repository, ref.digest!)).found[0]!.envelope;
    const target = parseImageReference(unchecked);
    const statement = JSON.parse(Buffer.from(genuine.payload, 'base64').toString('utf8')) as { subject: unknown };
    statement.subject = [{ name: `${target.registry}/${target.repository}`, digest: { sha256: target.digest!.slice('sha256:'.length) } }];
    const altered = { ...genuine, payload: Buffer.from(JSON.stringify(statement)).toString('base64') };
    await storeAttestation(registry, { repository: target.repository, imageDigest: target.digest!, envelope: altered, predicateType: PREDICATE_TYPE });
    expect((await verify(team.pub, unchecked)).exitCode).not.toBe(0);
    const gate = await deploy(unchecked, ns, team.pub);
    expect(gate.exitCode).toBe(1);
    expect(gate.stderr).toContain('it was forged, altered, or signed with another key');
  });

  it('deploy lets through what cosign attest signed with a cosign key pair, and only with that key', async () => {
    const predicate = passingPredicate('cosign');
    const attested = await cosignAttest(predicate, unchecked);
    expect(attested.exitCode, attested.stderr).toBe(0);
    const gate = await deploy(unchecked, ns, cosignPair.pub);
    expect(gate.stderr).toMatch(/release gate: \S+ passed \(dagship cosign, /);
    expect(gate.exitCode).toBe(0);
    expect((await deploy(unchecked, ns, team.pub)).exitCode).toBe(1);
  });

  it("deploy reads cosign v2's format too: an attestation under .att, with an in-toto v0.1 statement", async () => {
    const predicate = passingPredicate('cosign-v2');
    const attested = await cosignAttest(predicate, shipped, ['--new-bundle-format=false']);
    expect(attested.exitCode, attested.stderr).toBe(0);
    // The image's only bundle is dagship's, signed by the team key: what the cosign key signed is under .att alone.
    const gate = await deploy(shipped, ns, cosignPair.pub);
    expect(gate.stderr).toMatch(/release gate: \S+ passed \(dagship cosign-v2, /);
    expect(gate.exitCode).toBe(0);
  });
});
