import type * as k8s from '@kubernetes/client-node';
import { reasonOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { forceStatefulSetRollback, withConflictRetry } from './apply.js';
import type { KubeCluster, WorkloadRef } from './cluster.js';
import { restoreConfigMap } from './config-plan.js';
import { restoreWorkload } from './plan.js';
import { configMapOf, matches, snapshotConfigMap, snapshotWorkload, workloadOf, type ObjectState } from './record.js';
import { label } from './watch.js';

/** What the server held for one object, and what dagship did about it. */
export interface ObjectReport {
  what: string;
  ref?: WorkloadRef;
  state: 'unchanged' | 'restored' | 'unknown';
  detail?: string;
}

/**
 * Puts every object of `before` back, judged by what the server holds now rather than by which patch
 * responses arrived: an object whose patch landed but whose answer was lost is restored too. All objects
 * at once, so a server that stops answering costs one request deadline, not one per object.
 */
export async function restoreRelease(cluster: KubeCluster, before: ObjectState[], namespace: string, log: Logger): Promise<ObjectReport[]> {
  return Promise.all(
    before.map((state) =>
      restoreObject(cluster, state, namespace, log).catch(
        (err: unknown): ObjectReport => ({
          what: label(state),
          ...(state.kind === 'ConfigMap' ? {} : { ref: { kind: state.kind, name: state.name, namespace } }),
          state: 'unknown',
          detail: reasonOf(err),
        }),
      ),
    ),
  );
}

async function restoreObject(cluster: KubeCluster, state: ObjectState, namespace: string, log: Logger): Promise<ObjectReport> {
  const what = label(state);
  if (state.kind === 'ConfigMap') {
    const restored = await withConflictRetry(what, log, async () => {
      const fresh = await cluster.readConfigMap(namespace, state.name);
      if (!fresh || matches(state, snapshotConfigMap(fresh))) return false;
      await cluster.patchConfigMap(namespace, state.name, restoreConfigMap(fresh, configMapOf(state)));
      return true;
    });
    return { what, state: restored ? 'restored' : 'unchanged' };
  }
  const ref: WorkloadRef = { kind: state.kind, name: state.name, namespace };
  const original = workloadOf(state, namespace);
  const moved = await withConflictRetry(what, log, async () => {
    const fresh = await cluster.readWorkload(ref);
    if (matches(state, snapshotWorkload(fresh))) return undefined;
    await cluster.patchWorkload(ref, restoreWorkload(fresh, original));
    return { revision: (fresh.object as k8s.V1StatefulSet).status?.updateRevision };
  });
  if (!moved) return { what, ref, state: 'unchanged' };
  log.info(`  ${what}: put back`);
  // Parallel StatefulSets replace broken pods themselves; OrderedReady ones (the default) wait forever.
  if (state.kind === 'StatefulSet' && state.podManagementPolicy !== 'Parallel' && moved.revision) {
    await forceStatefulSetRollback(cluster, original, moved.revision, log);
  }
  return { what, ref, state: 'restored' };
}

/** `deployment/x: restored`, one line per object, for the final message. */
export function describeReports(reports: ObjectReport[]): string[] {
  return reports.map((r) => `  ${r.what}: ${r.state === 'unknown' ? `UNKNOWN (${r.detail})` : r.state === 'restored' ? 'put back on its state before the deploy' : 'was not changed'}`);
}
