#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  countBySeverity
} from "./chunk-3P7JFNUS.js";
import {
  parseImageReference
} from "./chunk-DDMSHZPD.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// src/attest/result.ts
var RESULT_TYPE = "application/vnd.dagship.check-result.v1+json";
function checkResult(input) {
  const { outcome } = input;
  const all = outcome.runs.flatMap((r) => r.findings);
  const found = all.map((f) => f.rule);
  return {
    type: RESULT_TYPE,
    image: { repository: input.repository, digest: input.digest },
    outcome: outcome.passed ? "passed" : "failed",
    dirty: input.labels["io.dagship.dirty"] === "true",
    revision: input.labels["org.opencontainers.image.revision"],
    dagship_version: input.dagshipVersion,
    fail_on: outcome.failOn,
    tools: outcome.runs.map((r) => ({ tool: r.tool, version: r.version, files: r.files.length })),
    rules: [.../* @__PURE__ */ new Set([...input.rulesRun, ...found])].sort(),
    findings: { ...countBySeverity(all), failing: outcome.failing.length, suppressed: outcome.suppressed },
    checked_at: (input.now ?? /* @__PURE__ */ new Date()).toISOString()
  };
}
var CHECK_RULES = ["dag-import-error", "dag-import-timeout", "dag-cycle", "dag-duplicate-id", "dag-process-crash", "dag-slow-import", "dag-parse-time-lookup", "dag-leftover-process", "dag-leftover-thread", "dag-task-param", "dag-import-output"];
var POLICY_RULES = {
  owner: "dag-policy-owner",
  tags: "dag-policy-tags",
  allowed_tags: "dag-policy-tags",
  min_retries: "dag-policy-retries",
  explicit_schedule: "dag-policy-schedule",
  catchup_off: "dag-policy-catchup",
  max_tasks: "dag-policy-max-tasks",
  dag_id_pattern: "dag-policy-dag-id"
};
function rulesApplied(check, linted) {
  const policies = Object.entries(check.policies).flatMap(([key, value]) => value === void 0 || value === false ? [] : [POLICY_RULES[key]]);
  return [...linted ? ["ruff", "bandit"] : [], ...CHECK_RULES, ...policies, ...check.local_settings ? ["dag-policy-cluster"] : []];
}

