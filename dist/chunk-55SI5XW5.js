#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  DagshipError,
  reasonOf
} from "./chunk-EDJIWXRY.js";

// src/registry/index.ts
import { createHash } from "node:crypto";

// src/registry/auth.ts
function parseChallenge(header) {
  const match = /^\s*(basic|bearer)\b\s*(.*)$/i.exec(header ?? "");
  if (!match) return void 0;
  const params = {};
  for (const m of match[2].matchAll(/([a-z_]+)="([^"]*)"/gi)) params[m[1].toLowerCase()] = m[2];
  return { scheme: match[1].toLowerCase(), params };
}
async function authorize(challenge, credentials, scope, fetchImpl = fetch) {
  const basic = credentials?.username && credentials.password ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}` : void 0;
  if (challenge.scheme === "basic") return basic;
  const realm = challenge.params.realm;
  if (!realm) throw new DagshipError("the registry asked for a bearer token without naming a token service (realm)", "check the registry configuration", "infra");
  const query = new URLSearchParams(challenge.params.service ? { service: challenge.params.service } : {});
  for (const one of scope.split(" ")) query.append("scope", one);
  const response = credentials?.identityToken ? await fetchImpl(realm, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: credentials.identityToken, client_id: "dagship", ...Object.fromEntries(query), scope }).toString(),
    signal: AbortSignal.timeout(3e4)
  }) : await fetchImpl(`${realm}?${query}`, { headers: basic ? { authorization: basic } : {}, signal: AbortSignal.timeout(3e4) });
  if (response.status === 401 || response.status === 403) throw refusedError(new URL(realm).host, credentials, response.status);
  if (!response.ok) throw new DagshipError(`the token service ${new URL(realm).host} answered ${response.status}`, "try again; if it persists, check the registry status", "infra");
  const body = await response.json();
  const token = body.token ?? body.access_token;
  if (!token) throw new DagshipError(`the token service ${new URL(realm).host} answered without a token`, "check the registry configuration", "infra");
  return `Bearer ${token}`;
}
function refusedError(host, credentials, status) {
  if (!credentials) {
    return new DagshipError(
      `the registry ${host} asks for credentials (HTTP ${status}) and none were found`,
      `run docker login ${host}, set DAGSHIP_REGISTRY_USERNAME and DAGSHIP_REGISTRY_PASSWORD, or pass --username with --password-stdin`,
      "infra"
    );
  }
  const who = credentials.username ? `user '${credentials.username}'` : "the identity token";
  return new DagshipError(
    status === 403 ? `the registry ${host} denied ${who} (HTTP 403, credentials from ${credentials.source}): not allowed on this repository` : `the registry ${host} refused the credentials for ${who} (HTTP 401, from ${credentials.source})`,
    status === 403 ? "check that the account may push to this repository" : `check the password (docker login ${host} again, or fix DAGSHIP_REGISTRY_PASSWORD)`,
    "infra"
  );
}

// src/registry/http.ts
function authorizedRequest(c) {
  const tokens = /* @__PURE__ */ new Map();
  return async (target, scope, init) => {
    const known = tokens.get(scope);
    let response = await retrying(c, target, { ...init, headers: { ...init.headers, ...known ? { authorization: known } : {} } });
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get("www-authenticate"));
    let authorization;
    try {
      authorization = challenge && await authorize(challenge, c.credentials, scope, c.fetchImpl);
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
async function retrying(c, target, init) {
  const attempts = init.retry === false ? 0 : c.delays.length;
  for (let i = 0; ; i++) {
    const signal = c.deadline ? AbortSignal.any([AbortSignal.timeout(c.requestTimeoutMs), c.deadline.signal]) : AbortSignal.timeout(c.requestTimeoutMs);
    try {
      const body = init.body && new Uint8Array(init.body);
      const answer = await c.fetchImpl(target, { method: init.method, headers: init.headers, body, redirect: "follow", signal });
      const empty = init.method === "HEAD" || [204, 205, 304].includes(answer.status);
      const whole = new Response(empty ? null : await answer.arrayBuffer(), { status: answer.status, headers: answer.headers });
      if (answer.status < 500 && answer.status !== 429 || i >= attempts) return whole;
    } catch (err) {
      if (c.deadline?.signal.aborted) throw deadlineError(c, init.method, target);
      if (!isTransient(err) || i >= attempts) throw networkError(c, err, `${init.method} ${new URL(target).pathname}`);
    }
    await new Promise((resolve) => setTimeout(resolve, c.delays[i]));
  }
}
function deadlineError(c, method, target) {
  return new DagshipError(
    `the registry ${c.host} stopped answering: ${method} ${new URL(target).pathname} had no answer when the ${c.deadline.what} ran out`,
    "check the registry (and any proxy in front of it) is up and answering, then run the command again; nothing was reported as pushed",
    "infra"
  );
}
var TRANSIENT = ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"];
function codeOf(err) {
  const inner = err?.cause ?? err;
  const code = inner?.code;
  if (typeof code === "string") return code;
  return err?.name === "TimeoutError" ? "ETIMEDOUT" : void 0;
}
function isTransient(err) {
  return TRANSIENT.includes(codeOf(err) ?? "");
}
function networkError(c, err, what) {
  const code = codeOf(err);
  const source = c.source ?? "the image reference";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new DagshipError(
      `unknown registry host ${c.host.replace(/:\d+$/, "")}: the name does not resolve (${code})`,
      `check the registry host in ${source} and this machine's DNS`,
      "infra",
      { cause: err }
    );
  }
  if (err?.name === "TimeoutError") {
    return new DagshipError(
      `the registry ${c.host} did not answer${what ? ` ${what}` : ""} within ${c.requestTimeoutMs / 1e3} s`,
      "check the registry (and any proxy in front of it) is up and answering; nothing was reported as pushed",
      "infra",
      { cause: err }
    );
  }
  return new DagshipError(
    `cannot reach the registry ${c.host} (${c.url}): ${reasonOf(err.cause ?? err)}`,
    `check the registry host and port in ${source}, and that the registry is running`,
    "infra",
    { cause: err }
  );
}

