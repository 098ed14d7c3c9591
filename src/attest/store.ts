import { createHash } from 'node:crypto';
import { DagshipError } from '../errors.js';
import type { ArtifactRegistry, Descriptor } from '../registry/index.js';
import { idOfHint, type Envelope } from './signing.js';

/*
 * Where attestations live, in the two places cosign looks:
 * - cosign v3: a Sigstore bundle (v0.3, holding the DSSE envelope) as an OCI 1.1 referrer of the image,
 *   listed by the registry's referrers API, or, where the registry has none (Distribution 2.x, Debian's),
 *   in the OCI fallback index under the tag `sha256-<hex>`;
 * - cosign v2 (and the admission controllers built on it): DSSE envelope layers under `sha256-<hex>.att`.
 * Both tags are indexes that grow: what is there stays, ours is added (read, then write: registries offer
 * no conditional write, so two writers at the same moment can lose one entry).
 */

export const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const DSSE_TYPE = 'application/vnd.dsse.envelope.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';
/** Referrers read per image at most: a registry can hold any number, the gate needs the recent few. */
const MAX_REFERRERS = 64;

const hexOf = (digest: string) => digest.replace(':', '-');
/** The OCI 1.1 referrers fallback tag (an index of the digest's referrers). */
export const referrersTag = (digest: string) => hexOf(digest);
/** cosign v2's attestation tag. */
export const legacyTag = (digest: string) => `${hexOf(digest)}.att`;
/** Where dagship before the in-toto format kept its result: read only to say it must be recorded again. */
export const oldResultTag = (digest: string) => `${hexOf(digest)}.dagship`;

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

export interface StoreRequest {
  repository: string;
  imageDigest: string;
  envelope: Envelope;
  predicateType: string;
  /** A hint naming the signing key in the bundle (verifiers look the key up themselves). */
  keyHint?: string;
}

/** Stores one attestation in both places; returns where, for the log. */
export async function storeAttestation(registry: ArtifactRegistry, request: StoreRequest): Promise<string[]> {
  const { repository, imageDigest, envelope } = request;
  const image = await registry.rawManifest(repository, imageDigest);
  if (!image) {
    throw new DagshipError(`${registry.host}/${repository}@${imageDigest} is not in the registry`, 'push the image first (dagship push), then record its result', 'config');
  }
  const subject = { mediaType: image.mediaType.split(';')[0]!, digest: imageDigest, size: image.body.length };
  const bundle = json({ mediaType: BUNDLE_TYPE, verificationMaterial: { publicKey: { hint: request.keyHint ?? '' }, tlogEntries: [] }, dsseEnvelope: envelope });
  const dsse = json(envelope);
  const config = Buffer.from('{}');
  await Promise.all([bundle, dsse, config].map((blob) => registry.putBlob(repository, blob)));

  const annotations = { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': request.predicateType, 'org.opencontainers.image.created': new Date().toISOString() };
  const referrer = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: BUNDLE_TYPE,
    config: { mediaType: EMPTY_CONFIG, digest: sha256(config), size: config.length },
    layers: [{ mediaType: BUNDLE_TYPE, digest: sha256(bundle), size: bundle.length }],
    subject,
    annotations,
  });
  const put = await registry.putManifest(repository, sha256(referrer), referrer, OCI_MANIFEST);
  const where = [`${registry.host}/${repository}@${put.digest} (an OCI referrer`];
  if (put.subject) {
    where[0] += ', listed by the referrers API)';
  } else {
    const descriptor: Descriptor = { mediaType: OCI_MANIFEST, digest: put.digest, size: referrer.length, artifactType: BUNDLE_TYPE, annotations };
    await addToIndex(registry, repository, referrersTag(imageDigest), descriptor);
    where[0] += `, listed under :${referrersTag(imageDigest)})`;
  }
  await addLegacyLayer(registry, repository, imageDigest, {
    mediaType: DSSE_TYPE,
    digest: sha256(dsse),
    size: dsse.length,
    annotations: { 'dev.cosignproject.cosign/signature': '', predicateType: request.predicateType },
  });
  where.push(`${registry.host}/${repository}:${legacyTag(imageDigest)} (cosign v2's tag)`);
  return where;
}

/** Adds a manifest to the referrers fallback index, keeping what other tools listed there. */
async function addToIndex(registry: ArtifactRegistry, repository: string, tag: string, descriptor: Descriptor): Promise<void> {
  const current = await registry.rawManifest(repository, tag);
  const index = current ? (parse(current.body, `${repository}:${tag}`) as { manifests?: Descriptor[] }) : {};
  const manifests = (index.manifests ?? []).filter((m) => m.digest !== descriptor.digest);
  const body = json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...manifests, descriptor] });
  await registry.putManifest(repository, tag, body, OCI_INDEX);
}

