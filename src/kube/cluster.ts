import * as k8s from '@kubernetes/client-node';
import { DagshipError } from '../errors.js';
import { kubeError } from './errors.js';
import { REQUEST_TIMEOUT_MS, type RequestDeadline } from './deadline.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet';
export type WorkloadObject = k8s.V1Deployment | k8s.V1StatefulSet;

/** A Deployment or StatefulSet of the release, as last read from the API. */
export interface Workload {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  object: WorkloadObject;
}

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
  namespace: string;
}

/** Why a pod of a workload is not Ready, for the failure report: `pod/x container y: ErrImagePull (…)`. */
export type PodProblem = string;

/**
 * What `dagship audit --release` reads, all with get/list in the release's namespace (deploy/audit-rbac.yaml).
 * Never Secrets: whether a credential is literal or a secretKeyRef shows in the pod specs.
 */
export interface ReleaseObjects {
  /** Every Deployment/StatefulSet labelled release=<release> (statsd, redis, pgbouncer too) and the chart's PostgreSQL. */
  workloads: Workload[];
  configMaps: k8s.V1ConfigMap[];
  ingresses: k8s.V1Ingress[];
  networkPolicies: k8s.V1NetworkPolicy[];
  /** All claims of the namespace: a values-given existingClaim carries no release label. */
  claims: k8s.V1PersistentVolumeClaim[];
  /** The Airflow components' pods: what runs now, pods of an unfinished rollout included. */
  pods: k8s.V1Pod[];
}

/** The Kubernetes API as deploy and rollback need it; a fake of this drives the unit tests. */
export interface KubeCluster {
  listWorkloads(namespace: string, release: string): Promise<Workload[]>;
  readWorkload(ref: WorkloadRef): Promise<Workload>;
  /** A JSON merge patch; a `metadata.resourceVersion` in it makes the API answer 409 when the object changed. */
  patchWorkload(ref: WorkloadRef, patch: object): Promise<Workload>;
  readConfigMap(namespace: string, name: string): Promise<k8s.V1ConfigMap | undefined>;
  patchConfigMap(namespace: string, name: string, patch: object): Promise<k8s.V1ConfigMap>;
  /** undefined when the caller may not read namespaces (a namespaced Role cannot grant that). */
  namespaceExists(namespace: string): Promise<boolean | undefined>;
  podProblems(namespace: string, selector: Record<string, string>): Promise<PodProblem[]>;
  /** Deletes the pods matching `selector` that are not Ready; returns their names. */
  deleteUnreadyPods(namespace: string, selector: Record<string, string>): Promise<string[]>;
  /**
   * Calls `onChange` with the workload whenever the API reports a change (a watch); resolves to a stop
   * function. Optional: without it, or when the watch cannot start, rollouts are polled.
   */
  watchWorkload?(ref: WorkloadRef, onChange: (w: Workload) => void): Promise<() => void>;
  /** Read-only: the objects of a release the audit maps to findings. */
  readReleaseObjects(namespace: string, release: string): Promise<ReleaseObjects>;
  /** The ConfigMaps matching `labelSelector` (dagship's release records). */
  listConfigMaps(namespace: string, labelSelector: string): Promise<k8s.V1ConfigMap[]>;
  createConfigMap(namespace: string, body: k8s.V1ConfigMap): Promise<k8s.V1ConfigMap>;
  deleteConfigMap(namespace: string, name: string): Promise<void>;
  readLease(namespace: string, name: string): Promise<k8s.V1Lease | undefined>;
  /** Creates the Lease (no resourceVersion) or replaces it (409 when it changed since it was read). */
  writeLease(namespace: string, lease: k8s.V1Lease): Promise<k8s.V1Lease>;
}

/** A request to a server that accepts connections and never answers must still end. */
const fixedDeadline: RequestDeadline = { requestTimeoutMs: () => REQUEST_TIMEOUT_MS };

/** The chart's components that run the Airflow image (AIRFLOW-FACTS: Official Helm chart). */
export const COMPONENTS = ['scheduler', 'webserver', 'api-server', 'dag-processor', 'triggerer', 'worker'] as const;

