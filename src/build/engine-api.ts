import http from 'node:http';
import { Readable } from 'node:stream';

/**
 * The Docker Engine API over node:http. dockerode was used before; it loads gRPC, protobuf and ssh2 for
 * features dagship never uses, which cost ~50 ms of start-up on every build and push. The endpoints
 * dagship calls are a handful of plain HTTP requests, so they are made here directly.
 */
export interface EngineApi {
  /** A 2xx answer's JSON body; an EngineApiError for any other status. */
  json<T>(method: string, path: string, request?: EngineRequest): Promise<T>;
  /** A 2xx answer as a stream (progress lines, archives, attached output). */
  stream(method: string, path: string, request?: EngineRequest): Promise<http.IncomingMessage>;
  /** A 2xx answer whose body does not matter. */
  send(method: string, path: string, request?: EngineRequest): Promise<void>;
}

export interface EngineRequest {
  /** Arrays become repeated parameters (`t=a&t=b`), objects JSON (as the engine wants buildargs). */
  query?: Record<string, string | number | boolean | string[] | Record<string, string> | undefined>;
  /** A JSON body, or a tar stream (sent as application/x-tar). */
  body?: unknown;
  /** Credentials for the X-Registry-Auth header (pull, push). */
  auth?: Record<string, string | undefined>;
}

/** An error status from the engine, with the engine's own message. */
export class EngineApiError extends Error {
  override readonly name = 'EngineApiError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where a DOCKER_HOST points: a unix socket, or tcp://host:port (plain HTTP). */
export function engineApi(host: string): EngineApi {
  const target: http.RequestOptions = host.startsWith('unix://')
    ? { socketPath: host.slice('unix://'.length) }
    : (() => {
        const url = new URL(host.replace(/^tcp:/, 'http:'));
        return { host: url.hostname, port: Number(url.port || 2375) };
      })();
  const stream = (method: string, path: string, request: EngineRequest = {}) => call(target, method, path, request);
  return {
    stream,
    async json<T>(method: string, path: string, request?: EngineRequest) {
      return JSON.parse((await collect(await stream(method, path, request))).toString('utf8') || 'null') as T;
    },
    async send(method, path, request) {
      (await stream(method, path, request)).resume();
    },
  };
}

function call(target: http.RequestOptions, method: string, path: string, request: EngineRequest): Promise<http.IncomingMessage> {
  const headers: http.OutgoingHttpHeaders = {};
  const tar = request.body instanceof Readable || isNodeStream(request.body);
  if (request.body !== undefined) headers['content-type'] = tar ? 'application/x-tar' : 'application/json';
  if (request.auth) headers['x-registry-auth'] = registryAuth(request.auth);
  return new Promise((resolve, reject) => {
    const req = http.request({ ...target, method, path: `${path}${queryString(request.query)}`, headers }, (res) => {
      if ((res.statusCode ?? 500) < 300) return resolve(res);
      collect(res).then((body) => reject(new EngineApiError(res.statusCode ?? 500, errorMessage(body, res.statusCode))), reject);
    });
    req.on('error', reject);
    if (tar) {
      const body = request.body as NodeJS.ReadableStream;
      body.on('error', (err: Error) => req.destroy(err));
      body.pipe(req);
    } else {
      req.end(request.body === undefined ? undefined : JSON.stringify(request.body));
    }
  });
}

function isNodeStream(value: unknown): value is NodeJS.ReadableStream {
  return Boolean(value && typeof (value as NodeJS.ReadableStream).pipe === 'function');
}

/** The engine's X-Registry-Auth: base64url of the JSON (padding kept, as the docker CLI sends it). */
export function registryAuth(auth: Record<string, string | undefined>): string {
  return Buffer.from(JSON.stringify(auth)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export function queryString(query: EngineRequest['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else if (typeof value === 'object') params.append(key, JSON.stringify(value));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The engine answers errors as {"message": "…"}; anything else is shown as it came. */
export function errorMessage(body: Buffer, status: number | undefined): string {
  const text = body.toString('utf8').trim();
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // not JSON: fall through
  }
  return text || `the engine answered HTTP ${status}`;
}

export function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