/** Adds a DSSE layer to cosign v2's `.att` image, keeping the attestations already there. */
async function addLegacyLayer(registry: ArtifactRegistry, repository: string, imageDigest: string, layer: Descriptor): Promise<void> {
  const tag = legacyTag(imageDigest);
  const current = await registry.rawManifest(repository, tag);
  const existing = current ? ((parse(current.body, `${repository}:${tag}`) as { layers?: Descriptor[] }).layers ?? []) : [];
  const layers = [...existing.filter((l) => l.digest !== layer.digest), layer];
  // cosign's layers are uncompressed, so each diff_id is the layer's own digest.
  const config = json({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } });
  await registry.putBlob(repository, config);
  const manifest = json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length }, layers });
  await registry.putManifest(repository, tag, manifest, OCI_MANIFEST);
}

export interface Found {
  envelope: Envelope;
  /** The signer a bundle names (its key hint, as a key id); verified only against a given key. */
  signer?: string;
  /** Where it was read, for messages: `registry/repository@digest` or `…:tag`. */
  where: string;
}

export interface Attestations {
  found: Found[];
  /** Attestations that could not be read (not a bundle, no envelope, a missing blob), for the message when none verifies. */
  unreadable: string[];
  /** Where an old-format dagship result sits, when there is one. */
  oldFormat?: string;
}

/** Every DSSE envelope attached to the digest: OCI referrers (API or fallback tag) and cosign v2's tag. */
export async function fetchAttestations(registry: ArtifactRegistry, repository: string, imageDigest: string): Promise<Attestations> {
  const name = `${registry.host}/${repository}`;
  const out: Attestations = { found: [], unreadable: [] };
  const listed = (await registry.referrers(repository, imageDigest)) ?? (await fallbackIndex(registry, repository, imageDigest));
  const referrers = listed.filter((d) => d.mediaType === OCI_MANIFEST && mayAttest(d.artifactType));
  for (const d of referrers.slice(-MAX_REFERRERS)) {
    await readManifest(registry, repository, d.digest, `${name}@${d.digest}`, out);
  }
  await readManifest(registry, repository, legacyTag(imageDigest), `${name}:${legacyTag(imageDigest)}`, out);
  // dagship writes each envelope to both places: count it once, as its bundle (which names the signer).
  const seen = new Set<string>();
  out.found = out.found.filter((f) => {
    const key = `${f.envelope.payload}|${f.envelope.signatures.map((s) => s.sig).join(',')}`;
    return !seen.has(key) && (seen.add(key), true);
  });
  if (out.found.length === 0 && (await registry.rawManifest(repository, oldResultTag(imageDigest)))) out.oldFormat = `${name}:${oldResultTag(imageDigest)}`;
  return out;
}

async function fallbackIndex(registry: ArtifactRegistry, repository: string, imageDigest: string): Promise<Descriptor[]> {
  const raw = await registry.rawManifest(repository, referrersTag(imageDigest));
  if (!raw) return [];
  const index = parse(raw.body, `${repository}:${referrersTag(imageDigest)}`) as { manifests?: Descriptor[] };
  return Array.isArray(index.manifests) ? index.manifests : [];
}

/** Reads the envelopes of one attestation manifest (bundle layers, or bare DSSE layers) into `out`. */
async function readManifest(registry: ArtifactRegistry, repository: string, reference: string, where: string, out: Attestations): Promise<void> {
  const raw = await registry.rawManifest(repository, reference);
  if (!raw) return;
  const layers = (tryParse(raw.body) as { layers?: Descriptor[] } | undefined)?.layers;
  if (!Array.isArray(layers)) return void out.unreadable.push(`${where}: not an image manifest`);
  for (const layer of layers) {
    const bundle = layer.mediaType?.startsWith('application/vnd.dev.sigstore.bundle');
    if (!bundle && layer.mediaType !== DSSE_TYPE) continue;
    const blob = await registry.blob(repository, layer.digest);
    const body = blob && (tryParse(blob) as { dsseEnvelope?: unknown } | undefined);
    const envelope = bundle ? body?.dsseEnvelope : body;
    const hint = (body as { verificationMaterial?: { publicKey?: { hint?: unknown } } } | undefined)?.verificationMaterial?.publicKey?.hint;
    if (isEnvelope(envelope)) out.found.push({ envelope, where, signer: bundle && typeof hint === 'string' && hint ? idOfHint(hint) : undefined });
    else out.unreadable.push(`${where}: layer ${layer.digest} ${blob ? 'holds no DSSE envelope' : 'is missing'}`);
  }
}

/**
 * Whether a referrer may hold an attestation. Some registries (go-containerregistry's) list the config's media
 * type where the manifest's artifactType belongs, so an empty config or none is read too.
 */
function mayAttest(artifactType: string | undefined): boolean {
  if (!artifactType || artifactType === EMPTY_CONFIG) return true;
  return artifactType.startsWith('application/vnd.dev.sigstore.bundle') || artifactType === 'application/vnd.in-toto+json';
}

function isEnvelope(value: unknown): value is Envelope {
  const e = value as Partial<Envelope> | undefined;
  return typeof e?.payload === 'string' && typeof e.payloadType === 'string' && Array.isArray(e.signatures);
}

function tryParse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function parse(body: Buffer, where: string): unknown {
  const value = tryParse(body);
  if (value === undefined) throw new DagshipError(`${where} in the registry is not JSON`, 'it is not an OCI index or manifest; delete the tag or ask who wrote it', 'infra');
  return value;
}
