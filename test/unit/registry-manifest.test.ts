import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DagshipError } from '../../src/errors.js';
import { connectRegistry, MANIFEST_TYPES, parseManifest, registryApiHost } from '../../src/registry/index.js';

/** A manifest as docker-registry 2.8.2 served it after a dagship push on this machine (recorded). */
const MANIFEST =
  '{\n   "schemaVersion": 2,\n   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",\n   "config": {\n      "mediaType": "application/vnd.docker.container.image.v1+json",\n      "size": 1722,\n      "digest": "sha256:4f7ce0b61a4f90bf3bd46c7f4d5d8756f6f07c097aa752d566be7ce09ad05e33"\n   },\n   "layers": [\n      {\n         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",\n         "size": 73314239,\n         "digest": "sha256:ccf2c3e8811b2dbf96fdf0e5f8c25a70ce43df06ea82ae45913c5256166e04ba"\n      },\n      {\n         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",\n         "size": 60500259,\n         "digest": "sha256:d049e9612c9f1b531d6ef09c7de51123b1be697fac4a4631f6d6ddd599cef463"\n      },\n      {\n         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",\n         "size": 269,\n         "digest": "sha256:7a3dcf9e9e4221c440864334973923031eaa4f30c4e41adb906176e268543208"\n      },\n      {\n         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",\n         "size": 181264,\n         "digest": "sha256:4fc4a87c63735d3aab45d7c1ea9c5f79cf1ee51d688f6da8c7613d228e5c32a2"\n      },\n      {\n         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",\n         "size": 655,\n         "digest": "sha256:d526d362b95ce3a8659dadf948590a4f5c6ed02a7b1344b9f6f38ed6eab25090"\n      },\n      {\n         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",\n         "size": 6616,\n         "digest": "sha256:f006b02c7854510e8d3b18256aea1923bf08c7951471258afe4815bb900808b8"\n      }\n   ]\n}';
