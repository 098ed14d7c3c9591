import type * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import { COMPONENTS, type ReleaseObjects, type Workload } from '../kube/cluster.js';
import { parseAirflowCfg, type CfgOption } from './airflow-cfg.js';

/** A release as read from the cluster, with the pieces the live audit looks at picked out once. */
export interface LiveRelease {
  namespace: string;
  release: string;
  objects: ReleaseObjects;
  /** The chart's Airflow components (scheduler, api-server, …) by component label. */
  components: Map<string, Workload>;
  /** `configmap/<release>-config`, when the release has one. */
  configMap?: k8s.V1ConfigMap;
  cfg: CfgOption[];
  /** The KubernetesExecutor pod template (`pod_template_file.yaml` of the ConfigMap), when there is one. */
  podTemplate?: k8s.V1Pod;
}

export function liveRelease(namespace: string, release: string, objects: ReleaseObjects): LiveRelease {
  const components = new Map<string, Workload>();
  for (const w of objects.workloads) {
    const c = componentOf(w);
    if (c && (COMPONENTS as readonly string[]).includes(c) && w.object.metadata?.labels?.release === release) components.set(c, w);
  }
  // `<release>-config` by default; useStandardNaming or fullnameOverride rename it, airflow.cfg stays inside.
  const configMap = objects.configMaps.find((c) => c.metadata?.name === `${release}-config`) ?? objects.configMaps.find((c) => c.data?.['airflow.cfg'] !== undefined);
  return { namespace, release, objects, components, configMap, cfg: parseAirflowCfg(configMap?.data?.['airflow.cfg'] ?? ''), podTemplate: podTemplateOf(configMap) };
}

function podTemplateOf(configMap: k8s.V1ConfigMap | undefined): k8s.V1Pod | undefined {
  const text = configMap?.data?.['pod_template_file.yaml'];
  if (!text) return undefined;
  try {
    const pod = parse(text) as k8s.V1Pod | null;
    return pod?.spec ? pod : undefined;
  } catch {
    // A template Airflow cannot read either; the scheduler's own errors say so.
    return undefined;
  }
}

export const componentOf = (w: Workload): string | undefined => w.object.metadata?.labels?.component ?? w.object.spec?.template.metadata?.labels?.component;

/** How findings name an object: `deployment/airflow-scheduler`, as kubectl does. */
export const objectName = (w: Workload): string => `${w.kind.toLowerCase()}/${w.name}`;

export const configMapFile = (live: LiveRelease, key: string): string => `configmap/${live.configMap?.metadata?.name ?? `${live.release}-config`}/${key}`;

/** The container that runs the component: named like it (`scheduler`, `api-server`, `worker`), else the first. */
export function mainContainer(w: Workload | undefined): k8s.V1Container | undefined {
  const containers = w?.object.spec?.template.spec?.containers ?? [];
  return containers.find((c) => c.name === componentOf(w!)) ?? containers[0];
}

export const templateContainer = (pod: k8s.V1Pod | undefined): k8s.V1Container | undefined => pod?.spec?.containers.find((c) => c.name === 'base') ?? pod?.spec?.containers[0];

/** The 1-based line of the first line of `text` containing `needle`, if any: findings in a ConfigMap key point there. */
export function lineOf(text: string | undefined, needle: string): number | undefined {
  const index = text?.split('\n').findIndex((l) => l.includes(needle)) ?? -1;
  return index >= 0 ? index + 1 : undefined;
}

/** A literal (not valueFrom) environment variable of a container. */
export function literalEnv(container: k8s.V1Container | undefined, name: string): string | undefined {
  const entry = container?.env?.find((e) => e.name === name);
  return entry && entry.value !== undefined && !entry.valueFrom ? entry.value : undefined;
}

/** The claim a pod mounts under a volume name (`dags`, `logs`), if that volume is a PersistentVolumeClaim. */
export function claimOf(w: Workload | undefined, volume: string): string | undefined {
  return w?.object.spec?.template.spec?.volumes?.find((v) => v.name === volume)?.persistentVolumeClaim?.claimName;
}
