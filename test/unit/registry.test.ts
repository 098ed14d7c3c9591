import { describe, expect, it } from 'vitest';
import { DagshipError } from '../../src/errors.js';
import { connectRegistry, registryBaseUrl } from '../../src/registry/index.js';

describe('registryBaseUrl', () => {
  it.each([
    ['127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['localhost:5000', 'http://localhost:5000'],
    ['[::1]:5000', 'http://[::1]:5000'],
    ['registry.example.com', 'https://registry.example.com'],
    ['10.0.0.5:5000', 'https://10.0.0.5:5000'],
  ])('%s → %s', (host, url) => expect(registryBaseUrl(host)).toBe(url));
});

describe('connectRegistry().ping', () => {
  const answering = (status: number) => (async () => new Response('', { status })) as typeof fetch;

  it('reads 200 as open and 401 as asking for credentials', async () => {
    expect(await connectRegistry('127.0.0.1:5000', answering(200)).ping()).toEqual({ url: 'http://127.0.0.1:5000', authRequired: false });
    expect(await connectRegistry('reg.example.com', answering(401)).ping()).toEqual({ url: 'https://reg.example.com', authRequired: true });
  });

  it('says a server that answers something else is no registry', async () => {
    await expect(connectRegistry('127.0.0.1:8080', answering(404)).ping()).rejects.toThrow(/answered 404.*does not look like an OCI registry/);
  });

  it('turns a refused connection into an infrastructure error naming the host', async () => {
    const refusing = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    }) as typeof fetch;
    const err = await connectRegistry('127.0.0.1:1', refusing)
      .ping()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DagshipError);
    expect((err as DagshipError).message).toBe('cannot reach the registry 127.0.0.1:1 (http://127.0.0.1:1): connect ECONNREFUSED 127.0.0.1:1');
    expect((err as DagshipError).kind).toBe('infra');
  });
});
