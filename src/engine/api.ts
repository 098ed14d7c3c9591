import Docker from 'dockerode';
import type http from 'node:http';

/**
 * The few Engine API calls dagship makes, as plain requests through dockerode's connection layer
 * (docker-modem): it finds the engine the way the docker CLI does — unix socket, or DOCKER_HOST over
 * TCP with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH — and dagship keeps control of each request.
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
  /** Ends the request (and with it the engine's work on it, e.g. a push) when it fires. */
  signal?: AbortSignal;
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

/** The engine at `host` (unix://…, or tcp://… with the docker CLI's TLS variables). */
export function engineApi(host: string): EngineApi {
  const client = new Docker(host.startsWith('unix://') ? { socketPath: host.slice('unix://'.length) } : undefined);
  const stream = (method: string, path: string, request: EngineRequest = {}) => call(client, method, path, request);
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

const SUCCESS = { 200: true, 201: true, 204: true, 304: true };

function call(client: Docker, method: string, path: string, request: EngineRequest): Promise<http.IncomingMessage> {
  const tar = isNodeStream(request.body);
  const query = queryString(request.query);
  return new Promise((resolve, reject) => {
    client.modem.dial(
      {
        // docker-modem drops the last character of a path with '?' when it has no options of its own
        // to append: the query string is dagship's, so a spare separator goes last.
        path: query ? `${path}${query}&` : `${path}?`,
        method,
        isStream: true,
        statusCodes: SUCCESS,
        ...(tar ? { file: request.body as NodeJS.ReadableStream, headers: { 'Content-Type': 'application/x-tar' } } : {}),
        ...(!tar && request.body !== undefined ? { options: { _body: request.body }, allowEmpty: true } : {}),
        ...(request.auth ? { authconfig: request.auth } : {}),
        ...(request.signal ? { abortSignal: request.signal } : {}),
      },
      (err: (Error & { statusCode?: number }) | null, res: unknown) => {
        if (!err) return resolve(res as http.IncomingMessage);
        // docker-modem words an error status as "(HTTP code 404) unexpected - <engine message>".
        if (err.statusCode) return reject(new EngineApiError(err.statusCode, err.message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim()));
        reject(err);
      },
    );
  });
}

function isNodeStream(value: unknown): value is NodeJS.ReadableStream {
  return Boolean(value && typeof (value as NodeJS.ReadableStream).pipe === 'function');
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

export function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
