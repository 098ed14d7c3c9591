import { readFileSync, writeFileSync, appendFileSync, mkdtempSync } from 'node:fs';
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

const env = infra();
const kube = kubeHarness(env.kubeconfig);
const namespaces: string[] = [];
const keys = mkdtempSync(path.join(tmpdir(), 'dagship-keys-'));
const team = { key: path.join(keys, 'team.key'), pub: path.join(keys, 'team.pub') };
const other = { key: path.join(keys, 'other.key'), pub: path.join(keys, 'other.pub') };
const signedBy = (pair: { key: string }) => ({ DAGSHIP_SIGNING_KEY: readFileSync(pair.key, 'utf8') });

async function release(): Promise<string> {
  const ns = await kube.release('gate');
  namespaces.push(ns);
  return ns;
}

const deploy = (image: string, ns: string, extra: string[] = []) =>
  dagship(['deploy', '--image', image, '--release', 'airflow', '-n', ns, '--timeout', '90s', ...extra], { env: { KUBECONFIG: env.kubeconfig } });

/** Images of the release that are `image`: none, when a refused deploy left the cluster alone. */
const running = async (ns: string, image: string) =>
  Object.values(await kube.images(ns))
    .flat()
    .filter((i) => i.includes(image));

async function buildAndPush(repo: string): Promise<string> {
  expect((await dagship(['build', repo])).exitCode).toBe(0);
  const pushed = await dagship(['push', repo]);
  expect(pushed.exitCode).toBe(0);
  return pinnedFrom(pushed.stdout);
}

