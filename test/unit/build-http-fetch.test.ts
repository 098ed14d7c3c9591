import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { httpFetch } from '../../src/build/http-fetch.js';

/** Two local servers (two origins) that echo what they received, or redirect as the path says. */
const seen: { path: string; method: string; authorization?: string; body: string }[] = [];
function server(): Promise<{ url: string; close: () => void }> {
  const s = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url!, method: req.method!, authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() });
      const to = /^\/redirect\/(\d+)\?to=(.*)$/.exec(req.url!);
      if (to) return res.writeHead(Number(to[1]), { location: decodeURIComponent(to[2]!) }).end('moved');
      if (req.url === '/slow') return setTimeout(() => res.end('late'), 2000);
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'x-two': ['a', 'b'] }).end(JSON.stringify({ path: req.url }));
    });
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => s.close() })));
}

const [a, b] = await Promise.all([server(), server()]);
afterAll(() => (a.close(), b.close()));

describe('httpFetch (the fetch subset the registry client uses)', () => {
  it('answers status, headers and the body as bytes, text or JSON', async () => {
    const ok = await httpFetch(`${a.url}/v2/x/manifests/t`, { headers: { Accept: 'application/json' } });
    expect([ok.status, ok.ok, ok.headers.get('Content-Type'), ok.headers.get('x-two')]).toEqual([200, true, 'application/json', 'a, b']);
    expect(await ok.json()).toEqual({ path: '/v2/x/manifests/t' });
    const missing = await httpFetch(`${a.url}/missing`);
    expect([missing.status, missing.ok, missing.headers.get('nope')]).toEqual([404, false, null]);
    expect(Buffer.from(await missing.arrayBuffer()).toString()).toBe('{"path":"/missing"}');
  });

  it('follows redirects, dropping Authorization on another origin and turning 303 into a GET', async () => {
    seen.length = 0;
    const target = encodeURIComponent(`${b.url}/blob`);
    const moved = await httpFetch(`${a.url}/redirect/307?to=${target}`, { method: 'PUT', body: new Uint8Array([104, 105]), headers: { authorization: 'Basic c2VjcmV0' } });
    expect(await moved.text()).toBe('{"path":"/blob"}');
    expect(seen.map((s) => [s.method, s.authorization, s.body])).toEqual([
      ['PUT', 'Basic c2VjcmV0', 'hi'],
      ['PUT', undefined, 'hi'],
    ]);
    seen.length = 0;
    await httpFetch(`${a.url}/redirect/303?to=${encodeURIComponent('/done')}`, { method: 'POST', body: 'x=1', headers: { authorization: 'Basic c2VjcmV0' } });
    expect(seen.map((s) => [s.method, s.authorization, s.body])).toEqual([
      ['POST', 'Basic c2VjcmV0', 'x=1'],
      ['GET', 'Basic c2VjcmV0', ''],
    ]);
  });

  it('fails as fetch does: the signal’s reason on a timeout, the socket error (with its code) otherwise', async () => {
    await expect(httpFetch(`${a.url}/slow`, { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'TimeoutError' });
    const closed = await server();
    closed.close();
    await expect(httpFetch(`${closed.url}/v2/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
