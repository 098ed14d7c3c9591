import type Docker from 'dockerode';

/** Removes the images a test file made; one already gone is fine. */
export async function removeImages(docker: Docker, refs: string[]): Promise<void> {
  for (const ref of refs)
    await docker
      .getImage(ref)
      .remove({ force: true })
      .catch(() => undefined);
}
