import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectDocker } from '../../src/engine/index.js';
import { dagship } from './cli.js';
import { exampleRepo } from './example-repo.js';
import { imagesMade } from './images.js';
import { infra } from './infra.js';

const env = infra();
const engine = connectDocker();
const { made } = imagesMade(env);

/**
 * The stand-in Airflow image in a registry under a name of our own (never an official name on this
 * engine), then dropped from the engine: only a pull brings it back.
 */
async function standinIn(registry: string, auth: { username?: string; password?: string } = {}): Promise<string> {
  const ref = `${registry}/dagship-test/standin-airflow:${randomBytes(4).toString('hex')}`;
  made.push(ref);
  await engine.tag(env.airflow3Image, ref);
  await engine.push(ref, { ...auth, serveraddress: registry });
  await engine.untag(ref);
  expect(await engine.inspect(ref)).toBeUndefined();
  return ref;
}

describe('base images are pulled when missing', () => {
  it('check pulls base_image from the registry, saying so, and passes', async () => {
    const ref = await standinIn(env.registry);
    const result = await dagship(['check', exampleRepo(env, {}, 'pull')], { env: { DAGSHIP_BASE_IMAGE: ref } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(`base image ${ref} is not on the engine: pulling it`);
    expect(result.stderr).toMatch(new RegExp(`pulled ${ref.replaceAll('.', '\\.')} in [\\d.]+s: \\d+/\\d+ new layer\\(s\\) done`));
    expect(await engine.inspect(ref)).toBeDefined();
  });

  it('a base image no registry has is exit 2 with the setting to check', async () => {
    const ref = `${env.registry}/dagship-test/standin-airflow:missing-${randomBytes(4).toString('hex')}`;
    const result = await dagship(['check', exampleRepo(env, {}, 'pull')], { env: { DAGSHIP_BASE_IMAGE: ref } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: base image ${ref} is not on the Docker Engine and pulling it failed`);
    expect(result.stderr).toContain("hint: check 'base_image' (dagship.yaml or --base-image)");
  });

  it('pulls from the registry that asks for a password with config.json credentials, and never prints the password', async () => {
    const ref = await standinIn(env.authRegistry, { username: env.authUser, password: env.authPassword });
    const repo = exampleRepo(env, {}, 'pull');
    const anonymous = await dagship(['check', repo], { env: { DAGSHIP_BASE_IMAGE: ref, DOCKER_CONFIG: mkdtempSync(path.join(tmpdir(), 'dagship-pull-none-')) } });
    expect(anonymous.exitCode).toBe(2);
    expect(anonymous.stderr).toContain(`base image ${ref} is not on the Docker Engine and pulling it failed`);
    const config = mkdtempSync(path.join(tmpdir(), 'dagship-pull-auth-'));
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({ auths: { [env.authRegistry]: { auth: Buffer.from(`${env.authUser}:${env.authPassword}`).toString('base64') } } }));
    const result = await dagship(['check', repo, '--verbose'], { env: { DAGSHIP_BASE_IMAGE: ref, DOCKER_CONFIG: config } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(`base image ${ref} is not on the engine: pulling it (credentials from`);
    expect(`${result.stdout}${result.stderr}${anonymous.stdout}${anonymous.stderr}`).not.toContain(env.authPassword);
  });
});