export function releaseSelector(release: string): string {
  return `release=${release},tier=airflow,component in (${COMPONENTS.join(',')})`;
}

/** Loads kubeconfig the standard way (KUBECONFIG, ~/.kube/config, in-cluster), optionally switching context. */
export function loadKubeConfig(context?: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (err) {
    throw unreadableKubeConfig(err);
  }
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      const known =
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'none';
      throw new DagshipError(`kubeconfig has no context '${context}'`, `pick one of: ${known}`, 'usage');
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) {
    throw new DagshipError('no Kubernetes cluster configured', 'set KUBECONFIG, create ~/.kube/config, or run inside a pod with a ServiceAccount', 'config');
  }
  return kc;
}

/**
 * Why the kubeconfig could not be read, in words; never the parser's message, which quotes lines of
 * the file (tokens, client keys).
 */
function unreadableKubeConfig(err: unknown): DagshipError {
  const { code, path: file, mark, name } = (err ?? {}) as { code?: string; path?: string; mark?: { line?: number }; name?: string };
  const where = file ?? process.env.KUBECONFIG ?? '~/.kube/config';
  const hint = 'set KUBECONFIG to a kubeconfig file (kubectl config view --minify --raw writes one)';
  if (code === 'ENOENT') return new DagshipError(`kubeconfig ${where} does not exist`, hint, 'config');
  if (code === 'EISDIR') return new DagshipError(`kubeconfig ${where} is a folder, not a file`, hint, 'config');
  if (code) return new DagshipError(`kubeconfig ${where} cannot be read (${code})`, hint, 'config');
  const line = mark?.line === undefined ? '' : ` (line ${mark.line + 1})`;
  // The client's own checks name a missing field ("clusters[0].name is missing"), never a value.
  const what = name === 'YAMLException' ? `is not valid YAML${line}` : `is not a valid kubeconfig: ${(err as Error)?.message?.split('\n')[0] ?? err}`;
  return new DagshipError(`kubeconfig ${where} ${what}`, hint, 'config', { cause: err });
}

const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const FIELD_MANAGER = 'dagship';

/** API clients whose every request carries a deadline (the generated clients take a signal per request). */
function makeClient<T>(kc: k8s.KubeConfig, type: new (config: k8s.Configuration) => T, deadline: RequestDeadline): T {
  const server = kc.getCurrentCluster()!.server;
  return new type(
    k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [
        {
          pre: async (context) => {
            context.setSignal(AbortSignal.timeout(Math.max(1, deadline.requestTimeoutMs())));
            return context;
          },
          post: async (response) => response,
        },
      ],
    }),
  );
}

