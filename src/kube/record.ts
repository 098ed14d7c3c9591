import type * as k8s from '@kubernetes/client-node';
import { DagshipError } from '../errors.js';
import type { KubeCluster, Workload, WorkloadKind } from './cluster.js';
import { CONFIG_KEYS } from './config-plan.js';
import { ANNOTATIONS } from './plan.js';
import type { ReleaseState } from './release.js';

/**
 * The release record: one ConfigMap per release and dagship revision, written before the first patch and
 * updated as the deploy ends. It holds the release's whole starting state, so that a failed, interrupted
 * or regretted deploy returns every object to one consistent earlier state, whatever responses were seen.
 */
export const RECORD_SCHEMA = 'dagship.io/release-record/v1';
const RECORD_KEY = 'record.json';
const LABELS = { managedBy: 'app.kubernetes.io/managed-by', release: 'dagship.io/release', revision: 'dagship.io/revision' } as const;
/** Older records are deleted beyond this many; each is a few kB. */
export const RECORDS_KEPT = 10;

export type RecordStatus =
  | 'deploying' // patches under way: a record left in this state means the deploy was killed
  | 'deployed'
  | 'failed' // the deploy failed or was stopped, and every object is back on `before`: it never took effect
  | 'rolled-back' // `dagship rollback` returned the release to `before`
  | 'rollback-pending' // `before` was written back, its rollouts were not watched (a signal): the next deploy or rollback finishes
  | 'rollback-failed'; // not every object could be put back: the next deploy or rollback tries again

/** One object's state as dagship changes it: the Airflow containers' images and env, and our annotations. */
export interface ObjectState {
  kind: WorkloadKind | 'ConfigMap';
  name: string;
  annotations: Record<string, string | null>;
  /** Workloads: every container and init container, as name, image and env. */
  containers?: k8s.V1Container[];
  initContainers?: k8s.V1Container[];
  selector?: Record<string, string>;
  podManagementPolicy?: string;
  /** The ConfigMap: the keys dagship changes (airflow.cfg, pod_template_file.yaml). */
  data?: Record<string, string>;
}

export interface ReleaseRecord {
  schema: typeof RECORD_SCHEMA;
  release: string;
  namespace: string;
  revision: number;
  operation: 'deploy';
  image: string;
  strategy: 'patch' | 'helm';
  /** --strategy helm: Helm's revision before this deploy, what a rollback returns to. */
  helmRevision?: number;
  status: RecordStatus;
  /** While putting back is unfinished: what the record becomes once every object is back. */
  undo?: 'failed' | 'rolled-back';
  startedAt: string;
  updatedAt: string;
  holder: string;
  verification?: string;
  /** What happened, in words: the last failure, a rollback. */
  notes: string[];
  before: ObjectState[];
  /** Room for what later work records with a release (a database revision, a DAG bundle digest). */
  extensions: Record<string, unknown>;
}

export const recordName = (release: string, revision: number) => `${release}-dagship-r${revision}`;

const pick = (c: k8s.V1Container): k8s.V1Container => ({ name: c.name, image: c.image, ...(c.env ? { env: c.env } : {}) });

function ours(metadata: k8s.V1ObjectMeta | undefined): Record<string, string | null> {
  return Object.fromEntries(Object.values(ANNOTATIONS).map((key) => [key, metadata?.annotations?.[key] ?? null]));
}

export function snapshotWorkload(w: Workload): ObjectState {
  const spec = w.object.spec?.template.spec;
  return {
    kind: w.kind,
    name: w.name,
    annotations: ours(w.object.metadata),
    containers: spec?.containers.map(pick) ?? [],
    ...(spec?.initContainers ? { initContainers: spec.initContainers.map(pick) } : {}),
    selector: w.object.spec?.selector.matchLabels ?? {},
    ...((w.object.spec as k8s.V1StatefulSetSpec | undefined)?.podManagementPolicy ? { podManagementPolicy: (w.object.spec as k8s.V1StatefulSetSpec).podManagementPolicy } : {}),
  };
}

export function snapshotConfigMap(cm: k8s.V1ConfigMap): ObjectState {
  const data = Object.fromEntries(Object.values(CONFIG_KEYS).flatMap((k) => (cm.data?.[k] !== undefined ? [[k, cm.data[k]]] : [])));
  return { kind: 'ConfigMap', name: cm.metadata!.name!, annotations: ours(cm.metadata), data };
}

export function snapshotRelease(state: ReleaseState): ObjectState[] {
  return [...state.workloads.map(snapshotWorkload), ...(state.configMap ? [snapshotConfigMap(state.configMap)] : [])];
}

