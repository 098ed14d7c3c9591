import type { Credentials } from '../credentials.js';
import { DagshipError, reasonOf } from '../errors.js';

/*
 * A registry's HTTP authentication: its WWW-Authenticate challenge answered with Basic credentials or a
 * Bearer token from its token service. Where credentials come from (config.json, helpers, environment) is
 * src/credentials.ts; this module only spends them.
 */

/** A registry's WWW-Authenticate challenge. */
export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`; undefined for other schemes. */
export function parseChallenge(header: string | null): Challenge | undefined {
  const match = /^\s*(basic|bearer)\b\s*(.*)$/i.exec(header ?? '');
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of match[2]!.matchAll(/([a-z_]+)="([^"]*)"/gi)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme: match[1]!.toLowerCase() as Challenge['scheme'], params };
}

/**
 * The Authorization header answering a challenge: Basic with the credentials, or a Bearer token from the
 * challenge's realm (Docker's token flow; with an identity token, the OAuth2 refresh-token flow).
 * Undefined when Basic is asked for and there are no credentials. Throws when the token service refuses
 * or cannot be reached; messages name `registry` (what the user wrote), the token service only as its helper.
 */
export async function authorize(challenge: Challenge, credentials: Credentials | undefined, scope: string, fetchImpl: typeof fetch = fetch, registry?: string): Promise<string | undefined> {
  const basic = credentials?.username && credentials.password ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
  if (challenge.scheme === 'basic') return basic;
  const realm = challenge.params.realm;
  if (!realm) throw new DagshipError('the registry asked for a bearer token without naming a token service (realm)', 'check the registry configuration', 'infra');
  const query = new URLSearchParams(challenge.params.service ? { service: challenge.params.service } : {});
  // Docker's token flow repeats `scope` for each repository (a blob mount needs two); OAuth2's form joins them.
  for (const one of scope.split(' ')) query.append('scope', one);
  const service = new URL(realm).host;
  let response: Response;
  try {
    response = credentials?.identityToken
      ? await fetchImpl(realm, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: 'dagship', ...Object.fromEntries(query), scope }).toString(),
          signal: AbortSignal.timeout(30_000),
        })
      : await fetchImpl(`${realm}?${query}`, { headers: basic ? { authorization: basic } : {}, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    // Not the registry's own address: saying "cannot reach the registry" would send the user to the wrong server.
    throw new DagshipError(
      `cannot reach the token service ${service} that the registry ${registry ?? service} sends clients to for credentials (${realm}): ${reasonOf((err as { cause?: unknown }).cause ?? err)}`,
      `the registry answers, but its token service does not: check that ${realm} is up and reachable from this machine, then run the command again`,
      'infra',
      { cause: err },
    );
  }
  if (response.status === 401 || response.status === 403) throw refusedError(registry ?? service, credentials, response.status, service);
  if (!response.ok) throw new DagshipError(`the token service ${new URL(realm).host} answered ${response.status}`, 'try again; if it persists, check the registry status', 'infra');
  const body = (await response.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new DagshipError(`the token service ${new URL(realm).host} answered without a token`, 'check the registry configuration', 'infra');
  return `Bearer ${token}`;
}

/** The one message for credentials a registry (or, named as `tokenService`, its token service) turned down. */
export function refusedError(host: string, credentials: Credentials | undefined, status: number, tokenService?: string): DagshipError {
  if (!credentials) {
    return new DagshipError(
      `the registry ${host} asks for credentials (HTTP ${status}) and none were found`,
      `run docker login ${host}, set DAGSHIP_REGISTRY_USERNAME and DAGSHIP_REGISTRY_PASSWORD, or pass --username with --password-stdin`,
      'infra',
    );
  }
  const who = credentials.username ? `user '${credentials.username}'` : 'the identity token';
  const via = tokenService ? ` from its token service ${tokenService}` : '';
  return new DagshipError(
    status === 403
      ? `the registry ${host} denied ${who} (HTTP 403${via}, credentials from ${credentials.source}): not allowed on this repository`
      : `the registry ${host} refused the credentials for ${who} (HTTP 401${via}, from ${credentials.source})`,
    status === 403 ? 'check that the account may push to this repository' : `check the password (docker login ${host} again, or fix DAGSHIP_REGISTRY_PASSWORD)`,
    'infra',
  );
}
