#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  run
} from "./chunk-BKTJISMR.js";
import {
  mask,
  tail
} from "./chunk-4L3VKM7L.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// src/credentials.ts
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
async function resolveCredentials(registry, options = {}) {
  const env = options.env ?? process.env;
  const forTarget = !options.target || credentialHost(options.target) === credentialHost(registry);
  if (options.explicit && forTarget) return { ...options.explicit, source: "--username/--password-stdin" };
  const user = env.DAGSHIP_REGISTRY_USERNAME;
  const password = env.DAGSHIP_REGISTRY_PASSWORD;
  if ((user || password) && forTarget) {
    if (!user || !password) {
      throw new DagshipError(
        `only ${user ? "DAGSHIP_REGISTRY_USERNAME" : "DAGSHIP_REGISTRY_PASSWORD"} is set`,
        "set both DAGSHIP_REGISTRY_USERNAME and DAGSHIP_REGISTRY_PASSWORD, or neither",
        "config"
      );
    }
    return { username: user, password, source: "DAGSHIP_REGISTRY_USERNAME/PASSWORD" };
  }
  const file = path.join(env.DOCKER_CONFIG || path.join(env.HOME || homedir(), ".docker"), "config.json");
  const config = readDockerConfig(file);
  if (!config) return void 0;
  const host = credentialHost(registry);
  const helper = config.credHelpers?.[host] ?? matchingKey(config.credHelpers, host) ?? config.credsStore;
  if (helper) {
    const fromHelper = await fromCredentialHelper(helper, host, options.cwd ?? process.cwd());
    if (fromHelper) return fromHelper;
  }
  return fromAuths(config, host, file);
}
function credentialsOnce(options = {}) {
  const asked = /* @__PURE__ */ new Map();
  return (registry) => {
    if (!asked.has(registry)) asked.set(registry, resolveCredentials(registry, options));
    return asked.get(registry);
  };
}
function secretsOf(credentials) {
  if (!credentials) return [];
  const pair = credentials.username && credentials.password ? [Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")] : [];
  return [credentials.password, credentials.identityToken, ...pair].filter((s) => Boolean(s));
}
function credentialHost(registry) {
  return ["docker.io", "registry-1.docker.io", "index.docker.io"].includes(registry) ? "index.docker.io" : registry;
}
function normaliseKey(key) {
  return key.replace(/^https?:\/\//, "").split("/")[0];
}
function matchingKey(entries, host) {
  return Object.entries(entries ?? {}).find(([key]) => normaliseKey(key) === host)?.[1];
}
function readDockerConfig(file) {
  if (!existsSync(file)) return void 0;
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new DagshipError(`${file} is not valid JSON: ${err.message}`, "fix the file (docker login rewrites it) or point DOCKER_CONFIG elsewhere", "config");
  }
}
function fromAuths(config, host, file) {
  const entry = matchingKey(config.auths, host);
  if (!entry) return void 0;
  const source = `${file} (auths.${host})`;
  if (entry.identitytoken) return { identityToken: entry.identitytoken, username: entry.username, source };
  if (entry.username && entry.password) return { username: entry.username, password: entry.password, source };
  if (!entry.auth) return void 0;
  const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1) {
    throw new DagshipError(`${source}: 'auth' is not base64 of user:password`, `run docker login ${host} again, or fix the entry`, "config");
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
}
async function fromCredentialHelper(name, host, cwd) {
  const program = `docker-credential-${name}`;
  const server = host === "index.docker.io" ? "https://index.docker.io/v1/" : host;
  const result = await run(program, ["get"], { cwd, input: server });
  if (result.exitCode !== 0) {
    if (/credentials not found/i.test(result.stdout + result.stderr)) return void 0;
    throw new DagshipError(
      `${program} get failed for ${host}: ${tail(result.stderr || result.stdout, 2)}`,
      `check the credential helper '${name}' named in ~/.docker/config.json, or run docker login ${host}`,
      "config"
    );
  }
  let answer;
  try {
    answer = JSON.parse(result.stdout);
  } catch {
    throw new DagshipError(`${program} get answered something that is not JSON`, `run 'echo ${server} | ${program} get' to see what it prints`, "config");
  }
  if (!answer.Secret) return void 0;
  const source = `credential helper ${program}`;
  if (answer.Username === "<token>") return { identityToken: answer.Secret, source };
  return { username: answer.Username, password: answer.Secret, source };
}
function engineAuth(credentials, serveraddress) {
  if (!credentials) return {};
  if (credentials.identityToken) return { identitytoken: credentials.identityToken, serveraddress };
  return { username: credentials.username ?? "", password: credentials.password ?? "", serveraddress };
}
function maskCredentials(text, credentials) {
  return mask(text, secretsOf(credentials));
}

export {
  resolveCredentials,
  credentialsOnce,
  engineAuth,
  maskCredentials
};