const DIGEST = 'sha256:a94b90b2d293218bf4ab27b5f824d6fe3e8e11b3500eaa1a08ac30227ad66756';
const LIST = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A registry speaking HTTP through fetch: each answer in turn, every request recorded. */
function server(answers: (Response | Error)[]) {
  const calls: Call[] = [];
  const fetchImpl = (async (url: string, init: RequestInit = {}) => {
    calls.push({ url: String(url), method: init.method ?? 'GET', headers: (init.headers ?? {}) as Record<string, string>, body: init.body as string | undefined });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${url}`);
    if (next instanceof Error) throw next;
    return next;
  }) as typeof fetch;
  return { calls, fetchImpl };
}
const json = (body: string, status = 200, headers: Record<string, string> = {}) => new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });
const unauthorized = (challenge: string) => new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', { status: 401, headers: { 'www-authenticate': challenge } });
const netError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`connect ${code} 127.0.0.1:5113`), { code }) });
const credentials = { username: 'dagship', password: 'hunter2', source: 'test' };
const basic = `Basic ${Buffer.from('dagship:hunter2').toString('base64')}`;

describe('parseManifest', () => {
  it('digests the exact bytes and reads the config and layer blobs', () => {
    const manifest = parseManifest(Buffer.from(MANIFEST), 'application/vnd.docker.distribution.manifest.v2+json');
    expect(manifest.digest).toBe(DIGEST);
    expect(manifest.configDigest).toBe('sha256:4f7ce0b61a4f90bf3bd46c7f4d5d8756f6f07c097aa752d566be7ce09ad05e33');
    expect(manifest.isList).toBe(false);
    expect(manifest.layers.map((l) => l.size)).toEqual([73314239, 60500259, 269, 181264, 655, 6616]);
  });

  it('tells a manifest list from an image', () => {
    expect(parseManifest(Buffer.from(LIST), null)).toMatchObject({ isList: true, configDigest: undefined });
  });
});

describe('connectRegistry().manifest', () => {
  it('asks for Docker and OCI manifests and lists over plain HTTP on loopback', async () => {
    const { calls, fetchImpl } = server([json(MANIFEST)]);
    const manifest = await connectRegistry('127.0.0.1:5111', fetchImpl).manifest('team/dags', 'abc');
    expect(manifest?.digest).toBe(DIGEST);
    expect(calls[0]!.url).toBe('http://127.0.0.1:5111/v2/team/dags/manifests/abc');
    expect(calls[0]!.headers.accept).toBe(MANIFEST_TYPES.join(', '));
  });

  it('is undefined for a tag the registry does not have', async () => {
    const { fetchImpl } = server([json('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', 404)]);
    expect(await connectRegistry('127.0.0.1:5111', fetchImpl).manifest('team/dags', 'abc')).toBeUndefined();
  });

  it('answers a Basic challenge with the credentials', async () => {
    const { calls, fetchImpl } = server([unauthorized('Basic realm="dagship-test"'), json(MANIFEST)]);
    await connectRegistry('127.0.0.1:5112', fetchImpl, { credentials }).manifest('team/dags', 'abc');
    expect(calls[1]!.headers.authorization).toBe(basic);
  });

  it('says the registry refused the credentials, without the password', async () => {
    const { fetchImpl } = server([unauthorized('Basic realm="dagship-test"'), unauthorized('Basic realm="dagship-test"')]);
    const err = (await connectRegistry('127.0.0.1:5112', fetchImpl, { credentials })
      .manifest('team/dags', 'abc')
      .catch((e: unknown) => e)) as DagshipError;
    expect(err.message).toBe("the registry 127.0.0.1:5112 refused the credentials for user 'dagship' (HTTP 401, from test)");
    expect(err.kind).toBe('infra');
    expect(`${err.message} ${err.hint}`).not.toContain('hunter2');
  });

  it('says credentials are needed when there are none', async () => {
    const { fetchImpl } = server([unauthorized('Basic realm="dagship-test"')]);
    await expect(connectRegistry('127.0.0.1:5112', fetchImpl).manifest('team/dags', 'abc')).rejects.toThrow(/asks for credentials \(HTTP 401\) and none were found/);
  });

  it('gets a Bearer token for the repository scope from the realm, with Basic credentials', async () => {
    const challenge = 'Bearer realm="https://auth.example.com/token",service="registry.example.com"';
    const { calls, fetchImpl } = server([unauthorized(challenge), json('{"token":"tok"}'), json(MANIFEST)]);
    await connectRegistry('registry.example.com', fetchImpl, { credentials }).manifest('team/dags', 'abc');
    expect(calls[1]!.url).toBe('https://auth.example.com/token?service=registry.example.com&scope=repository%3Ateam%2Fdags%3Apull');
    expect(calls[1]!.headers.authorization).toBe(basic);
    expect(calls[2]!.headers.authorization).toBe('Bearer tok');
  });

  it('trades an identity token for an access token with the OAuth2 refresh-token flow', async () => {
    const { calls, fetchImpl } = server([unauthorized('Bearer realm="https://auth.example.com/token",service="r"'), json('{"access_token":"acc"}'), json(MANIFEST)]);
    await connectRegistry('r.example.com', fetchImpl, { credentials: { identityToken: 'refresh', source: 'helper' } }).manifest('a/b', 't');
    expect(calls[1]).toMatchObject({ method: 'POST', url: 'https://auth.example.com/token' });
    expect(new URLSearchParams(calls[1]!.body).get('grant_type')).toBe('refresh_token');
    expect(calls[2]!.headers.authorization).toBe('Bearer acc');
  });

  it('names the registry (and the token service only as its helper) when the token service refuses the password', async () => {
    const challenge = 'Bearer realm="http://127.0.0.1:5115/token",service="r"';
    const { fetchImpl } = server([unauthorized(challenge), unauthorized('Basic realm="token"')]);
    const err = (await connectRegistry('127.0.0.1:5113', fetchImpl, { credentials })
      .manifest('a/b', 't')
      .catch((e: unknown) => e)) as DagshipError;
    expect(err.message).toBe("the registry 127.0.0.1:5113 refused the credentials for user 'dagship' (HTTP 401 from its token service 127.0.0.1:5115, from test)");
    expect(err.hint).toContain('docker login 127.0.0.1:5113 again');
    expect(err.kind).toBe('infra');
  });

  it('says the token service, not the registry, cannot be reached', async () => {
    const challenge = 'Bearer realm="http://127.0.0.1:5115/token",service="r"';
    const { fetchImpl } = server([
      unauthorized(challenge),
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5115'), { code: 'ECONNREFUSED' }) }),
    ]);
    const err = (await connectRegistry('127.0.0.1:5113', fetchImpl, { credentials })
      .manifest('a/b', 't')
      .catch((e: unknown) => e)) as DagshipError;
    expect(err.message).toBe(
      'cannot reach the token service 127.0.0.1:5115 that the registry 127.0.0.1:5113 sends clients to for credentials (http://127.0.0.1:5115/token): connect ECONNREFUSED 127.0.0.1:5115',
    );
    expect(err.hint).toContain('check that http://127.0.0.1:5115/token is up and reachable');
    expect(err.kind).toBe('infra');
  });

  it('gets an anonymous token when the registry offers one and there are no credentials', async () => {
    const { calls, fetchImpl } = server([unauthorized('Bearer realm="https://auth.example.com/token",service="r"'), json('{"token":"anon"}'), json(MANIFEST)]);
    await connectRegistry('r.example.com', fetchImpl).manifest('library/python', '3');
    expect(calls[1]!.headers.authorization).toBeUndefined();
  });

  it('retries refused connections and 5xx answers, then succeeds', async () => {
    const { calls, fetchImpl } = server([netError('ECONNREFUSED'), json('', 503), json(MANIFEST)]);
    const manifest = await connectRegistry('127.0.0.1:5113', fetchImpl, { retryDelaysMs: [0, 0, 0] }).manifest('a/b', 't');
    expect(manifest?.digest).toBe(DIGEST);
    expect(calls).toHaveLength(3);
  });

  it('gives up after the bounded retries with one message naming the registry', async () => {
    const { fetchImpl } = server([netError('ECONNREFUSED'), netError('ECONNREFUSED')]);
    await expect(connectRegistry('127.0.0.1:5113', fetchImpl, { retryDelaysMs: [0] }).manifest('a/b', 't')).rejects.toThrow(
      'cannot reach the registry 127.0.0.1:5113 (http://127.0.0.1:5113): connect ECONNREFUSED 127.0.0.1:5113',
    );
  });

  it('says an unknown host is unknown, at once', async () => {
    const { calls, fetchImpl } = server([netError('ENOTFOUND')]);
    await expect(connectRegistry('nonexistent.invalid:5000', fetchImpl).manifest('x', 't')).rejects.toThrow('unknown registry host nonexistent.invalid: the name does not resolve (ENOTFOUND)');
    expect(calls).toHaveLength(1);
  });

  it('talks to Docker Hub through its API host', () => {
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(createHash('sha256').update(MANIFEST).digest('hex')).toBe(DIGEST.slice(7));
  });
});

describe('connectRegistry: tag writes, mounts and deadlines', () => {
  it('writes a tag once: a lost answer or a 503 is not repeated (the caller reads the tag instead)', async () => {
    const { calls, fetchImpl } = server([netError('ECONNRESET')]);
    const registry = connectRegistry('127.0.0.1:5111', fetchImpl, { retryDelaysMs: [0, 0] });
    await expect(registry.putManifest('team/dags', 'v1', Buffer.from(MANIFEST), MANIFEST_TYPES[0]!)).rejects.toThrow(/cannot reach the registry 127\.0\.0\.1:5111/);
    const busy = server([new Response('busy', { status: 503 })]);
    await expect(connectRegistry('127.0.0.1:5111', busy.fetchImpl, { retryDelaysMs: [0, 0] }).putManifest('team/dags', 'v1', Buffer.from(MANIFEST), MANIFEST_TYPES[0]!)).rejects.toThrow(
      /answered 503/,
    );
    expect([calls.length, busy.calls.length]).toEqual([1, 1]);
  });

  it('mounts a blob from the staging repository; a registry that opens an upload instead says false and the upload is closed', async () => {
    const { calls, fetchImpl } = server([
      new Response(null, { status: 201 }),
      new Response(null, { status: 202, headers: { location: '/v2/team/dags/blobs/uploads/u1' } }),
      new Response(null, { status: 204 }),
    ]);
    const registry = connectRegistry('127.0.0.1:5111', fetchImpl);
    expect(await registry.mountBlob('team/dags', DIGEST, 'team/dags-dagship-staging')).toBe(true);
    expect(await registry.mountBlob('team/dags', DIGEST, 'team/dags-dagship-staging')).toBe(false);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      `POST http://127.0.0.1:5111/v2/team/dags/blobs/uploads/?mount=${DIGEST}&from=team/dags-dagship-staging`,
      `POST http://127.0.0.1:5111/v2/team/dags/blobs/uploads/?mount=${DIGEST}&from=team/dags-dagship-staging`,
      'DELETE http://127.0.0.1:5111/v2/team/dags/blobs/uploads/u1',
    ]);
  });

  it('asks the token service for both repositories of a mount', async () => {
    const token = json('{"token":"t"}');
    const { calls, fetchImpl } = server([unauthorized('Bearer realm="https://auth.example.com/token",service="reg"'), token, new Response(null, { status: 201 })]);
    await connectRegistry('reg.example.com', fetchImpl, { credentials }).mountBlob('team/dags', DIGEST, 'team/staging');
    expect(new URL(calls[1]!.url).searchParams.getAll('scope')).toEqual(['repository:team/dags:pull,push', 'repository:team/staging:pull']);
  });

  it('ends a request with no answer at the command deadline, naming the request and the deadline', async () => {
    const fetchImpl = ((_url: string, init: RequestInit = {}) => new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as typeof fetch;
    const deadline = { signal: AbortSignal.timeout(50), what: '--push-timeout 50ms' };
    const err = (await connectRegistry('127.0.0.1:5111', fetchImpl, { deadline })
      .manifest('team/dags', 'v1')
      .catch((e: unknown) => e)) as DagshipError;
    expect(err.message).toBe('the registry 127.0.0.1:5111 stopped answering: GET /v2/team/dags/manifests/v1 had no answer when the --push-timeout 50ms ran out');
    expect(err.kind).toBe('infra');
  });

  it('retries a request that got no answer within its own limit, then says so', async () => {
    let asked = 0;
    const fetchImpl = ((_url: string, init: RequestInit = {}) => (
      asked++, new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))
    )) as typeof fetch;
    const err = (await connectRegistry('127.0.0.1:5111', fetchImpl, { requestTimeoutMs: 20, retryDelaysMs: [0, 0] })
      .manifest('team/dags', 'v1')
      .catch((e: unknown) => e)) as DagshipError;
    expect(err.message).toBe('the registry 127.0.0.1:5111 did not answer GET /v2/team/dags/manifests/v1 within 0.02 s');
    expect(asked).toBe(3);
  });
});

