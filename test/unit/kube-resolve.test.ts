import { describe, expect, it } from 'vitest';
import type { Credentials } from '../../src/credentials.js';
import { DagshipError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { pinReference, type PinDeps } from '../../src/kube/resolve.js';
import type { RemoteManifest } from '../../src/registry/index.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A registry holding `tags` (repository:tag → digest); records who asked what, with which credentials. */
function fakeRegistry(tags: Record<string, string>, fail?: DagshipError) {
  const asked: string[] = [];
  const deps: PinDeps = {
    credentialsFor: async (registry) => ({ username: 'u', password: 'p', source: `config for ${registry}` }),
    registry: (host: string, credentials: Credentials | undefined) => ({
      async manifest(repository: string, reference: string): Promise<RemoteManifest | undefined> {
        asked.push(`${host} ${repository}:${reference} as ${credentials?.source}`);
        if (fail) throw fail;
        const digest = tags[`${repository}:${reference}`];
        return digest ? { digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', isList: false, layers: [] } : undefined;
      },
    }),
  };
  return { deps, asked };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug() {}, info: (m) => lines.push(m), warn: (m) => lines.push(m), group: (_t, work) => work() };
}

describe('pinReference', () => {
  it('returns a pinned reference as it is, without asking the registry', async () => {
    const { deps, asked } = fakeRegistry({});
    expect(await pinReference(`reg.example.com/team/dags:v1@${DIGEST}`, deps, recordingLogger())).toBe(`reg.example.com/team/dags:v1@${DIGEST}`);
    expect(asked).toEqual([]);
  });

  it('resolves a tag once through the registry, with its credentials, and says so', async () => {
    const { deps, asked } = fakeRegistry({ 'team/dags:v1': DIGEST });
    const log = recordingLogger();
    expect(await pinReference('reg.example.com/team/dags:v1', deps, log)).toBe(`reg.example.com/team/dags@${DIGEST}`);
    expect(asked).toEqual(['reg.example.com team/dags:v1 as config for reg.example.com']);
    expect(log.lines).toEqual([`resolved reg.example.com/team/dags:v1 → reg.example.com/team/dags@${DIGEST}`]);
  });

  it('reads no tag as latest, and Docker Hub names the way Docker does', async () => {
    const { deps, asked } = fakeRegistry({ 'library/dags:latest': DIGEST });
    expect(await pinReference('dags', deps, recordingLogger())).toBe(`dags@${DIGEST}`);
    expect(asked).toEqual(['registry-1.docker.io library/dags:latest as config for docker.io']);
  });

  it('a tag the registry lacks is a config error naming the tag', async () => {
    const { deps } = fakeRegistry({});
    const err = (await pinReference('reg.example.com/team/dags:nope', deps, recordingLogger()).catch((e: unknown) => e)) as DagshipError;
    expect([err.kind, err.message]).toEqual(['config', "cannot deploy 'reg.example.com/team/dags:nope': the registry reg.example.com has no tag 'nope' in team/dags"]);
  });

  it("the registry's own failure keeps its words and hint, and says what it was resolving", async () => {
    const down = new DagshipError('cannot reach the registry reg.example.com (https://reg.example.com): ECONNREFUSED', 'check the registry host', 'infra');
    const { deps } = fakeRegistry({}, down);
    const err = (await pinReference('reg.example.com/team/dags:v1', deps, recordingLogger()).catch((e: unknown) => e)) as DagshipError;
    expect([err.kind, err.hint]).toEqual(['infra', 'check the registry host']);
    expect(err.message).toBe(`cannot resolve reg.example.com/team/dags:v1 to a digest: ${down.message}`);
  });

  it('an invalid reference is a usage error before any lookup', async () => {
    const { deps, asked } = fakeRegistry({});
    await expect(pinReference('Team/Dags:v1', deps, recordingLogger())).rejects.toThrow(/invalid image reference/);
    expect(asked).toEqual([]);
  });
});
