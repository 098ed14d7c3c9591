import Docker from 'dockerode';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { connectDocker } from '../../src/engine/index.js';
import { infra } from './infra.js';

const env = infra();
const engine = connectDocker();
const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });

describe('stand-in images', () => {
  it.each([
    ['3', env.airflow3Image],
    ['2', env.airflow2Image],
  ])('Airflow %s image imports airflow with no network and reports its version', async (major, image) => {
    const result = await engine.run({
      image,
      entrypoint: ['python'],
      cmd: ['-c', 'import airflow, sys; print(airflow.__version__); print(sys.executable)'],
      env: { AIRFLOW_HOME: '/tmp/airflow-home' },
      network: 'none',
    });
    expect(result.stderr).not.toMatch(/Traceback/);
    expect(result.exitCode).toBe(0);
    const [version, python] = result.stdout.trim().split('\n');
    expect(version).toMatch(new RegExp(`^${major}\\.\\d+\\.\\d+$`));
    expect(python).toBe('/home/airflow/.local/bin/python');
  });

  it('Airflow 3 image is laid out like apache/airflow: user 50000, /opt/airflow, airflow entrypoint', async () => {
    const info = await docker.getImage(env.airflow3Image).inspect();
    expect(info.Config.User).toBe('50000');
    expect(info.Config.WorkingDir).toBe('/opt/airflow');
    expect(info.Config.Env).toContain('AIRFLOW_HOME=/opt/airflow');
    const result = await engine.run({ image: env.airflow3Image, cmd: ['version'], network: 'none' });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toMatch(/^3\.\d+\.\d+$/m);
  });

  it('tools image runs pinned ruff and bandit', async () => {
    const result = await engine.run({
      image: env.toolsImage,
      cmd: ['sh', '-c', 'ruff --version && bandit --version | head -1'],
      network: 'none',
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ruff \d+\.\d+\.\d+/m);
    expect(result.stdout).toMatch(/^bandit \d+\.\d+\.\d+/m);
  });
});

describe('registries', () => {
  it('an image pushed to the plain registry reads back by digest', async () => {
    const ref = `${env.registry}/dagship-test/harness`;
    const tag = randomBytes(4).toString('hex');
    await docker.getImage(env.toolsImage).tag({ repo: ref, tag });
    const events = await push(`${ref}:${tag}`);
    const digest = events.map((e) => e.aux?.Digest).find(Boolean);
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);

    const response = await fetch(`http://${env.registry}/v2/dagship-test/harness/manifests/${digest}`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
    });
    expect(response.status).toBe(200);
    const body = Buffer.from(await response.arrayBuffer());
    expect(`sha256:${createHash('sha256').update(body).digest('hex')}`).toBe(digest);
    await docker.getImage(`${ref}:${tag}`).remove();
  });

  it('the auth registry refuses a push without credentials and takes one with them', async () => {
    const ref = `${env.authRegistry}/dagship-test/harness`;
    const tag = randomBytes(4).toString('hex');
    await docker.getImage(env.toolsImage).tag({ repo: ref, tag });
    const anonymous = await push(`${ref}:${tag}`);
    expect(anonymous.map((e) => e.error ?? '').join('\n')).toMatch(/no basic auth credentials|unauthorized/i);

    const authorized = await push(`${ref}:${tag}`, { username: env.authUser, password: env.authPassword, serveraddress: env.authRegistry });
    expect(authorized.filter((e) => e.error)).toEqual([]);
    expect(authorized.map((e) => e.aux?.Digest).find(Boolean)).toMatch(/^sha256:/);
    await docker.getImage(`${ref}:${tag}`).remove();
  });
});

interface PushEvent {
  status?: string;
  error?: string;
  aux?: { Digest?: string };
}

async function push(ref: string, authconfig?: Docker.AuthConfig): Promise<PushEvent[]> {
  // Engine API 1.41 rejects a push without an X-Registry-Auth header, even an anonymous one.
  const stream = await docker.getImage(ref).push({ authconfig: authconfig ?? {} });
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: PushEvent[]) => (err ? reject(err) : resolve(events)));
  });
}
