import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { pack } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { startHttpFaultProxy, type FaultAction, type FaultHook, type FaultProxy } from '../fixtures/faults/http-proxy.js';
import { dagship } from './cli.js';
import { exampleRepo } from './example-repo.js';
import { infra } from './infra.js';
import { removeImages } from './images.js';

// Faults caused for real between dagship (and the Docker Engine) and the plain registry: a proxy of ours
// drops an answer, stops answering, or holds a request while a second real process pushes.
const env = infra();
const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });
const made: string[] = [];
const proxies: FaultProxy[] = [];
afterAll(async () => {
  for (const p of proxies) await p.close();
  await removeImages(docker, made);
});

const unique = (what: string) => `dagship-test/${what}-${randomBytes(4).toString('hex')}`;

async function proxy(hook?: FaultHook) {
  const p = await startHttpFaultProxy(env.registry, hook);
  proxies.push(p);
  return p;
}

/** A small image of its own content (one layer of random bytes), built from scratch and tagged `ref`. */
async function tinyImage(ref: string): Promise<string> {
  const context = pack();
  context.entry({ name: 'Dockerfile' }, 'FROM scratch\nCOPY payload /payload\n');
  context.entry({ name: 'payload' }, randomBytes(512 * 1024));
  context.finalize();
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: ref });
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve(undefined))));
  made.push(ref);
  return (await docker.getImage(ref).inspect()).Id;
}

/** The manifest digest the registry itself (not through a proxy) serves for a tag. */
async function tagDigest(name: string, tag: string): Promise<string | undefined> {
  const response = await fetch(`http://${env.registry}/v2/${name}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
  });
  return response.status === 200 ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
}

/** Another writer: copies the manifest of `from` onto `tag`, straight to the registry. */
async function overwriteTag(name: string, from: string, tag: string) {
  const accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';
  const source = await fetch(`http://${env.registry}/v2/${name}/manifests/${from}`, { headers: { accept } });
  const body = Buffer.from(await source.arrayBuffer());
  const put = await fetch(`http://${env.registry}/v2/${name}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': source.headers.get('content-type')! }, body });
  expect(put.status).toBe(201);
}

/** Resolves when called: a request the proxy holds until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const isTagWrite = (name: string, tag: string) => (r: { method: string; path: string }) => r.method === 'PUT' && r.path === `/v2/${name}/manifests/${tag}`;
const push = (image: string, ...flags: string[]) => dagship(['push', '--image', image, '--verbose', ...flags]);

describe('dagship push under registry faults (a proxy of ours, real engine and registry)', () => {
  it('two pushes of one tag with different content, the second uploading while the first finishes: one is pushed, the other refused naming the holder', async () => {
    const name = unique('race');
    // The second writer's engine upload is held at its manifest write until the first writer is done.
    const held = gate();
    const reached = gate();
    let holding = false;
    const slow = await proxy(async (r): Promise<FaultAction> => {
      if (holding || r.method !== 'PUT' || !r.path.includes('/manifests/')) return 'pass';
      holding = true;
      reached.open();
      await held.opened;
      return 'pass';
    });
    const fast = await proxy();
    await tinyImage(`${slow.host}/${name}:v1`);
    await tinyImage(`${fast.host}/${name}:v1`);
    const second = push(`${slow.host}/${name}:v1`);
    await reached.opened;
    const first = await push(`${fast.host}/${name}:v1`);
    held.open();
    const loser = await second;
    expect(first.exitCode, first.stderr).toBe(0);
    const winner = await tagDigest(name, 'v1');
    expect(first.stdout).toBe(`${fast.host}/${name}@${winner}`);
    expect(loser.exitCode, loser.stderr).toBe(1);
    expect(loser.stderr).toContain(`error: ${slow.host}/${name}:v1 was written while this push uploaded: the tag holds ${slow.host}/${name}@${winner}`);
    expect(loser.stdout).toBe('');
    expect(await tagDigest(name, 'v1')).toBe(winner);
  });

  it('two pushes in lockstep, both looking the tag up before either writes: the one whose write is overwritten exits 1, the other 0', async () => {
    const name = unique('lockstep');
    const bAtWrite = gate();
    const aSettled = gate();
    const bWritten = gate();
    let aWrote = false;
    let aReads = 0;
    let bWrote = false;
    const tagWrite = isTagWrite(name, 'v1');
    const tagRead = (r: { method: string; path: string }) => r.method === 'GET' && r.path === `/v2/${name}/manifests/v1`;
    // A writes only once B has looked the tag up too and is about to write; B's write lands after A has
    // read its own back once, and before A's last read.
    const a = await proxy(async (r): Promise<FaultAction> => {
      if (tagWrite(r)) await bAtWrite.opened, (aWrote = true);
      if (aWrote && tagRead(r) && ++aReads === 2) aSettled.open(), await bWritten.opened;
      return 'pass';
    });
    const b = await proxy(async (r): Promise<FaultAction> => {
      if (tagWrite(r)) bAtWrite.open(), await aSettled.opened, (bWrote = true);
      else if (bWrote && tagRead(r)) bWritten.open();
      return 'pass';
    });
    await tinyImage(`${a.host}/${name}:v1`);
    await tinyImage(`${b.host}/${name}:v1`);
    const [first, second] = await Promise.all([push(`${a.host}/${name}:v1`, '--push-timeout', '60s'), push(`${b.host}/${name}:v1`, '--push-timeout', '60s')]);
    const holder = await tagDigest(name, 'v1');
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toBe(`${b.host}/${name}@${holder}`);
    expect(first.exitCode, first.stderr).toBe(1);
    expect(first.stderr).toMatch(new RegExp(`error: ${a.host}/${name}:v1 was moved by another writer right after dagship wrote sha256:[0-9a-f]{64}: the tag holds ${a.host}/${name}@${holder}`));
    expect(first.stdout).toBe('');
  });

  it('a tag write whose answer is dropped after it landed: the re-read finds this push there, so it is pushed', async () => {
    const name = unique('dropped');
    let dropped = false;
    const p = await proxy((r) => (!dropped && isTagWrite(name, 'v1')(r) ? ((dropped = true), 'drop-response') : 'pass'));
    await tinyImage(`${p.host}/${name}:v1`);
    const result = await push(`${p.host}/${name}:v1`);
    expect(dropped).toBe(true);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/reading the tag to see whether the write landed/);
    expect(result.stdout).toBe(`${p.host}/${name}@${await tagDigest(name, 'v1')}`);
    // Written once: the lost answer did not make dagship write the tag again.
    expect(p.seen.filter(isTagWrite(name, 'v1'))).toHaveLength(1);
  });

  it('a tag write whose answer is dropped while another writer takes the tag: refused (exit 1), the other content stays', async () => {
    const name = unique('dropped-lost');
    await tinyImage(`${env.registry}/${name}:other`);
    expect((await push(`${env.registry}/${name}:other`)).exitCode).toBe(0);
    const other = await tagDigest(name, 'other');
    let dropped = false;
    const p = await proxy(async (r): Promise<FaultAction> => {
      if (!dropped && isTagWrite(name, 'v1')(r)) return ((dropped = true), 'drop-response');
      // The other writer lands between dagship's lost write and its next look at the tag.
      if (dropped && r.method === 'GET' && r.path === `/v2/${name}/manifests/v1`) await overwriteTag(name, 'other', 'v1');
      return 'pass';
    });
    await tinyImage(`${p.host}/${name}:v1`);
    const result = await push(`${p.host}/${name}:v1`);
    expect(dropped).toBe(true);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toContain(`the tag holds ${p.host}/${name}@${other}`);
    expect(result.stdout).toBe('');
    expect(await tagDigest(name, 'v1')).toBe(other);
  });

  it('a registry that stops answering after the upload: exit 2 at the --push-timeout, saying so, nothing reported as pushed', async () => {
    const name = unique('hang-tag');
    // From the first look at the tag after the engine's upload on, nothing is answered any more.
    let uploaded = false;
    let stopped = false;
    const p = await proxy((r): FaultAction => {
      stopped ||= uploaded && r.path === `/v2/${name}/manifests/v1`;
      if (stopped) return 'hang';
      if (r.method === 'PUT' && r.path.includes('/manifests/')) uploaded = true;
      return 'pass';
    });
    await tinyImage(`${p.host}/${name}:v1`);
    const started = Date.now();
    const result = await push(`${p.host}/${name}:v1`, '--push-timeout', '8s');
    expect(result.exitCode, result.stderr).toBe(2);
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(result.stderr).toMatch(new RegExp(`error: the registry ${p.host} stopped answering: GET /v2/${name}/manifests/v1 had no answer when the --push-timeout 8s ran out`));
    expect(result.stdout).toBe('');
    expect(await tagDigest(name, 'v1')).toBeUndefined();
  });

  it('a registry that stops answering during the engine upload: exit 2 at the --push-timeout, nothing reported as pushed', async () => {
    const name = unique('hang-upload');
    let blobs = 0;
    const p = await proxy((r) => (r.path.includes('/blobs/') && ++blobs > 1 ? 'hang' : 'pass'));
    await tinyImage(`${p.host}/${name}:v1`);
    const started = Date.now();
    const result = await push(`${p.host}/${name}:v1`, '--push-timeout', '8s');
    expect(result.exitCode, result.stderr).toBe(2);
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(result.stderr).toContain(`error: the engine's upload of ${p.host}/${name}:v1 to ${p.host} did not finish before the --push-timeout 8s ran out`);
    expect(await tagDigest(name, 'v1')).toBeUndefined();
  });
});

