import http from 'node:http';

/**
 * The part of `fetch` the registry client uses (method, headers, a small body, redirects, an abort
 * signal; status, headers, and the body as bytes, text or JSON), over node:http(s). Node's own fetch
 * loads undici and compiles its WebAssembly HTTP parser on first use: ~35 ms of every push, for the two
 * small manifest requests a push makes. Like fetch, a redirect to another origin drops Authorization.
 */
export const httpFetch = ((input: string | URL, init: RequestInit = {}) => request(new URL(String(input)), init, 0)) as typeof fetch;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function request(url: URL, init: RequestInit, redirects: number): Promise<Response> {
  // TLS is loaded only for an https registry (~3 ms the local plain-HTTP ones do without).
  const client = url.protocol === 'https:' ? (await import('node:https')).default : http;
  const answer = await send(client, url, init);
  const location = answer.headers.location;
  if (!REDIRECTS.has(answer.statusCode ?? 0) || !location || init.redirect === 'manual' || init.redirect === 'error') return response(url, answer);
  answer.resume();
  if (redirects >= 20) throw new TypeError('fetch failed', { cause: new Error(`too many redirects from ${url}`) });
  const next = new URL(location, url);
  const method = (init.method ?? 'GET').toUpperCase();
  // As fetch: 303 (and 301/302 after a POST) become a GET without a body.
  const asGet = answer.statusCode === 303 || ((answer.statusCode === 301 || answer.statusCode === 302) && method === 'POST');
  const headers = Object.fromEntries(Object.entries(headersOf(init)).filter(([name]) => next.origin === url.origin || name !== 'authorization'));
  return request(next, { ...init, headers, ...(asGet ? { method: 'GET', body: undefined } : {}) }, redirects + 1);
}

function send(client: Pick<typeof http, 'request'>, url: URL, init: RequestInit): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(signal.reason);
    const body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : Buffer.from(init.body as Uint8Array);
    const req = client.request(url, { method: init.method ?? 'GET', headers: headersOf(init) }, resolve);
    const abort = () => req.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', abort, { once: true });
    req.on('close', () => signal?.removeEventListener('abort', abort));
    req.on('error', (err) => reject(signal?.aborted ? signal.reason : err));
    req.end(body);
  });
}

function headersOf(init: RequestInit): Record<string, string> {
  const headers = init.headers ?? {};
  const entries = headers instanceof Array ? headers : typeof (headers as Headers).forEach === 'function' ? [...(headers as Headers)] : Object.entries(headers);
  return Object.fromEntries(entries.map(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * The answer, its body read at once: registry answers here are small (manifests, tokens, errors), and a
 * body nobody reads (a 404) would otherwise hold its connection, and the process, open.
 */
function response(url: URL, answer: http.IncomingMessage): Response {
  const bytes = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => chunks.push(chunk));
    answer.on('end', () => resolve(Buffer.concat(chunks)));
    answer.on('error', reject);
  });
  bytes.catch(() => undefined);
  const read = () => bytes;
  const status = answer.statusCode ?? 0;
  return {
    url: url.toString(),
    status,
    statusText: answer.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    redirected: false,
    headers: {
      get: (name: string) => {
        const value = answer.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
      has: (name: string) => answer.headers[name.toLowerCase()] !== undefined,
    },
    arrayBuffer: async () => {
      const b = await read();
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    },
    text: async () => (await read()).toString('utf8'),
    json: async () => JSON.parse((await read()).toString('utf8')) as unknown,
  } as unknown as Response;
}
