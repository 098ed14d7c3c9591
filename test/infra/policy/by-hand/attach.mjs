// By hand, not in CI (see kyverno-apply.sh): pushes a tiny image to a plain (http) registry and attaches
// a dagship check-result statement signed with KEY.pem, the cosign 2 way (FORMAT att: a DSSE envelope
// layer under the tag sha256-<hex>.att) or the cosign 3 way (FORMAT bundle: a Sigstore bundle v0.3 as an
// OCI referrer, listed in the referrers tag sha256-<hex>, for registries without the referrers API), or
// not at all (FORMAT none). Stands in for dagship's own attach until it writes these formats.
//   node attach.mjs REGISTRY REPO KEY.pem '{"outcome":"passed","dirty":false}' att|bundle|none
// prints the image reference by digest
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [registry, repo, keyFile, predicateJson, format] = process.argv.slice(2);
const PREDICATE_TYPE = 'https://dagship.dev/check-result/v1';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const base = `http://${registry}/v2/${repo}`;
const sha = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function blob(mediaType, body) {
  const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload: ${start.status}`);
  const url = new URL(start.headers.get('location'), `http://${registry}`);
  url.searchParams.set('digest', sha(body));
  const put = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
  return { mediaType, digest: sha(body), size: body.length };
}

/** Puts a manifest under a tag (or its digest when no tag) and returns its descriptor. */
async function manifest(document, tag) {
  const body = Buffer.from(JSON.stringify(document));
  const put = await fetch(`${base}/manifests/${tag ?? sha(body)}`, { method: 'PUT', body, headers: { 'content-type': document.mediaType } });
  if (put.status !== 201) throw new Error(`manifest: ${put.status} ${await put.text()}`);
  return { mediaType: document.mediaType, digest: sha(body), size: body.length };
}

/** The DSSE envelope of the statement dagship signs for the image, with the given predicate fields. */
function envelope(image) {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: `${registry}/${repo}`, digest: { sha256: image.digest.slice('sha256:'.length) } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      revision: '3f2a9c1e0b7d4a6f8e5c2b1a0d9e8f7c6b5a4d3e',
      dagship_version: '0.1.0',
      fail_on: 'error',
      tools: [],
      rules: [],
      findings: { error: 0, warning: 0, note: 0, failing: 0, suppressed: 0 },
      checked_at: '2026-12-08T00:00:00.000Z',
      ...JSON.parse(predicateJson),
    },
  };
  const payloadType = 'application/vnd.in-toto+json';
  const payload = Buffer.from(JSON.stringify(statement));
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${payload.length} `), payload]);
  const key = createPrivateKey(readFileSync(keyFile));
  const sig = sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', pae, key);
  return { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: '', sig: sig.toString('base64') }] };
}

const tarLayer = Buffer.alloc(1024); // an empty tar
const layer = await blob('application/vnd.oci.image.layer.v1.tar', tarLayer);
const nonce = randomBytes(8).toString('hex'); // a new digest every run
const imageConfig = { architecture: 'amd64', os: 'linux', config: { Labels: { nonce } }, rootfs: { type: 'layers', diff_ids: [sha(tarLayer)] } };
const config = await blob('application/vnd.oci.image.config.v1+json', Buffer.from(JSON.stringify(imageConfig)));
const image = await manifest({ schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] }, 'latest');
const fallbackTag = image.digest.replace(':', '-');

if (format === 'att') {
  const dsse = Buffer.from(JSON.stringify(envelope(image)));
  const envelopeLayer = await blob('application/vnd.dsse.envelope.v1+json', dsse);
  const sigConfig = { architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [envelopeLayer.digest] } };
  await manifest(
    {
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: await blob('application/vnd.oci.image.config.v1+json', Buffer.from(JSON.stringify(sigConfig))),
      layers: [{ ...envelopeLayer, annotations: { 'dev.cosignproject.cosign/signature': '', predicateType: PREDICATE_TYPE } }],
    },
    `${fallbackTag}.att`,
  );
} else if (format === 'bundle') {
  const bundleType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
  const bundle = { mediaType: bundleType, verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] }, dsseEnvelope: envelope(image) };
  const annotations = { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': PREDICATE_TYPE };
  const referrer = await manifest({
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType: bundleType,
    config: await blob('application/vnd.oci.empty.v1+json', Buffer.from('{}')),
    layers: [await blob(bundleType, Buffer.from(JSON.stringify(bundle)))],
    subject: image,
    annotations,
  });
  await manifest({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...referrer, artifactType: bundleType, annotations }] }, fallbackTag);
} else if (format !== 'none') {
  throw new Error(`FORMAT is att, bundle or none, not ${format}`);
}
console.log(`${registry}/${repo}@${image.digest}`);
