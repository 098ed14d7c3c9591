import type * as k8s from '@kubernetes/client-node';
import type { Workload } from './cluster.js';

/** Where a rollout stands, judged the way `kubectl rollout status` judges it. */
export type RolloutState = { phase: 'progressing'; message: string } | { phase: 'done'; message: string } | { phase: 'failed'; message: string };

export function rolloutState(w: Workload): RolloutState {
  return w.kind === 'Deployment' ? deploymentState(w.object as k8s.V1Deployment) : statefulSetState(w.object as k8s.V1StatefulSet);
}

function deploymentState(d: k8s.V1Deployment): RolloutState {
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return { phase: 'progressing', message: 'waiting for the controller to observe the new spec' };
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { phase: 'failed', message: `progress deadline exceeded: ${progressing.message ?? ''}`.trim() };
  const want = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  if (updated < want) return { phase: 'progressing', message: `${updated} of ${want} updated replicas` };
  if ((s.replicas ?? 0) > updated) return { phase: 'progressing', message: `${(s.replicas ?? 0) - updated} old replicas pending termination` };
  if ((s.availableReplicas ?? 0) < updated) return { phase: 'progressing', message: `${s.availableReplicas ?? 0} of ${updated} updated replicas available` };
  return { phase: 'done', message: `${updated} of ${want} replicas updated and available` };
}

function statefulSetState(st: k8s.V1StatefulSet): RolloutState {
  const s = st.status;
  if (!s || (s.observedGeneration ?? 0) < (st.metadata?.generation ?? 0)) return { phase: 'progressing', message: 'waiting for the controller to observe the new spec' };
  const want = st.spec?.replicas ?? 1;
  if ((s.readyReplicas ?? 0) < want) return { phase: 'progressing', message: `${s.readyReplicas ?? 0} of ${want} pods ready` };
  const partition = st.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    const done = (s.updatedReplicas ?? 0) >= want - partition;
    return done ? { phase: 'done', message: `partitioned roll out complete` } : { phase: 'progressing', message: `${s.updatedReplicas ?? 0} of ${want - partition} pods updated` };
  }
  if (s.updateRevision !== s.currentRevision || (s.updatedReplicas ?? 0) < want) {
    return { phase: 'progressing', message: `${s.updatedReplicas ?? 0} of ${want} pods at revision ${s.updateRevision ?? '?'}` };
  }
  return { phase: 'done', message: `${want} pods at revision ${s.updateRevision ?? '?'}` };
}
