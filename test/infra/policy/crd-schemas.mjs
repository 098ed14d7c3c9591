// Turns CustomResourceDefinition files into the JSON schemas kubeconform reads, one file per served
// version named {kind}_{version}.json (kind in lower case, as kubeconform's {{ .ResourceKind }} is),
// so `kubeconform -schema-location 'DIR/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'` finds them.
//
//   node crd-schemas.mjs OUT_DIR CRD.yaml...     prints the files written, one a line
//
// An object schema with `properties` gets `additionalProperties: false` unless it says otherwise or
// keeps unknown fields: that is how the API server prunes, and it is what makes a misspelt field
// (`predicatetype:`) an error instead of something silently dropped at apply time.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

function closed(schema) {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closed(value)]));
  if (out['x-kubernetes-int-or-string'] === true) {
    // JSON schema has no int-or-string type; the API server accepts either.
    delete out.type;
    out.anyOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

const [outDir, ...files] = process.argv.slice(2);
if (!outDir || files.length === 0) {
  console.error('usage: node crd-schemas.mjs OUT_DIR CRD.yaml...');
  process.exit(2);
}
for (const file of files) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const version of crd.spec.versions ?? []) {
      const schema = version.schema?.openAPIV3Schema;
      if (!version.served || !schema) continue;
      // Every object has these at its root whether the CRD's schema lists them or not
      // (policy-controller's lists only spec and status).
      const root = closed(schema);
      root.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...root.properties };
      const name = join(outDir, `${crd.spec.names.kind.toLowerCase()}_${version.name}.json`);
      writeFileSync(name, `${JSON.stringify(root, null, 1)}\n`);
      console.log(name);
    }
  }
}