// src/attest/signing.ts
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
function pemOf(value, what, hint) {
  const text = value.includes("-----BEGIN") ? value : existsSync(value) && statSync(value).isFile() ? readFileSync(value, "utf8") : void 0;
  if (!text) throw new DagshipError(`${what} is neither a PEM key nor the path of a readable file`, hint, "config");
  return text;
}
function loadKey(value, what, parse) {
  let key;
  try {
    key = parse(pemOf(value, what.name, what.hint));
  } catch (err) {
    if (err instanceof DagshipError) throw err;
    throw new DagshipError(`${what.name} is not a valid PEM ${what.kind} key`, what.hint, "config");
  }
  if (key.asymmetricKeyType !== "ed25519") throw new DagshipError(`${what.name} is ${key.asymmetricKeyType}, not Ed25519`, what.hint, "config");
  return key;
}
function loadSigningKey(value) {
  const hint = "set DAGSHIP_SIGNING_KEY to the PEM private key dagship keygen wrote (an Ed25519 PKCS#8 key), e.g. from a CI secret";
  return loadKey(value, { name: "DAGSHIP_SIGNING_KEY", kind: "private", hint }, createPrivateKey);
}
function loadPublicKey(value) {
  const hint = "pass the PEM public key dagship keygen wrote (--public-key FILE or DAGSHIP_PUBLIC_KEY)";
  return loadKey(value, { name: "the public key", kind: "public", hint }, (pem) => {
    if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) {
      throw new DagshipError("the public key given is a private key: refused", "pass the .pub file dagship keygen wrote (the .key file stays a CI secret for signing); if the private key was exposed, make a new pair with dagship keygen", "config");
    }
    return createPublicKey(pem);
  });
}
function keyId(key) {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return `sha256:${createHash("sha256").update(pub.export({ format: "der", type: "spki" })).digest("hex").slice(0, 32)}`;
}
function pae(payloadType, payload) {
  const type = Buffer.from(payloadType);
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}
function seal(payloadType, payload, key) {
  const signatures = key ? [{ keyid: keyId(key), sig: sign(null, pae(payloadType, payload), key).toString("base64") }] : [];
  return { payloadType, payload: payload.toString("base64"), signatures };
}
function openEnvelope(envelope, key, where) {
  const payload = Buffer.from(envelope.payload, "base64");
  const keyids = envelope.signatures.map((s) => s.keyid);
  if (!key) return { payload, seal: keyids.length ? { state: "not-verified", keyids } : { state: "unsigned" } };
  const id = keyId(key);
  if (keyids.length === 0) {
    throw new DagshipError(`the dagship result ${where} is not signed, and a public key is configured`, "run the checks again with DAGSHIP_SIGNING_KEY set in CI (dagship ship or check --attest), then deploy", "gate");
  }
  const valid = envelope.signatures.some((s) => s.keyid === id && verify(null, pae(envelope.payloadType, payload), key, Buffer.from(s.sig, "base64")));
  if (!valid) {
    throw new DagshipError(
      `the dagship result ${where} has no valid signature by key ${id} (signed by ${keyids.join(", ")}): it was forged, altered, or signed with another key`,
      "do not deploy this image; re-run the checks in CI with the team signing key, or check that --public-key is the key CI signs with",
      "gate"
    );
  }
  return { payload, seal: { state: "signed", keyid: id } };
}
function generateKeys() {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privateKey: privateKey.export({ format: "pem", type: "pkcs8" }).toString(), publicKey: publicKey.export({ format: "pem", type: "spki" }).toString() };
}

// src/attest/store.ts
var OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
var EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";
var ENVELOPE_TYPE = "application/vnd.dsse.envelope.v1+json";
function resultTag(digest) {
  return `${digest.replace(":", "-")}.dagship`;
}
async function storeResult(registry, repository, imageDigest, envelope, artifactType) {
  const subject = await registry.rawManifest(repository, imageDigest);
  if (!subject) {
    throw new DagshipError(`${registry.host}/${repository}@${imageDigest} is not in the registry`, "push the image first (dagship push), then record its result", "config");
  }
  const layer = Buffer.from(JSON.stringify(envelope));
  const [configDigest, layerDigest] = await Promise.all([registry.putBlob(repository, Buffer.from("{}")), registry.putBlob(repository, layer)]);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config: { mediaType: EMPTY_CONFIG, digest: configDigest, size: 2 },
    layers: [{ mediaType: ENVELOPE_TYPE, digest: layerDigest, size: layer.length }],
    subject: { mediaType: subject.mediaType.split(";")[0], digest: imageDigest, size: subject.body.length }
  };
  return registry.putManifest(repository, resultTag(imageDigest), Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
}
async function fetchResult(registry, repository, imageDigest) {
  const raw = await registry.rawManifest(repository, resultTag(imageDigest));
  if (!raw) return void 0;
  const where = `${registry.host}/${repository}:${resultTag(imageDigest)}`;
  const manifest = parseJson(raw.body, where);
  const layer = manifest.layers?.find((l) => l.mediaType === ENVELOPE_TYPE);
  if (!layer?.digest) throw malformed(where, "it has no DSSE envelope layer");
  if (manifest.subject?.digest && manifest.subject.digest !== imageDigest) throw malformed(where, `its subject is ${manifest.subject.digest}`);
  const blob = await registry.blob(repository, layer.digest);
  if (!blob) throw malformed(where, `its envelope blob ${layer.digest} is missing`);
  const envelope = parseJson(blob, where);
  if (typeof envelope.payload !== "string" || typeof envelope.payloadType !== "string" || !Array.isArray(envelope.signatures)) throw malformed(where, "the envelope is not DSSE");
  return envelope;
}
function parseJson(body, where) {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw malformed(where, "it is not JSON");
  }
}
function malformed(where, why) {
  return new DagshipError(`the dagship result ${where} is malformed: ${why}`, "do not deploy this image; run the checks again (dagship ship, or check --attest) to record a new result", "gate");
}

