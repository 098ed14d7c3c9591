import type { Credentials } from '../credentials.js';
import { authorize, parseChallenge, refusedError } from './auth.js';
import { DagshipError, reasonOf } from '../errors.js';

/** One registry's HTTP settings: where it is, who asks, and how long anything may take. */
export interface Connection {
  host: string;
  url: string;
  fetchImpl: typeof fetch;
  credentials?: Credentials;
  delays: number[];
  /** How long one request may wait for its whole answer before it is given up (and retried). */
  requestTimeoutMs: number;
  /** The command's deadline: when it fires, every request still running ends, and nothing is retried. */
  deadline?: { signal: AbortSignal; what: string };
  /** Where the host was written, for a hint: `--image`, or 'repository' (dagship.yaml or --repository). */
  source?: string;
}

export interface RequestInit {
  method: string;
  body?: Buffer;
  headers: Record<string, string>;
  /** False for a write that must not be repeated blindly (a tag write: another writer may have come since). */
  retry?: boolean;
}

export type Request = (target: string, scope: string, init: RequestInit) => Promise<Response>;

/** Requests that answer the registry's auth challenge (Basic, or a Bearer token per scope, kept for reuse). */
export function authorizedRequest(c: Connection): Request {
  const tokens = new Map<string, string>();
  return async (target, scope, init) => {
    const known = tokens.get(scope);
    let response = await retrying(c, target, { ...init, headers: { ...init.headers, ...(known ? { authorization: known } : {}) } });
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    let authorization: string | undefined;
    try {
      authorization = challenge && (await authorize(challenge, c.credentials, scope, c.fetchImpl, c.host));
    } catch (err) {
      throw err instanceof DagshipError ? err : networkError(c, err);
    }
    if (!authorization) throw refusedError(c.host, c.credentials, 401);
    tokens.set(scope, authorization);
    response = await retrying(c, target, { ...init, headers: { ...init.headers, authorization } });
    if (response.status === 401 || response.status === 403) throw refusedError(c.host, c.credentials, response.status);
    return response;
  };
}

/**
 * One request, retried with growing waits while the failure is transient (refused, reset, no answer in
 * time, 5xx, 429). The answer comes back whole, so the request's deadline also covers its body.
 */
async function retrying(c: Connection, target: string, init: RequestInit): Promise<Response> {
  const attempts = init.retry === false ? 0 : c.delays.length;
  for (let i = 0; ; i++) {
    const signal = c.deadline ? AbortSignal.any([AbortSignal.timeout(c.requestTimeoutMs), c.deadline.signal]) : AbortSignal.timeout(c.requestTimeoutMs);
    try {
      const body = init.body && new Uint8Array(init.body);
      const answer = await c.fetchImpl(target, { method: init.method, headers: init.headers, body, redirect: 'follow', signal });
      const empty = init.method === 'HEAD' || [204, 205, 304].includes(answer.status);
      const whole = new Response(empty ? null : await answer.arrayBuffer(), { status: answer.status, headers: answer.headers });
      if ((answer.status < 500 && answer.status !== 429) || i >= attempts) return whole;
    } catch (err) {
      if (c.deadline?.signal.aborted) throw deadlineError(c, init.method, target);
      if (!isTransient(err) || i >= attempts) throw networkError(c, err, `${init.method} ${new URL(target).pathname}`);
    }
    await new Promise((resolve) => setTimeout(resolve, c.delays[i]));
  }
}

function deadlineError(c: Connection, method: string, target: string): DagshipError {
  return new DagshipError(
    `the registry ${c.host} stopped answering: ${method} ${new URL(target).pathname} had no answer when the ${c.deadline!.what} ran out`,
    'check the registry (and any proxy in front of it) is up and answering, then run the command again; nothing was reported as pushed',
    'infra',
  );
}

const TRANSIENT = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'];

function codeOf(err: unknown): string | undefined {
  const inner = (err as { cause?: unknown })?.cause ?? err;
  const code = (inner as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  return (err as { name?: string })?.name === 'TimeoutError' ? 'ETIMEDOUT' : undefined;
}

function isTransient(err: unknown): boolean {
  return TRANSIENT.includes(codeOf(err) ?? '');
}

/** One message per network failure: an unknown host is said so, no answer in time too, everything else names the URL. */
export function networkError(c: Pick<Connection, 'host' | 'url' | 'requestTimeoutMs' | 'source'>, err: unknown, what?: string): DagshipError {
  const code = codeOf(err);
  const source = c.source ?? 'the image reference';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new DagshipError(`unknown registry host ${c.host.replace(/:\d+$/, '')}: the name does not resolve (${code})`, `check the registry host in ${source} and this machine's DNS`, 'infra', {
      cause: err,
    });
  }
  if ((err as { name?: string })?.name === 'TimeoutError') {
    return new DagshipError(
      `the registry ${c.host} did not answer${what ? ` ${what}` : ''} within ${c.requestTimeoutMs / 1000} s`,
      'check the registry (and any proxy in front of it) is up and answering; nothing was reported as pushed',
      'infra',
      { cause: err },
    );
  }
  return new DagshipError(
    `cannot reach the registry ${c.host} (${c.url}): ${reasonOf((err as { cause?: unknown }).cause ?? err)}`,
    `check the registry host and port in ${source}, and that the registry is running`,
    'infra',
    { cause: err },
  );
}
