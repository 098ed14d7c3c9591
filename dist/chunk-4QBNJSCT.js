#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  loadPublicKey,
  loadSigningKey,
  pinnedImage,
  verifyImage
} from "./chunk-4VCFSQRQ.js";
import {
  connectRegistry,
  registryApiHost
} from "./chunk-BRR2QREV.js";
import {
  credentialsOnce
} from "./chunk-EYLIXMRA.js";

// cli/attest.ts
function signingKey(env = process.env) {
  const value = env.DAGSHIP_SIGNING_KEY?.trim();
  return value ? loadSigningKey(value) : void 0;
}
function publicKey(flag, env = process.env) {
  const value = (flag ?? env.DAGSHIP_PUBLIC_KEY)?.trim();
  return value ? loadPublicKey(value) : void 0;
}
async function artifactRegistry(host, credentialsFor) {
  return connectRegistry(registryApiHost(host), fetch, { credentials: await credentialsFor(host) });
}
async function releaseGate(reference, flags, log, credentialsFor = credentialsOnce()) {
  if (flags.skipVerify) {
    const who = process.env.GITHUB_ACTOR ?? process.env.USER ?? "unknown";
    log.warn(`RELEASE GATE SKIPPED (--skip-verify): ${reference} is deployed without checking its dagship result; recorded on every changed object`);
    return `skipped with --skip-verify by ${who} at ${(/* @__PURE__ */ new Date()).toISOString()}`;
  }
  const image = pinnedImage(reference);
  const key = publicKey(flags.publicKey);
  const verified = await verifyImage(await artifactRegistry(image.host, credentialsFor), image, key);
  if (!key) log.warn(`the result of ${reference} is ${verified.seal.state === "unsigned" ? "unsigned" : "signed, but not verified"}: no public key is configured (--public-key or DAGSHIP_PUBLIC_KEY), so a forged result would pass`);
  log.info(`release gate: ${reference} ${verified.summary}`);
  return verified.summary;
}

export {
  signingKey,
  artifactRegistry,
  releaseGate
};
