import type * as k8s from '@kubernetes/client-node';
import { DagshipError, reasonOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { forceStatefulSetRollback } from './apply.js';
import type { KubeCluster, Workload, WorkloadRef } from './cluster.js';
import { failureReport, finishUnfinished, newRecord, ROLLBACK_MIN_MS, rolloutFailed, withReleaseLock, type ChangeSummary, type ReleaseOutcome, type ReleaseRequest } from './deploy.js';
import type { Helm, HelmUpgrade } from './helm.js';
import { manifestChanges } from './helm-manifest.js';
import { requirePinned, workerSettings } from './images.js';
import { createRecord, updateRecord, type ReleaseRecord } from './record.js';
import { readRelease, type ReleaseState } from './release.js';
import { watchRollouts, type RolloutResult } from './watch.js';

export interface HelmRequest extends ReleaseRequest {
  /** What `helm upgrade` takes as CHART: a path, `repo/name`, an oci:// reference. */
  chart: string;
  chartVersion?: string;
}

/**
 * The official chart's values that move every Airflow container and the KubernetesExecutor worker image
 * (AIRFLOW-FACTS: Official Helm chart).
 */
export function imageValues(image: string): Record<string, string> {
  const pinned = requirePinned(image);
  const worker = workerSettings(image);
  return {
    'images.airflow.repository': pinned.name,
    // A digest wins over the tag in the chart's airflow_image: every workload container runs repo@digest.
    'images.airflow.digest': pinned.digest!,
    // The chart renders [kubernetes_executor] worker_container_tag from images.airflow.tag, so an old tag
    // left there would keep task pods on the old DAGs; `tag@sha256:…` pins them to this digest too.
    'images.airflow.tag': worker.tag,
    // The pod template renders repository:tag only; it counts when the worker settings are empty.
    'images.pod_template.repository': worker.repository,
    'images.pod_template.tag': worker.tag,
  };
}

/** `key: old → new` for each value that differs from what the release was given. */
export function valueChanges(current: Record<string, unknown>, next: Record<string, string>): string[] {
  return Object.entries(next).flatMap(([key, value]) => {
    const old = key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), current);
    return old === value ? [] : [`${key}: ${old === undefined || old === null ? '(unset)' : String(old)} → ${value}`];
  });
}

/**
 * `helm upgrade --reuse-values` with the new image values, then the same rollout watch as patch mode;
 * on failure `helm rollback` to the revision before, so Helm's record and the cluster stay one.
 */
export async function helmDeployRelease(cluster: KubeCluster, helm: Helm, image: string, request: HelmRequest, log: Logger): Promise<ReleaseOutcome> {
  if (request.dryRun) return helmDeploy(cluster, helm, image, request, log);
  return withReleaseLock(cluster, request, `deploy ${image} (helm)`, log, (holder) => helmDeploy(cluster, helm, image, request, log, holder));
}

async function helmDeploy(cluster: KubeCluster, helm: Helm, image: string, request: HelmRequest, log: Logger, holder?: string): Promise<ReleaseOutcome> {
  const { release, namespace } = request;
  const values = imageValues(image);
  const records = holder ? await finishUnfinished(cluster, request, log) : [];
  const state = await readRelease(cluster, namespace, release); // the same clear errors as patch mode for a wrong release or namespace
  const before = await helm.status(release, namespace);
  if (!before) {
    throw new DagshipError(
      `Helm has no release '${release}' in namespace '${namespace}', though its workloads exist`,
      'the release is not managed by helm here: deploy with --strategy patch, or check --context',
      'config',
    );
  }
  const change: ChangeSummary = { kind: 'HelmRelease', name: release, lines: valueChanges(await helm.values(release, namespace), values) };
  const outcome: ReleaseOutcome = { changes: change.lines.length > 0 ? [change] : [], dryRun: Boolean(request.dryRun), rollouts: [] };
  if (change.lines.length === 0) return outcome;
  const upgrade: HelmUpgrade = { release, namespace, chart: request.chart, chartVersion: request.chartVersion, values, timeoutMs: request.timeoutMs, description: describe(image, request) };
  if (request.dryRun) {
    // helm renders the chart with the new values and changes nothing: what would change, object by object.
    const rendered = await helm.upgrade({ ...upgrade, dryRun: true });
    change.lines.push(...manifestChanges(before.manifest, rendered.manifest));
    return outcome;
  }
  const record = newRecord(state, records, { image, holder: holder!, strategy: 'helm', helmRevision: before.revision, verification: request.verification });
  await createRecord(cluster, record);
  outcome.revision = record.revision;
  log.info(`helm upgrade ${release} ${request.chart} --reuse-values (from revision ${before.revision})`);
  try {
    const upgraded = await helm.upgrade(upgrade);
    log.info(`release ${release} is at revision ${upgraded.revision}`);
  } catch (err) {
    return abortUpgrade(cluster, helm, record, request, log, err);
  }
  const after = await readRelease(cluster, namespace, release);
  log.info(`watching ${after.workloads.length} rollouts (timeout ${Math.round(request.timeoutMs / 1000)}s)`);
  outcome.rollouts = await watchRollouts(cluster, refsOf(after), { timeoutMs: request.timeoutMs, intervalMs: request.intervalMs }, log);
  const failed = outcome.rollouts.filter((r) => !r.ok);
  if (failed.length > 0) {
    // The report is read before rolling back: afterwards the failing pods are gone.
    const report = await failureReport(cluster, after, failed);
    const restored = await rollBack(cluster, helm, after, before.revision, request, log);
    await settle(cluster, record, restored.every((r) => r.ok) ? 'failed' : 'rollback-pending', 'rollout failed; helm rollback', log);
    throw rolloutFailed(`release ${release} to Helm revision ${before.revision}`, restored, report);
  }
  await settle(cluster, record, 'deployed', 'deployed', log);
  return outcome;
}