describe('release gate: deploy verifies the signed dagship result of the exact digest', () => {
  let shipped: string;
  let unchecked: string;
  let ns: string;

  beforeAll(async () => {
    expect((await dagship(['keygen', '-o', path.join(keys, 'team')])).exitCode).toBe(0);
    expect((await dagship(['keygen', '-o', path.join(keys, 'other')])).exitCode).toBe(0);
    const result = await dagship(['ship', exampleRepo(env, {}, 'gate')], { env: signedBy(team) });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/recorded result 'passed' \(signed\)/);
    shipped = pinnedFrom(result.stdout);
    unchecked = await buildAndPush(exampleRepo(env, {}, 'gate'));
    ns = await release();
  }, 300_000);

  afterAll(async () => {
    await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
  });

  it('deploys a shipped image signed by the team key and records the signer on every object', async () => {
    const deployed = await deploy(shipped, ns, ['--public-key', team.pub]);
    expect(deployed.stderr).toMatch(/release gate: \S+ passed \(dagship [\d.]+, [^)]+\), signed by sha256:[0-9a-f]{32}/);
    expect(deployed.exitCode).toBe(0);
    const scheduler = await kube.apps.readNamespacedDeployment({ name: 'airflow-scheduler', namespace: ns });
    expect(scheduler.metadata?.annotations?.['dagship.io/verification']).toMatch(/, signed by sha256:[0-9a-f]{32}$/);
    expect((await running(ns, shipped)).length).toBeGreaterThan(3);
  });

  it('refuses an image that was never checked, before touching the cluster', async () => {
    const refused = await deploy(unchecked, ns, ['--public-key', team.pub]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`${unchecked} was not checked: the registry has no dagship result for this digest`);
    expect(await running(ns, unchecked)).toEqual([]);

    // What dagship wrote before in-toto: its own payload type under `sha256-<hex>.dagship`.
    const ref = parseImageReference(unchecked);
    const registry = connectRegistry(ref.registry);
    const envelope = Buffer.from(JSON.stringify({ payloadType: 'application/vnd.dagship.check-result.v1+json', payload: Buffer.from('{"outcome":"passed"}').toString('base64'), signatures: [] }));
    const layer = await registry.putBlob(ref.repository, envelope);
    const config = await registry.putBlob(ref.repository, Buffer.from('{}'));
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: config, size: 2 },
      layers: [{ mediaType: 'application/vnd.dsse.envelope.v1+json', digest: layer, size: envelope.length }],
    };
    await registry.putManifest(ref.repository, `${ref.digest!.replace(':', '-')}.dagship`, Buffer.from(JSON.stringify(manifest)), manifest.mediaType);
    const old = await deploy(unchecked, ns, ['--public-key', team.pub]);
    expect(old.exitCode).toBe(1);
    expect(old.stderr).toContain('has a dagship result in the format before in-toto attestations');
    expect(old.stderr).toContain(`dagship check --image ${unchecked} --attest`);
  });

  it('refuses a result signed with another key, and one whose payload was altered', async () => {
    const attested = await dagship(['check', exampleRepo(env, {}, 'gate'), '--image', unchecked, '--attest'], { env: signedBy(other) });
    expect(attested.stderr).toMatch(/recorded result 'passed' \(signed\)/);
    expect(attested.exitCode).toBe(0);
    const forged = await deploy(unchecked, ns, ['--public-key', team.pub]);
    expect(forged.exitCode).toBe(1);
    expect(forged.stderr).toMatch(/has no valid signature by key sha256:[0-9a-f]{32} \(1 found, signed by sha256:[0-9a-f]{32}\): it was forged, altered, or signed with another key/);

    // Someone with push rights copies the team's signature onto a payload of their own.
    const ref = parseImageReference(shipped);
    const registry = connectRegistry(ref.registry);
    const genuine = (await fetchAttestations(registry, ref.repository, ref.digest!)).found[0]!.envelope;
    const target = parseImageReference(unchecked);
    const statement = JSON.parse(Buffer.from(genuine.payload, 'base64').toString('utf8'));
    const subject = [{ name: `${target.registry}/${target.repository}`, digest: { sha256: target.digest!.slice(7) } }];
    const altered = { ...genuine, payload: Buffer.from(JSON.stringify({ ...statement, subject })).toString('base64') };
    await storeAttestation(registry, { repository: target.repository, imageDigest: target.digest!, envelope: altered, predicateType: PREDICATE_TYPE });
    const copied = await deploy(unchecked, ns, ['--public-key', team.pub]);
    expect(copied.exitCode).toBe(1);
    expect(copied.stderr).toContain('it was forged, altered, or signed with another key');
    expect(await running(ns, unchecked)).toEqual([]);
  });

  it('refuses an image whose checks failed', async () => {
    const repo = exampleRepo(env, { 'dags/broken.py': 'from airflow.sdk import dag\nimport no_such_module_anywhere\n' }, 'gate');
    const image = await buildAndPush(repo);
    const checked = await dagship(['check', repo, '--image', image, '--attest'], { env: signedBy(team) });
    expect(checked.stdout).toMatch(/dag-import-error/);
    expect(checked.stderr).toMatch(/recorded result 'failed' \(signed\)/);
    expect(checked.exitCode).toBe(1);
    const refused = await deploy(image, ns, ['--public-key', team.pub]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`${image} failed its checks (1 finding(s) at or above error`);
  });

  it('refuses an image built from uncommitted changes', async () => {
    const repo = exampleRepo(env, {}, 'gate');
    appendFileSync(path.join(repo, 'dags', 'common', '__init__.py'), '\n# not committed\n');
    const result = await dagship(['ship', repo, '--allow-dirty'], { env: signedBy(team) });
    expect(result.exitCode).toBe(0);
    const refused = await deploy(pinnedFrom(result.stdout), ns, ['--public-key', team.pub]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/was built from uncommitted changes \(revision [0-9a-f]{40}\): it is not a release/);
  });

  it('without a public key, lets a passed result through but says it was not verified', async () => {
    const dry = await deploy(shipped, ns, ['--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(dry.stderr).toContain('is signed, but not verified: no public key is configured');
  });

  it('refuses a broken public key with a configuration error', async () => {
    const bad = path.join(keys, 'bad.pub');
    writeFileSync(bad, '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n');
    const refused = await deploy(shipped, ns, ['--public-key', bad]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('the public key is not a valid PEM public key');
  });

  it('rollback goes through the same gate: it refuses to return to an unchecked image, and returns to a verified one', async () => {
    const own = await release();
    expect((await deploy(shipped, own, ['--public-key', team.pub])).exitCode).toBe(0);
    const rollback = (extra: string[]) => dagship(['rollback', '--release', 'airflow', '-n', own, '--timeout', '90s', ...extra], { env: { KUBECONFIG: env.kubeconfig } });
    // The release ran the fixture's image before: it was never checked.
    const refused = await rollback(['--public-key', team.pub]);
    expect(refused.exitCode, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/@sha256:1{64} was not checked: the registry has no dagship result for this digest/);
    expect((await running(own, shipped)).length).toBeGreaterThan(3);

    const next = await dagship(['ship', exampleRepo(env, { 'dags/rolled.py': '# a second release\n' }, 'gate')], { env: signedBy(team) });
    expect(next.exitCode, next.stderr).toBe(0);
    const second = pinnedFrom(next.stdout);
    expect((await deploy(second, own, ['--public-key', team.pub])).exitCode).toBe(0);
    const back = await rollback(['--public-key', team.pub]);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(back.stderr).toMatch(/release gate: \S+ passed .*signed by sha256:[0-9a-f]{32}/);
    expect(await running(own, second)).toEqual([]);
    expect((await running(own, shipped)).length).toBeGreaterThan(3);
  }, 300_000);
});
