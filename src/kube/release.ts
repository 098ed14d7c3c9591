import type * as k8s from '@kubernetes/client-node';
import { DagshipError } from '../errors.js';
import { COMPONENTS, type KubeCluster, type Workload } from './cluster.js';
import { planConfigMap } from './config-plan.js';
import { airflowRepositories, ANNOTATIONS, planWorkload, type DeployMeta } from './plan.js';

/** What a release is made of on the cluster, read once before planning. */
export interface ReleaseState {
  namespace: string;
  release: string;
  workloads: Workload[];
  configMap?: k8s.V1ConfigMap;
  repos: Set<string>;
}

/** One object dagship will change; `target` is the image it moves to. */
export interface PlannedChange {
  kind: Workload['kind'] | 'ConfigMap';
  name: string;
  target: string;
  lines: string[];
}

export const configMapName = (release: string) => `${release}-config`;

export async function readRelease(cluster: KubeCluster, namespace: string, release: string): Promise<ReleaseState> {
  const workloads = await cluster.listWorkloads(namespace, release);
  if (workloads.length === 0) await explainEmpty(cluster, namespace, release);
  const configMap = await cluster.readConfigMap(namespace, configMapName(release));
  return { namespace, release, workloads, configMap, repos: airflowRepositories(workloads) };
}

async function explainEmpty(cluster: KubeCluster, namespace: string, release: string): Promise<never> {
  if ((await cluster.namespaceExists(namespace)) === false) {
    throw new DagshipError(`namespace '${namespace}' not found`, 'check --namespace (kubectl get namespaces) and --context', 'config');
  }
  throw new DagshipError(
    `no Airflow workloads of Helm release '${release}' in namespace '${namespace}' (Deployments/StatefulSets labelled release=${release}, tier=airflow, component in ${COMPONENTS.join('|')})`,
    `check --release: it is the Helm release name (helm list -n ${namespace}), and --namespace`,
    'config',
  );
}

/** The target image per object: one image for deploy, each object's previous image for rollback. */
export type TargetOf = (annotations: Record<string, string> | undefined) => string | undefined;

export function planRelease(state: ReleaseState, targetOf: TargetOf, meta: DeployMeta): PlannedChange[] {
  const changes: PlannedChange[] = [];
  for (const w of state.workloads) {
    const target = targetOf(w.object.metadata?.annotations);
    const p = target ? planWorkload(w, state.repos, target, meta) : undefined;
    if (p && target) changes.push({ kind: w.kind, name: w.name, target, lines: p.lines });
  }
  const cm = state.configMap;
  const target = cm ? targetOf(cm.metadata?.annotations) : undefined;
  const p = cm && target ? planConfigMap(cm, state.repos, target, meta) : undefined;
  if (p && target) changes.push({ kind: 'ConfigMap', name: cm!.metadata!.name!, target, lines: p.lines });
  return changes;
}

export const previousImageOf: TargetOf = (annotations) => annotations?.[ANNOTATIONS.previousImage] || undefined;
