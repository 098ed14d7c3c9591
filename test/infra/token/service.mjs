#!/usr/bin/env node
// The token service for test/infra's token-auth registry (Debian's distribution registry ships none).
// It answers Docker's token flow (GET /token with Basic credentials) and the OAuth2 form (POST /token,
// grant_type password or refresh_token) and issues the JWTs distribution verifies: ES256, the signing
// certificate in x5c, iss/sub/aud/exp/nbf/iat/jti and the granted `access`. The one known user gets what
// it asks for; anyone else gets a token with no access, so the registry refuses them as it would a
// stranger. Its log names subjects, scopes and token ids (jti), never a password or a token.
//
//   node service.mjs --listen 127.0.0.1:5115 --key K --cert C --issuer I --service S --user U --password-file F
import { createHash, createHmac, createPrivateKey, randomBytes, sign, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: Object.fromEntries(['listen', 'key', 'cert', 'issuer', 'service', 'user', 'password-file'].map((name) => [name, { type: 'string' }])),
});
const missing = ['listen', 'key', 'cert', 'issuer', 'service', 'user', 'password-file'].filter((name) => !args[name]);
if (missing.length > 0) throw new Error(`missing --${missing.join(', --')}`);

const keyPem = readFileSync(args.key);
const key = createPrivateKey(keyPem);
const certDer = readFileSync(args.cert, 'utf8').replace(/-----[^-]+-----|\s/g, '');
const password = readFileSync(args['password-file'], 'utf8').trim();
// Refresh tokens are stateless (user + MAC), so they survive a restart of this service.
const refreshKey = createHash('sha256').update('refresh').update(keyPem).digest();
const lifetime = 300;

const b64url = (data) => Buffer.from(data).toString('base64url');
const same = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function log(fields) {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...fields }));
}

/** `repository:team/dags:pull,push` → {type, name, actions}; the name may hold ':' (a port), actions never. */
function parseScope(scope) {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 1 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

function issue(subject, scopes) {
  const now = Math.floor(Date.now() / 1000);
  const access = subject === args.user ? scopes.map(parseScope).filter(Boolean) : [];
  const jti = randomBytes(16).toString('hex');
  const header = { typ: 'JWT', alg: 'ES256', x5c: [certDer] };
  const claims = { iss: args.issuer, sub: subject, aud: args.service, exp: now + lifetime, nbf: now - 10, iat: now, jti, access };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  log({ event: 'issued', sub: subject, jti, access: access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`) });
  return { token: `${input}.${b64url(signature)}`, issued_at: new Date(now * 1000).toISOString(), expires_in: lifetime };
}

const refreshToken = (user) => `${b64url(user)}.${createHmac('sha256', refreshKey).update(user).digest('base64url')}`;

function refreshUser(token) {
  const [user, mac] = String(token).split('.');
  if (!user || !mac) return undefined;
  const name = Buffer.from(user, 'base64url').toString('utf8');
  return same(refreshToken(name), token) ? name : undefined;
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function refuse(res, why) {
  log({ event: 'refused', why });
  send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': 'Basic realm="dagship-test-token"' });
}

/** Docker's token flow: Basic credentials (or none: anonymous), scopes in the query. */
function tokenByGet(req, res, query) {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  let subject = '';
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1 || !same(decoded.slice(0, colon), args.user) || !same(decoded.slice(colon + 1), password)) return refuse(res, 'wrong username or password');
    subject = args.user;
  }
  const issued = issue(subject, query.getAll('scope'));
  const offline = subject && query.get('offline_token') === 'true' ? { refresh_token: refreshToken(subject) } : {};
  send(res, 200, { token: issued.token, access_token: issued.token, expires_in: issued.expires_in, issued_at: issued.issued_at, ...offline });
}

/** The OAuth2 form: grant_type password or refresh_token, scopes space-separated. */
function tokenByPost(res, form) {
  let subject;
  if (form.get('grant_type') === 'password') {
    if (!same(form.get('username') ?? '', args.user) || !same(form.get('password') ?? '', password)) return refuse(res, 'wrong username or password');
    subject = args.user;
  } else if (form.get('grant_type') === 'refresh_token') {
    subject = refreshUser(form.get('refresh_token') ?? '');
    if (!subject) return refuse(res, 'unknown refresh token');
  } else {
    return send(res, 400, { error: 'unsupported_grant_type' });
  }
  const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
  const issued = issue(subject, scopes);
  const offline = form.get('access_type') === 'offline' || form.get('grant_type') === 'refresh_token' ? { refresh_token: refreshToken(subject) } : {};
  send(res, 200, { access_token: issued.token, scope: scopes.join(' '), expires_in: issued.expires_in, issued_at: issued.issued_at, ...offline });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://token');
  if (url.pathname === '/healthz') return send(res, 200, { ok: true });
  if (url.pathname !== '/token') return send(res, 404, { error: 'not found' });
  if (url.searchParams.get('service') && url.searchParams.get('service') !== args.service) return send(res, 400, { error: 'unknown service' });
  if (req.method === 'GET') return tokenByGet(req, res, url.searchParams);
  if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
    if (body.length > 65536) req.destroy();
  });
  req.on('end', () => tokenByPost(res, new URLSearchParams(body)));
});
const [host, port] = [args.listen.slice(0, args.listen.lastIndexOf(':')), Number(args.listen.slice(args.listen.lastIndexOf(':') + 1))];
server.listen(port, host, () => log({ event: 'listening', on: args.listen, service: args.service, issuer: args.issuer }));