describe('connectRegistry(): OCI 1.1 referrers', () => {
  const referrer = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 877, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' };

  it('lists the referrers API index, and says there is no API on a 404 or an answer that is not an index', async () => {
    const { calls, fetchImpl } = server([json(JSON.stringify({ schemaVersion: 2, manifests: [referrer] })), json('{"errors":[]}', 404), new Response('<html>proxy</html>', { status: 200 })]);
    const registry = connectRegistry('127.0.0.1:5114', fetchImpl);
    expect(await registry.referrers('team/dags', DIGEST)).toEqual([referrer]);
    expect(calls[0]!.url).toBe(`http://127.0.0.1:5114/v2/team/dags/referrers/${DIGEST}`);
    expect(await registry.referrers('team/dags', DIGEST)).toBeUndefined();
    expect(await registry.referrers('team/dags', DIGEST)).toBeUndefined();
  });

  it("passes on the registry's OCI-Subject answer to a manifest write", async () => {
    const { fetchImpl } = server([new Response(null, { status: 201, headers: { 'oci-subject': DIGEST } }), new Response(null, { status: 201 })]);
    const registry = connectRegistry('127.0.0.1:5114', fetchImpl);
    expect((await registry.putManifest('team/dags', DIGEST, Buffer.from(MANIFEST), MANIFEST_TYPES[0]!)).subject).toBe(DIGEST);
    expect((await registry.putManifest('team/dags', 'v1', Buffer.from(MANIFEST), MANIFEST_TYPES[0]!)).subject).toBeUndefined();
  });
});