async function settle(cluster: KubeCluster, record: ReleaseRecord, status: ReleaseRecord['status'], note: string, log: Logger): Promise<void> {
  await updateRecord(cluster, record, { status, notes: [...record.notes, `${new Date().toISOString()} ${note}`] }).catch((err: unknown) =>
    log.warn(`could not write release record ${record.revision}: ${reasonOf(err)}`),
  );
}

function describe(image: string, request: HelmRequest): string {
  // --revision has no annotation to land in here: helm's history keeps it instead.
  return `dagship deploy ${image}${request.revision ? ` revision ${request.revision}` : ''}${request.verification ? ` (${request.verification})` : ''}`.slice(0, 500);
}

const refsOf = (state: ReleaseState): WorkloadRef[] => state.workloads.map(({ kind, name, namespace }) => ({ kind, name, namespace }));

/** helm failed half-way (a hook, the API): if it wrote a new revision, go back to the one before. */
async function abortUpgrade(cluster: KubeCluster, helm: Helm, record: ReleaseRecord, request: HelmRequest, log: Logger, err: unknown): Promise<never> {
  const revision = record.helmRevision!;
  const now = await helm.status(request.release, request.namespace).catch(() => undefined);
  if (!now || now.revision <= revision) {
    await settle(cluster, record, 'failed', `helm upgrade failed before writing a revision: ${reasonOf(err)}`, log);
    throw err;
  }
  try {
    await rollBack(cluster, helm, await readRelease(cluster, request.namespace, request.release), revision, request, log);
    await settle(cluster, record, 'failed', `helm upgrade failed: ${reasonOf(err)}; helm rollback`, log);
  } catch (rollbackErr) {
    await settle(cluster, record, 'rollback-failed', `helm upgrade failed: ${reasonOf(err)}; helm rollback failed: ${reasonOf(rollbackErr)}`, log);
    throw new DagshipError(
      `${reasonOf(err)}; rolling release ${request.release} back to revision ${revision} failed too: ${reasonOf(rollbackErr)}`,
      `check the release by hand (helm history ${request.release} -n ${request.namespace}), then helm rollback`,
      'infra',
      { cause: err },
    );
  }
  throw err;
}

/** `helm rollback` to `revision`, then the same watch; OrderedReady StatefulSets get their stuck pods deleted. */
async function rollBack(cluster: KubeCluster, helm: Helm, state: ReleaseState, revision: number, request: HelmRequest, log: Logger): Promise<RolloutResult[]> {
  log.warn(`rolling release ${request.release} back to Helm revision ${revision}`);
  const stuck = await stuckStatefulSets(cluster, state);
  await helm.rollback(request.release, request.namespace, revision, Math.max(request.timeoutMs, ROLLBACK_MIN_MS));
  for (const { workload, revision: failedRevision } of stuck) await forceStatefulSetRollback(cluster, workload, failedRevision, log);
  return watchRollouts(cluster, refsOf(state), { timeoutMs: Math.max(request.timeoutMs, ROLLBACK_MIN_MS), intervalMs: request.intervalMs }, log);
}

/** StatefulSets (OrderedReady) caught mid-rollout, with the revision their broken pods run. */
async function stuckStatefulSets(cluster: KubeCluster, state: ReleaseState): Promise<{ workload: Workload; revision: string }[]> {
  const found: { workload: Workload; revision: string }[] = [];
  for (const w of state.workloads.filter((x) => x.kind === 'StatefulSet')) {
    const fresh = await cluster.readWorkload(w);
    const st = fresh.object as k8s.V1StatefulSet;
    const moving = st.status?.updateRevision && st.status.updateRevision !== st.status.currentRevision;
    if (moving && st.spec?.podManagementPolicy !== 'Parallel') found.push({ workload: fresh, revision: st.status!.updateRevision! });
  }
  return found;
}
