import type * as k8s from '@kubernetes/client-node';
import { DagshipError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { KubeCluster, Workload, WorkloadRef } from './cluster.js';
import { planConfigMap, restoreConfigMap } from './config-plan.js';
import { statusCode } from './errors.js';
import { planWorkload, restoreWorkload, type DeployMeta } from './plan.js';
import type { PlannedChange, ReleaseState } from './release.js';
import { label } from './watch.js';

/** An object dagship patched, with the state it had just before: what a rollback puts back. */
export type Applied =
  | { kind: 'Workload'; ref: WorkloadRef; before: Workload }
  | { kind: 'ConfigMap'; namespace: string; name: string; before: k8s.V1ConfigMap };

const ATTEMPTS = 8;

/**
 * Patches with the resourceVersion last read, so a concurrent writer makes the API answer 409;
 * then reads again and plans again on the new state instead of overwriting the other change.
 */
async function withConflictRetry<T>(what: string, log: Logger, attempt: (first: boolean) => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt(i === 0);
    } catch (err) {
      if (statusCode(err) !== 409 || i + 1 >= ATTEMPTS) throw conflictError(err, what);
      log.info(`  ${what} changed meanwhile (409 Conflict): reading it again`);
      // A short jittered pause, like client-go's RetryOnConflict, so we do not race a busy writer in lockstep.
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20 * (i + 1)));
    }
  }
}

function conflictError(err: unknown, what: string): unknown {
  if (statusCode(err) !== 409) return err;
  return new DagshipError(`${what} kept changing while dagship patched it (${ATTEMPTS} conflicts)`, 'another controller or person is writing it: stop them and deploy again', 'infra', { cause: err });
}

export async function applyChange(cluster: KubeCluster, state: ReleaseState, change: PlannedChange, meta: DeployMeta, log: Logger): Promise<Applied | undefined> {
  const what = label(change);
  const { namespace } = state;
  if (change.kind === 'ConfigMap') {
    return withConflictRetry(what, log, async (first) => {
      const before = first ? state.configMap : await cluster.readConfigMap(namespace, change.name);
      const p = before && planConfigMap(before, state.repos, change.target, meta);
      if (!p) return undefined;
      await cluster.patchConfigMap(namespace, change.name, p.patch);
      return { kind: 'ConfigMap', namespace, name: change.name, before } as const;
    });
  }
  const ref: WorkloadRef = { kind: change.kind, name: change.name, namespace };
  return withConflictRetry(what, log, async (first) => {
    const before = first ? state.workloads.find((w) => w.kind === ref.kind && w.name === ref.name)! : await cluster.readWorkload(ref);
    const p = planWorkload(before, state.repos, change.target, meta);
    if (!p) return undefined;
    await cluster.patchWorkload(ref, p.patch);
    return { kind: 'Workload', ref, before } as const;
  });
}

/** Puts one patched object back to its state before the deploy (re-reading on conflicts). */
export async function restore(cluster: KubeCluster, applied: Applied, log: Logger): Promise<void> {
  if (applied.kind === 'ConfigMap') {
    const what = `configmap/${applied.name}`;
    await withConflictRetry(what, log, async () => {
      const fresh = await cluster.readConfigMap(applied.namespace, applied.name);
      if (fresh) await cluster.patchConfigMap(applied.namespace, applied.name, restoreConfigMap(fresh, applied.before));
    });
    return;
  }
  const failedRevision = await withConflictRetry(label(applied.ref), log, async () => {
    const fresh = await cluster.readWorkload(applied.ref);
    await cluster.patchWorkload(applied.ref, restoreWorkload(fresh, applied.before));
    return (fresh.object as k8s.V1StatefulSet).status?.updateRevision;
  });
  // Parallel StatefulSets replace broken pods themselves; OrderedReady ones (the default) wait forever.
  const ordered = (applied.before.object as k8s.V1StatefulSet).spec?.podManagementPolicy !== 'Parallel';
  if (applied.ref.kind === 'StatefulSet' && ordered && failedRevision) await forceStatefulSetRollback(cluster, applied.before, failedRevision, log);
}

/**
 * A StatefulSet (OrderedReady) waits forever for a broken pod to become Ready, even after its template
 * is reverted; Kubernetes documents deleting those pods as the way out ("forced rollback").
 */
export async function forceStatefulSetRollback(cluster: KubeCluster, statefulSet: Workload, revision: string, log: Logger): Promise<void> {
  const selector = { ...(statefulSet.object.spec?.selector.matchLabels ?? {}), 'controller-revision-hash': revision };
  const deleted = await cluster.deleteUnreadyPods(statefulSet.namespace, selector);
  if (deleted.length > 0) log.info(`  ${label(statefulSet)}: deleted pods stuck on the failed revision: ${deleted.join(', ')}`);
}
