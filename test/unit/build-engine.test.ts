import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { queryString } from '../../src/engine/api.js';
import { EngineStreamError, follow, loadedNames, parseProgressLine } from '../../src/engine/images.js';
import { demux } from '../../src/engine/index.js';
import { classifyPushError, pushFailure } from '../../src/image/push-errors.js';

/**
 * Engine API progress streams recorded from Docker Engine 20.10.24 (API 1.41) on this project's machine
 * (test/infra/up), by pushing, loading and building through dockerode: never hand-written.
 */
const RECORDED = {
  pushOk: [
    '{"status":"The push refers to repository [127.0.0.1:5111/dagship-test/rec]"}',
    '{"status":"Preparing","progressDetail":{},"id":"21b301095692"}',
    '{"status":"Preparing","progressDetail":{},"id":"d48f412e3067"}',
    '{"status":"Mounted from dagship-test/manual","progressDetail":{},"id":"f2fa0a1f8c88"}',
    '{"status":"Mounted from dagship-test/manual","progressDetail":{},"id":"e56dc7516cf4"}',
    '{"status":"Mounted from dagship-test/manual","progressDetail":{},"id":"21b301095692"}',
    '{"status":"Mounted from dagship-test/manual","progressDetail":{},"id":"a3cf95315325"}',
    '{"status":"Mounted from dagship-test/manual","progressDetail":{},"id":"bf2c4bf10dd5"}',
    '{"status":"Mounted from dagship-test/manual","progressDetail":{},"id":"d48f412e3067"}',
    '{"status":"rec: digest: sha256:a94b90b2d293218bf4ab27b5f824d6fe3e8e11b3500eaa1a08ac30227ad66756 size: 1573"}',
    '{"progressDetail":{},"aux":{"Tag":"rec","Digest":"sha256:a94b90b2d293218bf4ab27b5f824d6fe3e8e11b3500eaa1a08ac30227ad66756","Size":1573}}',
  ],
  pushRefused: [
    '{"status":"The push refers to repository [127.0.0.1:5999/x/y]"}',
    '{"errorDetail":{"message":"Get \\"http://127.0.0.1:5999/v2/\\": dial tcp 127.0.0.1:5999: connect: connection refused"},"error":"Get \\"http://127.0.0.1:5999/v2/\\": dial tcp 127.0.0.1:5999: connect: connection refused"}',
  ],
  pushNoAuth: ['{"errorDetail":{"message":"no basic auth credentials"},"error":"no basic auth credentials"}'],
  pushWrongPassword: ['{"errorDetail":{"message":"unauthorized: authentication required"},"error":"unauthorized: authentication required"}'],
  pushUnknownHost: [
    '{"status":"The push refers to repository [nonexistent.invalid:5000/x/y]"}',
    '{"errorDetail":{"message":"Get \\"https://nonexistent.invalid:5000/v2/\\": dial tcp: lookup nonexistent.invalid on 10.255.255.53:53: no such host"},"error":"Get \\"https://nonexistent.invalid:5000/v2/\\": dial tcp: lookup nonexistent.invalid on 10.255.255.53:53: no such host"}',
  ],
  loadOk: ['{"stream":"Loaded image: dagship-test/tiny:rec\\n"}'],
  loadMissingLayer: [
    '{"errorDetail":{"message":"open /var/lib/dagship-infra/docker/tmp/docker-import-2986872349/nope/layer.tar: no such file or directory"},"error":"open /var/lib/dagship-infra/docker/tmp/docker-import-2986872349/nope/layer.tar: no such file or directory"}',
  ],
  buildPipFailure: [
    '{"stream":"\\u001b[91mERROR: Could not find a version that satisfies the requirement no-such-package-dagship==0.0.0 (from versions: none)\\n\\u001b[0m"}',
    '{"stream":"\\u001b[91mERROR: No matching distribution found for no-such-package-dagship==0.0.0\\n\\u001b[0m"}',
    '{"stream":"Removing intermediate container 3291032000ca\\n"}',
    '{"errorDetail":{"code":1,"message":"The command \'/bin/sh -c pip install --no-cache-dir no-such-package-dagship==0.0.0\' returned a non-zero code: 1"},"error":"The command \'/bin/sh -c pip install --no-cache-dir no-such-package-dagship==0.0.0\' returned a non-zero code: 1"}',
  ],
};

const stream = (lines: string[]) => Readable.from(lines.map((l) => `${l}\r\n`));
const errorOf = (lines: string[]) => (parseProgressLine(lines.at(-1)!) as { error: string }).error;