/** A Workload carrying just what a snapshot holds: what the restore patches and the forced rollback read. */
export function workloadOf(state: ObjectState, namespace: string): Workload {
  const kind = state.kind as WorkloadKind;
  const object = {
    metadata: { name: state.name, annotations: Object.fromEntries(Object.entries(state.annotations).filter((e): e is [string, string] => e[1] !== null)) },
    spec: {
      selector: { matchLabels: state.selector ?? {} },
      ...(state.podManagementPolicy ? { podManagementPolicy: state.podManagementPolicy } : {}),
      template: { spec: { containers: state.containers ?? [], ...(state.initContainers ? { initContainers: state.initContainers } : {}) } },
    },
  } as Workload['object'];
  return { kind, name: state.name, namespace, object };
}

export function configMapOf(state: ObjectState): k8s.V1ConfigMap {
  const annotations = Object.fromEntries(Object.entries(state.annotations).filter((e): e is [string, string] => e[1] !== null));
  return { metadata: { name: state.name, annotations }, data: state.data ?? {} };
}

/** Whether the server's object holds what the snapshot holds (images, env, the ConfigMap keys). */
export function matches(state: ObjectState, now: ObjectState): boolean {
  const same = (a: k8s.V1Container[] = [], b: k8s.V1Container[] = []) =>
    a.every((c) => {
      const other = b.find((x) => x.name === c.name);
      return !other || (other.image === c.image && JSON.stringify(other.env ?? []) === JSON.stringify(c.env ?? []));
    });
  if (state.kind === 'ConfigMap') return Object.entries(state.data ?? {}).every(([k, v]) => now.data?.[k] === v);
  return same(state.containers, now.containers) && same(state.initContainers, now.initContainers);
}

/** The images a snapshot runs, main containers first: what a rollback's release gate verifies. */
export function imagesOf(states: ObjectState[]): string[] {
  const images = new Set<string>();
  for (const s of states) {
    const component = s.selector?.component;
    const main = s.containers?.find((c) => c.name === component) ?? s.containers?.[0];
    if (main?.image) images.add(main.image);
  }
  return [...images];
}

function parse(cm: k8s.V1ConfigMap): ReleaseRecord {
  const text = cm.data?.[RECORD_KEY];
  const record = text ? (JSON.parse(text) as ReleaseRecord) : undefined;
  if (record?.schema !== RECORD_SCHEMA) {
    throw new DagshipError(
      `release record ${cm.metadata?.name} has schema ${record?.schema ?? 'none'}, not ${RECORD_SCHEMA}`,
      'it was written by another dagship version: use that version, or delete the record ConfigMap if the release is known to be consistent',
      'config',
    );
  }
  return record;
}

/** The release's records, newest first. */
export async function listRecords(cluster: KubeCluster, namespace: string, release: string): Promise<ReleaseRecord[]> {
  const maps = await cluster.listConfigMaps(namespace, `${LABELS.managedBy}=dagship,${LABELS.release}=${release}`);
  return maps.map(parse).sort((a, b) => b.revision - a.revision);
}

function body(record: ReleaseRecord): k8s.V1ConfigMap {
  return {
    metadata: {
      name: recordName(record.release, record.revision),
      labels: { [LABELS.managedBy]: 'dagship', [LABELS.release]: record.release, [LABELS.revision]: String(record.revision) },
    },
    data: { [RECORD_KEY]: JSON.stringify(record, null, 1) },
  };
}

/** Writes a new record; a 409 means another writer took the revision number (the lock was lost). */
export async function createRecord(cluster: KubeCluster, record: ReleaseRecord): Promise<void> {
  await cluster.createConfigMap(record.namespace, body(record));
}

export async function updateRecord(cluster: KubeCluster, record: ReleaseRecord, change: Partial<Pick<ReleaseRecord, 'status' | 'undo' | 'notes' | 'extensions'>>): Promise<ReleaseRecord> {
  Object.assign(record, change, { updatedAt: new Date().toISOString() });
  await cluster.patchConfigMap(record.namespace, recordName(record.release, record.revision), { data: body(record).data });
  return record;
}

/** Deletes records beyond the newest RECORDS_KEPT; a failure only leaves an old record behind. */
export async function pruneRecords(cluster: KubeCluster, records: ReleaseRecord[]): Promise<void> {
  for (const old of records.slice(RECORDS_KEPT)) await cluster.deleteConfigMap(old.namespace, recordName(old.release, old.revision)).catch(() => undefined);
}
