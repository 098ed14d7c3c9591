import { DagshipError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { KubeCluster, Workload, WorkloadRef } from './cluster.js';
import { planConfigMap } from './config-plan.js';
import { statusCode } from './errors.js';
import { planWorkload, type DeployMeta } from './plan.js';
import type { PlannedChange, ReleaseState } from './release.js';
import { label } from './watch.js';

/** A busy controller writing the same object can win several rounds on a loaded API server. */
const ATTEMPTS = 16;

/**
 * Patches with the resourceVersion last read, so a concurrent writer makes the API answer 409;
 * then reads again and plans again on the new state instead of overwriting the other change.
 */
export async function withConflictRetry<T>(what: string, log: Logger, attempt: (first: boolean) => Promise<T>): Promise<T> {
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

/** Patches one planned object; false when a fresh read shows nothing left to change. */
export async function applyChange(cluster: KubeCluster, state: ReleaseState, change: PlannedChange, meta: DeployMeta, log: Logger): Promise<boolean> {
  const what = label(change);
  const { namespace } = state;
  if (change.kind === 'ConfigMap') {
    return withConflictRetry(what, log, async (first) => {
      const before = first ? state.configMap : await cluster.readConfigMap(namespace, change.name);
      const p = before && planConfigMap(before, state.repos, change.target, meta);
      if (!p) return false;
      await cluster.patchConfigMap(namespace, change.name, p.patch);
      return true;
    });
  }
  const ref: WorkloadRef = { kind: change.kind, name: change.name, namespace };
  return withConflictRetry(what, log, async (first) => {
    const before = first ? state.workloads.find((w) => w.kind === ref.kind && w.name === ref.name)! : await cluster.readWorkload(ref);
    const p = planWorkload(before, state.repos, change.target, meta);
    if (!p) return false;
    await cluster.patchWorkload(ref, p.patch);
    return true;
  });
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
