import type * as k8s from '@kubernetes/client-node';
import type { KubeCluster } from '../../src/kube/cluster.js';

/** A JSON merge patch (RFC 7386): objects merge, arrays and scalars replace, null deletes. */
export function merge(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = { ...(target && typeof target === 'object' && !Array.isArray(target) ? (target as object) : {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

const conflict = () => Object.assign(new Error('Conflict'), { code: 409 });

/** The release records (ConfigMaps by label) and the release Lease of dagship's KubeCluster, in memory. */
export function fakeReleaseStore() {
  const maps = new Map<string, k8s.V1ConfigMap>();
  let lease: k8s.V1Lease | undefined;
  let version = 0;
  const methods: Pick<KubeCluster, 'listConfigMaps' | 'createConfigMap' | 'patchConfigMap' | 'deleteConfigMap' | 'readLease' | 'writeLease'> = {
    listConfigMaps: async (_ns, selector) =>
      [...maps.values()].filter((m) => selector.split(',').every((kv) => m.metadata!.labels?.[kv.split('=')[0]!] === kv.split('=')[1])).map((m) => structuredClone(m)),
    async createConfigMap(_ns, body) {
      if (maps.has(body.metadata!.name!)) throw conflict();
      maps.set(body.metadata!.name!, structuredClone(body));
      return body;
    },
    async patchConfigMap(_ns, name, patch) {
      const merged = merge(maps.get(name), patch) as k8s.V1ConfigMap;
      maps.set(name, merged);
      return merged;
    },
    deleteConfigMap: async (_ns, name) => void maps.delete(name),
    readLease: async () => (lease ? structuredClone(lease) : undefined),
    async writeLease(_ns, body) {
      if (lease?.metadata?.resourceVersion !== body.metadata?.resourceVersion) throw conflict();
      lease = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(++version) } };
      return structuredClone(lease);
    },
  };
  return { methods, maps, lease: () => lease };
}
