import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { pack } from 'tar-stream';
import { kubeHarness, OLD } from '../fixtures/kube/harness.js';
import { dagship } from './cli.js';
import { infra } from './infra.js';

const env = infra();
const kube = kubeHarness(env.kubeconfig);
const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });
const namespaces: string[] = [];
const made: string[] = [];

/** A one-file image made by the engine (docker import) and pushed to a test registry; returns its name. */
async function tinyImage(tag: string, registry = env.registry, authconfig: Record<string, string> = {}): Promise<string> {
  const name = `${registry}/dagship-test/resolve-${randomBytes(4).toString('hex')}`;
  const tar = pack();
  tar.entry({ name: 'hello.txt' }, `hello from ${name}\n`);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  await follow(await docker.importImage(Readable.from([Buffer.concat(chunks)]), { repo: name, tag }));
  made.push(`${name}:${tag}`);
  // Engine API 1.41 wants X-Registry-Auth even for a registry without auth.
  await follow(await docker.getImage(`${name}:${tag}`).push({ tag, authconfig }));
  return name;
}

function follow(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
      const failed = events?.find((e) => e.error);
      if (err || failed) reject(err ?? new Error(failed!.error));
      else resolve();
    });
  });
}

/** The digest the registry serves for a tag, asked directly (not through dagship). */
async function servedDigest(name: string, tag: string, registry = env.registry, basic?: string): Promise<string> {
  const repository = name.slice(registry.length + 1);
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
      ...(basic ? { authorization: `Basic ${Buffer.from(basic).toString('base64')}` } : {}),
    },
  });
  expect(response.status).toBe(200);
  return response.headers.get('docker-content-digest')!;
}

// An empty Docker config: no credentials but the ones a test passes.
const dockerConfig = mkdtempSync(path.join(tmpdir(), 'dagship-docker-config-'));
const deploy = (ns: string, image: string, extraEnv: Record<string, string> = {}) =>
  dagship(['deploy', '--image', image, '--release', 'airflow', '-n', ns, '--timeout', '90s', '--skip-verify'], { env: { KUBECONFIG: env.kubeconfig, DOCKER_CONFIG: dockerConfig, ...extraEnv } });

async function release(): Promise<string> {
  const ns = await kube.release('deploy-resolve');
  namespaces.push(ns);
  return ns;
}

describe('dagship deploy of a tag: resolved to a digest through the registry first', () => {
  afterAll(async () => {
    await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
    for (const ref of made)
      await docker
        .getImage(ref)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('deploys repo:tag as the repo@sha256:… the registry serves, and says so', async () => {
    const name = await tinyImage('v1');
    const pinned = `${name}@${await servedDigest(name, 'v1')}`;
    const ns = await release();
    const deployed = await deploy(ns, `${name}:v1`);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain(`resolved ${name}:v1 → ${pinned}`);
    const images = await kube.images(ns);
    expect(images['airflow-api-server']).toEqual([`wait-for-airflow-migrations=${pinned}`, `api-server=${pinned}`]);
    expect(
      Object.values(images)
        .flat()
        .filter((i) => i.includes(OLD) || i.includes(':v1')),
    ).toEqual([]);
  });

  it('resolves through a registry that asks for credentials, with the ones deploy finds, and says when there are none', async () => {
    const auth = { username: env.authUser, password: env.authPassword, serveraddress: env.authRegistry };
    const name = await tinyImage('v2', env.authRegistry, auth);
    const pinned = `${name}@${await servedDigest(name, 'v2', env.authRegistry, `${env.authUser}:${env.authPassword}`)}`;
    const ns = await release();
    const before = await kube.images(ns);
    const anonymous = await deploy(ns, `${name}:v2`);
    expect(anonymous.exitCode).toBe(2);
    expect(anonymous.stderr).toContain(`cannot resolve ${name}:v2 to a digest: the registry ${env.authRegistry} asks for credentials`);
    expect(await kube.images(ns)).toEqual(before);
    const deployed = await deploy(ns, `${name}:v2`, { DAGSHIP_REGISTRY_USERNAME: env.authUser, DAGSHIP_REGISTRY_PASSWORD: env.authPassword });
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain(`resolved ${name}:v2 → ${pinned}`);
    expect((await kube.images(ns))['airflow-scheduler']).toContain(`scheduler=${pinned}`);
  });

  it('a tag the registry does not have, or a registry that cannot be reached, is exit 2 and changes nothing', async () => {
    const name = await tinyImage('v1');
    const ns = await release();
    const before = await kube.images(ns);
    const missing = await deploy(ns, `${name}:latest`);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`the registry ${env.registry} has no tag 'latest' in ${name.slice(env.registry.length + 1)}`);
    expect(missing.stderr).toContain('hint: check the tag (was it pushed?)');
    // Nothing listens on port 1 of this machine: the connection is refused.
    const unreachable = await deploy(ns, '127.0.0.1:1/team/dags:v1');
    expect(unreachable.exitCode).toBe(2);
    expect(unreachable.stderr).toContain('cannot resolve 127.0.0.1:1/team/dags:v1 to a digest: cannot reach the registry 127.0.0.1:1');
    // The host came from --image: the hint says so, never dagship.yaml's 'repository'.
    expect(unreachable.stderr).toContain('hint: check the registry host and port in --image');
    expect(unreachable.stderr).not.toContain('--repository');
    const nohost = await deploy(ns, 'nonexistent.invalid/team/dags:v1');
    expect(nohost.exitCode).toBe(2);
    expect(nohost.stderr).toMatch(/unknown registry host nonexistent\.invalid.*\nhint: check the registry host in --image and this machine's DNS/);
    expect(await kube.images(ns)).toEqual(before);
  });
});