// src/registry/index.ts
var MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.index.v1+json"
];
function registryBaseUrl(host) {
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const loopback = name === "localhost" || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name);
  return `${loopback ? "http" : "https"}://${host}`;
}
function registryApiHost(registry) {
  return registry === "docker.io" ? "registry-1.docker.io" : registry;
}
function connectRegistry(host, fetchImpl = fetch, options = {}) {
  const url = registryBaseUrl(host);
  const connection = { host, url, fetchImpl, credentials: options.credentials, delays: options.retryDelaysMs ?? [500, 1e3, 2e3, 4e3], requestTimeoutMs: options.requestTimeoutMs ?? 3e4, deadline: options.deadline, source: options.source };
  const request = authorizedRequest(connection);
  const pull = (repository) => `repository:${repository}:pull`;
  const push = (repository) => `repository:${repository}:pull,push`;
  const failed = (response, what) => {
    if (response.status === 403) return refusedError(host, options.credentials, 403);
    return new DagshipError(`the registry ${host} answered ${response.status} for ${what}`, "try again; if it persists, check the registry status and its logs", "infra");
  };
  const rawManifest = async (repository, reference) => {
    const response = await request(`${url}/v2/${repository}/manifests/${reference}`, pull(repository), { method: "GET", headers: { accept: MANIFEST_TYPES.join(", ") } });
    if (response.status === 404) return void 0;
    if (!response.ok) throw failed(response, `${repository}:${reference}`);
    return { body: Buffer.from(await response.arrayBuffer()), mediaType: response.headers.get("content-type") ?? "" };
  };
  return {
    host,
    async ping() {
      let response;
      try {
        response = await fetchImpl(`${url}/v2/`, { signal: AbortSignal.timeout(1e4) });
      } catch (err) {
        throw networkError({ ...connection, requestTimeoutMs: 1e4 }, err, "on /v2/");
      }
      if (response.status === 200 || response.status === 401) return { url, authRequired: response.status === 401 };
      throw new DagshipError(
        `the registry ${host} answered ${response.status} on ${url}/v2/; it does not look like an OCI registry`,
        "check the registry host in the image repository",
        "infra"
      );
    },
    async manifest(repository, reference) {
      const raw = await rawManifest(repository, reference);
      return raw && parseManifest(raw.body, raw.mediaType);
    },
    rawManifest,
    async blob(repository, digest) {
      const response = await request(`${url}/v2/${repository}/blobs/${digest}`, pull(repository), { method: "GET", headers: {} });
      if (response.status === 404) return void 0;
      if (!response.ok) throw failed(response, `blob ${digest} of ${repository}`);
      const body = Buffer.from(await response.arrayBuffer());
      if (sha256(body) !== digest) throw new DagshipError(`the registry ${host} served blob ${digest} with other content`, "the registry storage may be corrupt; check it", "infra");
      return body;
    },
    async putBlob(repository, data) {
      const digest = sha256(data);
      const head = await request(`${url}/v2/${repository}/blobs/${digest}`, push(repository), { method: "HEAD", headers: {} });
      if (head.ok) return digest;
      const started = await request(`${url}/v2/${repository}/blobs/uploads/`, push(repository), { method: "POST", headers: {} });
      const location = started.headers.get("location");
      if (started.status !== 202 || !location) throw failed(started, `an upload to ${repository}`);
      const target = new URL(location, url);
      target.searchParams.set("digest", digest);
      const put = await request(target.toString(), push(repository), { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: data });
      if (put.status !== 201) throw failed(put, `blob ${digest} of ${repository}`);
      return digest;
    },
    async mountBlob(repository, digest, from) {
      const mount = await request(`${url}/v2/${repository}/blobs/uploads/?mount=${digest}&from=${from}`, `${push(repository)} ${pull(from)}`, { method: "POST", headers: {} });
      if (mount.status === 201) return true;
      if (mount.status !== 202) throw failed(mount, `mounting blob ${digest} from ${from} into ${repository}`);
      const location = mount.headers.get("location");
      if (location) await request(new URL(location, url).toString(), push(repository), { method: "DELETE", headers: {} }).catch(() => void 0);
      return false;
    },
    async putManifest(repository, tag, body, mediaType) {
      const response = await request(`${url}/v2/${repository}/manifests/${tag}`, push(repository), { method: "PUT", headers: { "content-type": mediaType }, body, retry: false });
      if (response.status !== 201) throw failed(response, `manifest ${repository}:${tag}: ${(await response.text()).slice(0, 300)}`);
      return sha256(body);
    }
  };
}
var sha256 = (data) => `sha256:${createHash("sha256").update(data).digest("hex")}`;
function parseManifest(body, contentType) {
  const json = JSON.parse(body.toString("utf8"));
  const mediaType = json.mediaType ?? contentType?.split(";")[0] ?? "";
  const isList = Array.isArray(json.manifests) || /manifest\.list|image\.index/.test(mediaType);
  return { digest: `sha256:${createHash("sha256").update(body).digest("hex")}`, mediaType, configDigest: isList ? void 0 : json.config?.digest, isList, layers: (json.layers ?? []).map((l) => ({ digest: l.digest, size: l.size })) };
}

export {
  registryApiHost,
  connectRegistry,
  parseManifest
};