describe('engine progress streams (recorded)', () => {
  it('reads a push to its manifest digest', async () => {
    const events = await follow(stream(RECORDED.pushOk));
    expect(events.map((e) => e.aux?.Digest).find(Boolean)).toBe('sha256:a94b90b2d293218bf4ab27b5f824d6fe3e8e11b3500eaa1a08ac30227ad66756');
    expect(events.filter((e) => e.status?.startsWith('Mounted from')).map((e) => e.id)).toContain('e56dc7516cf4');
  });

  it('rejects with the engine’s message when the stream carries an error', async () => {
    const err = await follow(stream(RECORDED.pushRefused)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineStreamError);
    expect((err as Error).message).toBe('Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused');
  });

  it('names what docker load loaded, and reports a load failure', async () => {
    expect(loadedNames(await follow(stream(RECORDED.loadOk)))).toEqual(['dagship-test/tiny:rec']);
    await expect(follow(stream(RECORDED.loadMissingLayer))).rejects.toThrow(/no such file or directory/);
  });

  it('follows lines split across chunks', async () => {
    const text = RECORDED.pushOk.join('\n');
    const chunks = [text.slice(0, 37), text.slice(37, 500), text.slice(500)];
    expect((await follow(Readable.from(chunks))).length).toBe(RECORDED.pushOk.length);
  });
});

describe('classifyPushError (recorded engine messages)', () => {
  it.each([
    ['connection refused', RECORDED.pushRefused, 'transient'],
    ['anonymous push to the htpasswd registry', RECORDED.pushNoAuth, 'auth'],
    ['wrong password', RECORDED.pushWrongPassword, 'auth'],
    ['unknown host', RECORDED.pushUnknownHost, 'unknown-host'],
  ] as const)('%s → %s', (_name, lines, kind) => expect(classifyPushError(errorOf([...lines]))).toBe(kind));

  it.each([
    ['write /var/lib/registry/docker/registry/v2/blobs/x: no space left on device', 'disk-full'],
    ['received unexpected HTTP status: 503 Service Unavailable', 'transient'],
    ['Patch "http://127.0.0.1:5113/v2/x/blobs/uploads/1": read tcp 127.0.0.1:1->127.0.0.1:5113: read: connection reset by peer', 'transient'],
    ['manifest invalid: manifest invalid', 'other'],
  ] as const)('%s → %s', (message, kind) => expect(classifyPushError(message)).toBe(kind));

  it('words one clear message per kind', () => {
    const cause = new Error('no basic auth credentials');
    expect(pushFailure('auth', 'r/x:t', 'r', cause, 1).message).toBe('the registry r refused the push of r/x:t: no basic auth credentials');
    expect(pushFailure('transient', 'r/x:t', 'r', new Error('EOF'), 5).message).toBe('pushing r/x:t failed 5 time(s), the last with: EOF');
    expect(pushFailure('disk-full', 'r/x:t', 'r', new Error('no space left on device'), 1).hint).toMatch(/free space/);
  });
});

/**
 * An attached container's output, recorded from Docker Engine 20.10.24 (curl on the engine socket,
 * `sh -c "echo out; echo err >&2; printf 'two\\nlines'"`): base64 of the raw frames.
 */
const ATTACHED = 'AQAAAAAAAARvdXQKAgAAAAAAAARlcnIKAQAAAAAAAAl0d28KbGluZXM=';

describe('engine API details', () => {
  const sink = () => {
    const chunks: Buffer[] = [];
    return { push: (c: Buffer) => chunks.push(c), text: () => Buffer.concat(chunks).toString() };
  };

  it('splits attached output into stdout and stderr, also when frames are cut across chunks', async () => {
    const raw = Buffer.from(ATTACHED, 'base64');
    for (const cuts of [[raw.length], [3, 9, 13, 30, raw.length]]) {
      const [out, err] = [sink(), sink()];
      const chunks = cuts.map((end, i) => raw.subarray(i ? cuts[i - 1] : 0, end));
      await demux(Readable.from(chunks), out, err);
      expect([out.text(), err.text()]).toEqual(['out\ntwo\nlines', 'err\n']);
    }
  });

  it('writes queries the engine reads: repeated tags, JSON objects, nothing for undefined', () => {
    expect(queryString({ t: ['r:a', 'r:b'], buildargs: { A: '1' }, rm: true, networkmode: undefined })).toBe('?t=r%3Aa&t=r%3Ab&buildargs=%7B%22A%22%3A%221%22%7D&rm=true');
    expect(queryString({})).toBe('');
  });
});
