import { DagshipError } from '../errors.js';
import type { ArtifactRegistry } from '../registry/index.js';
import type { Envelope } from './signing.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';
const ENVELOPE_TYPE = 'application/vnd.dsse.envelope.v1+json';

/**
 * Where a result lives: cosign's tag scheme (`sha256-<hex>.dagship`) in the image's own repository,
 * because plain registries (Distribution 2.x, Debian's) have no referrers API. The manifest still names
 * the image as its `subject`, so registries that index referrers list it too.
 */
export function resultTag(digest: string): string {
  return `${digest.replace(':', '-')}.dagship`;
}

export async function storeResult(registry: ArtifactRegistry, repository: string, imageDigest: string, envelope: Envelope, artifactType: string): Promise<string> {
  const subject = await registry.rawManifest(repository, imageDigest);
  if (!subject) {
    throw new DagshipError(`${registry.host}/${repository}@${imageDigest} is not in the registry`, 'push the image first (dagship push), then record its result', 'config');
  }
  const layer = Buffer.from(JSON.stringify(envelope));
  const [configDigest, layerDigest] = await Promise.all([registry.putBlob(repository, Buffer.from('{}')), registry.putBlob(repository, layer)]);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config: { mediaType: EMPTY_CONFIG, digest: configDigest, size: 2 },
    layers: [{ mediaType: ENVELOPE_TYPE, digest: layerDigest, size: layer.length }],
    subject: { mediaType: subject.mediaType.split(';')[0], digest: imageDigest, size: subject.body.length },
  };
  return registry.putManifest(repository, resultTag(imageDigest), Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
}

/** The stored envelope for an image digest, or undefined when the image was never checked. */
export async function fetchResult(registry: ArtifactRegistry, repository: string, imageDigest: string): Promise<Envelope | undefined> {
  const raw = await registry.rawManifest(repository, resultTag(imageDigest));
  if (!raw) return undefined;
  const where = `${registry.host}/${repository}:${resultTag(imageDigest)}`;
  const manifest = parseJson(raw.body, where) as { subject?: { digest?: string }; layers?: { mediaType?: string; digest?: string }[] };
  const layer = manifest.layers?.find((l) => l.mediaType === ENVELOPE_TYPE);
  if (!layer?.digest) throw malformed(where, 'it has no DSSE envelope layer');
  if (manifest.subject?.digest && manifest.subject.digest !== imageDigest) throw malformed(where, `its subject is ${manifest.subject.digest}`);
  const blob = await registry.blob(repository, layer.digest);
  if (!blob) throw malformed(where, `its envelope blob ${layer.digest} is missing`);
  const envelope = parseJson(blob, where) as Partial<Envelope>;
  if (typeof envelope.payload !== 'string' || typeof envelope.payloadType !== 'string' || !Array.isArray(envelope.signatures)) throw malformed(where, 'the envelope is not DSSE');
  return envelope as Envelope;
}

function parseJson(body: Buffer, where: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw malformed(where, 'it is not JSON');
  }
}

function malformed(where: string, why: string): DagshipError {
  return new DagshipError(`the dagship result ${where} is malformed: ${why}`, 'do not deploy this image; run the checks again (dagship ship, or check --attest) to record a new result', 'gate');
}