export function connectKube(kc: k8s.KubeConfig, deadline: RequestDeadline = fixedDeadline): KubeCluster {
  const apps = makeClient(kc, k8s.AppsV1Api, deadline);
  const core = makeClient(kc, k8s.CoreV1Api, deadline);
  const coordination = makeClient(kc, k8s.CoordinationV1Api, deadline);
  const wrap = <T>(verb: string, resource: string, namespace: string, call: () => Promise<T>) =>
    call().catch((err: unknown) => {
      throw kubeError(err, verb, resource, namespace);
    });
  // A read of an object that may not exist yet: gone is undefined, any other failure a worded error.
  const orMissing = <T>(resource: string, namespace: string, call: () => Promise<T>) =>
    call().catch((err: unknown) => {
      if ((err as { code?: number }).code === 404) return undefined;
      throw kubeError(err, 'get', resource, namespace);
    });

  const read = async (ref: WorkloadRef): Promise<Workload> => {
    const { name, namespace } = ref;
    const object =
      ref.kind === 'Deployment'
        ? await wrap('get', 'deployments', namespace, () => apps.readNamespacedDeployment({ name, namespace }))
        : await wrap('get', 'statefulsets', namespace, () => apps.readNamespacedStatefulSet({ name, namespace }));
    return { ...ref, object };
  };

  return {
    async listWorkloads(namespace, release) {
      const labelSelector = releaseSelector(release);
      const [deployments, statefulSets] = await Promise.all([
        wrap('list', 'deployments', namespace, () => apps.listNamespacedDeployment({ namespace, labelSelector })),
        wrap('list', 'statefulsets', namespace, () => apps.listNamespacedStatefulSet({ namespace, labelSelector })),
      ]);
      const of =
        (kind: WorkloadKind) =>
        (object: WorkloadObject): Workload => ({ kind, name: object.metadata!.name!, namespace, object });
      return [...deployments.items.map(of('Deployment')), ...statefulSets.items.map(of('StatefulSet'))];
    },
    readWorkload: read,
    async watchWorkload(ref, onChange) {
      const plural = ref.kind === 'Deployment' ? 'deployments' : 'statefulsets';
      // Without a resourceVersion the watch starts with the object's current state, then each change.
      // Starting it waits for the response headers: bounded, since the polling beside it covers a watch that never starts.
      const starting = new k8s.Watch(kc).watch(
        `/apis/apps/v1/namespaces/${ref.namespace}/${plural}`,
        { fieldSelector: `metadata.name=${ref.name}` },
        (type: string, object: WorkloadObject) => {
          if (type === 'ADDED' || type === 'MODIFIED') onChange({ ...ref, object });
        },
        () => undefined, // an ended watch is covered by the slower polling beside it
      );
      const watch = await withTimeout(starting, deadline.requestTimeoutMs(), `watch ${plural} in namespace '${ref.namespace}'`);
      return () => watch.abort();
    },
    async patchWorkload(ref, body) {
      const { name, namespace } = ref;
      const object =
        ref.kind === 'Deployment'
          ? await wrap('patch', 'deployments', namespace, () => apps.patchNamespacedDeployment({ name, namespace, body, fieldManager: FIELD_MANAGER }, MERGE))
          : await wrap('patch', 'statefulsets', namespace, () => apps.patchNamespacedStatefulSet({ name, namespace, body, fieldManager: FIELD_MANAGER }, MERGE));
      return { ...ref, object };
    },
    readConfigMap: (namespace, name) => orMissing('configmaps', namespace, () => core.readNamespacedConfigMap({ name, namespace })),
    patchConfigMap: (namespace, name, body) => wrap('patch', 'configmaps', namespace, () => core.patchNamespacedConfigMap({ name, namespace, body, fieldManager: FIELD_MANAGER }, MERGE)),
    async namespaceExists(namespace) {
      try {
        await core.readNamespace({ name: namespace });
        return true;
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 404) return false;
        if (code === 403) return undefined;
        throw kubeError(err, 'get', 'namespaces', namespace);
      }
    },
    async deleteUnreadyPods(namespace, selector) {
      const pods = await wrap('list', 'pods', namespace, () => core.listNamespacedPod({ namespace, labelSelector: labelsOf(selector) }));
      const unready = pods.items.filter((p) => !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((p) => p.metadata!.name!);
      const deleted: string[] = [];
      for (const name of unready) {
        // The controller may have replaced the pod meanwhile: already gone is fine.
        const gone = await core.deleteNamespacedPod({ name, namespace }).then(
          () => true,
          (err: unknown) => {
            if ((err as { code?: number }).code === 404) return false;
            throw kubeError(err, 'delete', 'pods', namespace);
          },
        );
        if (gone) deleted.push(name);
      }
      return deleted;
    },
    async readReleaseObjects(namespace, release) {
      const net = makeClient(kc, k8s.NetworkingV1Api, deadline);
      const labelSelector = `release=${release}`;
      // The chart's PostgreSQL is a Bitnami subchart: it carries the app.kubernetes.io labels, not release=.
      const postgres = `app.kubernetes.io/instance=${release},app.kubernetes.io/name=postgresql`;
      const [deployments, statefulSets, databases, configMaps, ingresses, policies, claims, pods] = await Promise.all([
        wrap('list', 'deployments', namespace, () => apps.listNamespacedDeployment({ namespace, labelSelector })),
        wrap('list', 'statefulsets', namespace, () => apps.listNamespacedStatefulSet({ namespace, labelSelector })),
        wrap('list', 'statefulsets', namespace, () => apps.listNamespacedStatefulSet({ namespace, labelSelector: postgres })),
        wrap('list', 'configmaps', namespace, () => core.listNamespacedConfigMap({ namespace, labelSelector })),
        wrap('list', 'ingresses', namespace, () => net.listNamespacedIngress({ namespace, labelSelector })),
        wrap('list', 'networkpolicies', namespace, () => net.listNamespacedNetworkPolicy({ namespace, labelSelector })),
        wrap('list', 'persistentvolumeclaims', namespace, () => core.listNamespacedPersistentVolumeClaim({ namespace })),
        wrap('list', 'pods', namespace, () => core.listNamespacedPod({ namespace, labelSelector: releaseSelector(release) })),
      ]);
      const of =
        (kind: WorkloadKind) =>
        (object: WorkloadObject): Workload => ({ kind, name: object.metadata!.name!, namespace, object });
      const sets = new Map([...statefulSets.items, ...databases.items].map((s) => [s.metadata!.name!, s]));
      return {
        workloads: [...deployments.items.map(of('Deployment')), ...[...sets.values()].map(of('StatefulSet'))],
        configMaps: configMaps.items,
        ingresses: ingresses.items,
        networkPolicies: policies.items,
        claims: claims.items,
        pods: pods.items,
      };
    },
    listConfigMaps: async (namespace, labelSelector) => (await wrap('list', 'configmaps', namespace, () => core.listNamespacedConfigMap({ namespace, labelSelector }))).items,
    createConfigMap: (namespace, body) => wrap('create', 'configmaps', namespace, () => core.createNamespacedConfigMap({ namespace, body, fieldManager: FIELD_MANAGER })),
    async deleteConfigMap(namespace, name) {
      await core.deleteNamespacedConfigMap({ name, namespace }).catch((err: unknown) => {
        if ((err as { code?: number }).code !== 404) throw kubeError(err, 'delete', 'configmaps', namespace);
      });
    },
    readLease: (namespace, name) => orMissing('leases', namespace, () => coordination.readNamespacedLease({ name, namespace })),
    writeLease: (namespace, body) =>
      body.metadata?.resourceVersion
        ? wrap('update', 'leases', namespace, () => coordination.replaceNamespacedLease({ name: body.metadata!.name!, namespace, body, fieldManager: FIELD_MANAGER }))
        : wrap('create', 'leases', namespace, () => coordination.createNamespacedLease({ namespace, body, fieldManager: FIELD_MANAGER })),
    async podProblems(namespace, selector) {
      const labelSelector = labelsOf(selector);
      const pods = await wrap('list', 'pods', namespace, () => core.listNamespacedPod({ namespace, labelSelector }));
      const names = new Set(pods.items.map((p) => p.metadata?.name));
      const events = await wrap('list', 'events', namespace, () => core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.kind=Pod,type=Warning' }));
      const warnings = events.items
        .filter((e) => names.has(e.involvedObject.name))
        .slice(-5)
        .map(eventLine);
      return [...pods.items.flatMap(podProblemsOf), ...warnings];
    },
  };
}

/** Rejects after `ms` (the pending call is left to end on its own; the CLI's exit does not wait for it). */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DagshipError(`Kubernetes API did not answer to ${what} within ${Math.round(ms / 1000)}s`, 'is the cluster reachable? check the kubeconfig server and context', 'infra')),
      ms,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const labelsOf = (selector: Record<string, string>) =>
  Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** Waiting/terminated reasons of containers that are not ready, the way `kubectl describe pod` shows them. */
export function podProblemsOf(pod: k8s.V1Pod): PodProblem[] {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses.flatMap((s) => {
    if (s.ready) return [];
    const waiting = s.state?.waiting;
    const terminated = s.state?.terminated ?? s.lastState?.terminated;
    const why = waiting?.reason ? `${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}` : terminated ? `terminated: ${terminated.reason ?? 'exit'} ${terminated.exitCode}` : undefined;
    return why ? [`pod/${pod.metadata?.name} container ${s.name} (${s.image}): ${why}`] : [];
  });
}

function eventLine(e: k8s.CoreV1Event): PodProblem {
  return `pod/${e.involvedObject.name} event ${e.reason ?? ''}: ${e.message ?? ''}${(e.count ?? 1) > 1 ? ` (${e.count}×)` : ''}`;
}