// src/attest/index.ts
function pinnedImage(reference) {
  const ref = parseImageReference(reference);
  if (!ref.digest) {
    throw new DagshipError(`${reference} is not pinned to a digest`, "use the reference dagship push printed: registry/repository@sha256:\u2026", "usage");
  }
  return { host: ref.registry, repository: ref.repository, digest: ref.digest };
}
async function recordResult(registry, request, log) {
  const { image } = request;
  const result = checkResult({ repository: `${image.host}/${image.repository}`, digest: image.digest, outcome: request.outcome, rulesRun: request.rulesRun, labels: request.labels, dagshipVersion: request.dagshipVersion });
  if (!request.signingKey) log.warn("the result is unsigned: set DAGSHIP_SIGNING_KEY (dagship keygen) so that deploy can tell it from a forged one");
  const envelope = seal(RESULT_TYPE, Buffer.from(JSON.stringify(result)), request.signingKey);
  await storeResult(registry, image.repository, image.digest, envelope, RESULT_TYPE);
  log.info(`recorded result '${result.outcome}'${request.signingKey ? " (signed)" : " (unsigned)"} as ${image.host}/${image.repository}:${resultTag(image.digest)}`);
  return result;
}
async function verifyImage(registry, image, publicKey) {
  const ref = `${image.host}/${image.repository}@${image.digest}`;
  const where = `${image.host}/${image.repository}:${resultTag(image.digest)}`;
  const envelope = await fetchResult(registry, image.repository, image.digest);
  if (!envelope) {
    throw new DagshipError(`${ref} was not checked: the registry has no dagship result for this digest (${where})`, "deploy the reference dagship ship printed, or run dagship check --image <reference> --attest first", "gate");
  }
  if (envelope.payloadType !== RESULT_TYPE) throw new DagshipError(`the dagship result ${where} is of type ${envelope.payloadType}`, "run the checks again to record a new result", "gate");
  const opened = openEnvelope(envelope, publicKey, where);
  const result = parseResult(opened.payload, where);
  if (result.image.digest !== image.digest || result.image.repository !== `${image.host}/${image.repository}`) {
    throw new DagshipError(`the dagship result ${where} is about ${result.image.repository}@${result.image.digest}, not ${ref}`, "do not deploy this image; results are only valid for the digest they were recorded for", "gate");
  }
  if (result.outcome !== "passed") {
    throw new DagshipError(`${ref} failed its checks (${result.findings.failing} finding(s) at or above ${result.fail_on}, checked ${result.checked_at})`, "fix the findings (dagship check shows them), ship a new image and deploy that", "gate");
  }
  if (result.dirty) {
    throw new DagshipError(`${ref} was built from uncommitted changes (revision ${result.revision ?? "unknown"}): it is not a release`, "commit, ship again from a clean checkout and deploy that image", "gate");
  }
  return { result, seal: opened.seal, summary: describe(opened.seal, result) };
}
function describe(s, result) {
  const what = `passed (dagship ${result.dagship_version}, ${result.checked_at})`;
  if (s.state === "signed") return `${what}, signed by ${s.keyid}`;
  return `${what}, signature not verified (no public key configured)`;
}
function parseResult(payload, where) {
  try {
    const result = JSON.parse(payload.toString("utf8"));
    if (result.type === RESULT_TYPE && result.image && result.outcome) return result;
  } catch {
  }
  throw new DagshipError(`the dagship result ${where} does not hold a dagship check result`, "run the checks again to record a new result", "gate");
}

export {
  rulesApplied,
  loadSigningKey,
  loadPublicKey,
  keyId,
  generateKeys,
  pinnedImage,
  recordResult,
  verifyImage
};
