import Docker from 'dockerode';
import { afterAll } from 'vitest';
import type { Infra } from './infra.js';

/** Removes the images a test file made; one already gone is fine. */
export async function removeImages(docker: Docker, refs: string[]): Promise<void> {
  for (const ref of refs)
    await docker
      .getImage(ref)
      .remove({ force: true })
      .catch(() => undefined);
}

/** A client of the test engine, and the list of images this test file makes: removed after its tests. */
export function imagesMade(env: Infra): { docker: Docker; made: string[] } {
  const docker = new Docker({ socketPath: env.dockerHost.replace('unix://', '') });
  const made: string[] = [];
  afterAll(async () => {
    await removeImages(docker, made);
  });
  return { docker, made };
}