describe('dagship ship under a racing writer (real lint, build, check and push)', () => {
  it('another writer takes the tag while ship uploads: exit 1, and no result is recorded for the digest the tag does not hold', async () => {
    const name = unique('ship-race');
    // The other writer's content, already in the release repository under another tag.
    await tinyImage(`${env.registry}/${name}:other`);
    expect((await push(`${env.registry}/${name}:other`)).exitCode).toBe(0);
    const repo = exampleRepo(env, {}, 'ship-race');
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    let raced = false;
    const p = await proxy(async (r): Promise<FaultAction> => {
      // The engine's manifest write ends its upload: the other writer takes the commit tag just then.
      if (!raced && r.method === 'PUT' && r.path.includes('/manifests/')) (raced = true), await overwriteTag(name, 'other', sha);
      return 'pass';
    });
    made.push(`${p.host}/${name}:${sha}`);
    const result = await dagship(['ship', repo], { env: { DAGSHIP_REPOSITORY: `${p.host}/${name}` } });
    expect(raced).toBe(true);
    expect(result.exitCode, result.stderr).toBe(1);
    const other = await tagDigest(name, 'other');
    expect(result.stderr).toContain(`error: ${p.host}/${name}:${sha} was written while this push uploaded: the tag holds ${p.host}/${name}@${other}`);
    expect(result.stdout).not.toContain('✔ shipped');
    expect(await tagDigest(name, sha)).toBe(other);
    // Nothing recorded beside it: the repository holds the two tags only, no attestation tag (`sha256-…` or `sha256-….att`).
    const tags = (await (await fetch(`http://${env.registry}/v2/${name}/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags.sort()).toEqual(['other', sha].sort());
  });
});
