import { DagshipError, reasonOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { applyChange, restore, type Applied } from './apply.js';
import type { KubeCluster, WorkloadRef } from './cluster.js';
import { requirePinned } from './images.js';
import type { DeployMeta } from './plan.js';
import { planRelease, previousImageOf, readRelease, type PlannedChange, type ReleaseState } from './release.js';
import { label, watchRollouts, type RolloutResult } from './watch.js';

/** Giving up on a rollback leaves the release half-done, so it gets at least this long. */
export const ROLLBACK_MIN_MS = 60_000;

export interface ReleaseRequest {
  namespace: string;
  release: string;
  timeoutMs: number;
  dryRun?: boolean;
  /** Recorded as dagship.io/revision; default: the image's tag, else its digest. */
  revision?: string;
  /** Recorded as dagship.io/verification on every changed object. */
  verification?: string;
  intervalMs?: number;
}

/** One changed object as a person reads it: `deployment/x` (or `helmrelease/x`) and what changes. */
export interface ChangeSummary {
  kind: string;
  name: string;
  lines: string[];
}

export interface ReleaseOutcome {
  changes: ChangeSummary[];
  dryRun: boolean;
  rollouts: RolloutResult[];
}

/** Moves every Airflow workload and the worker image of a release to `image`, all or nothing. */
export async function deployRelease(cluster: KubeCluster, image: string, request: ReleaseRequest, log: Logger): Promise<ReleaseOutcome> {
  const pinned = requirePinned(image);
  const state = await readRelease(cluster, request.namespace, request.release);
  const meta: DeployMeta = { revision: request.revision ?? pinned.tag ?? pinned.digest!, now: new Date().toISOString(), verification: request.verification };
  return execute(cluster, state, planRelease(state, () => image, meta), meta, request, log);
}

/** Returns each object of a release to the image recorded in its dagship.io/previous-image. */
export async function rollbackRelease(cluster: KubeCluster, request: ReleaseRequest, log: Logger): Promise<ReleaseOutcome> {
  const state = await readRelease(cluster, request.namespace, request.release);
  const annotated = [...state.workloads.map((w) => w.object.metadata), state.configMap?.metadata].some((m) => previousImageOf(m?.annotations));
  if (!annotated) {
    throw new DagshipError(
      `nothing to roll back: no workload of release '${request.release}' carries a dagship.io/previous-image annotation`,
      'rollback returns to the image before the last `dagship deploy`; this release was never deployed by dagship',
      'config',
    );
  }
  const meta: DeployMeta = { revision: request.revision ?? 'rollback', now: new Date().toISOString(), verification: 'rollback: back to the image deployed before' };
  return execute(cluster, state, planRelease(state, previousImageOf, meta), meta, request, log);
}

async function execute(cluster: KubeCluster, state: ReleaseState, changes: PlannedChange[], meta: DeployMeta, request: ReleaseRequest, log: Logger): Promise<ReleaseOutcome> {
  const outcome: ReleaseOutcome = { changes, dryRun: Boolean(request.dryRun), rollouts: [] };
  if (changes.length === 0 || request.dryRun) return outcome;
  log.warn("dagship patches the workloads directly: the next `helm upgrade` without images.airflow.* set to this image reverts it");
  const applied: Applied[] = [];
  try {
    // All at once, so the rollouts start together; a refused patch still rolls back the ones that landed.
    const results = await Promise.allSettled(changes.map((change) => {
      log.info(`patching ${label(change)}`);
      return applyChange(cluster, state, change, meta, log);
    }));
    for (const r of results) if (r.status === 'fulfilled' && r.value) applied.push(r.value);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (refused) throw refused.reason;
    const refs = applied.flatMap((a) => (a.kind === 'Workload' ? [a.ref] : []));
    log.info(`watching ${refs.length} rollouts (timeout ${Math.round(request.timeoutMs / 1000)}s)`);
    outcome.rollouts = await watchRollouts(cluster, refs, { timeoutMs: request.timeoutMs, intervalMs: request.intervalMs }, log);
  } catch (err) {
    return abort(cluster, applied, request, log, err);
  }
  const failed = outcome.rollouts.filter((r) => !r.ok);
  if (failed.length > 0) await fail(cluster, state, failed, applied, request, log);
  return outcome;
}

async function fail(cluster: KubeCluster, state: ReleaseState, failed: RolloutResult[], applied: Applied[], request: ReleaseRequest, log: Logger): Promise<never> {
  // The report is read before rolling back: afterwards the failing pods are gone.
  const report = await failureReport(cluster, state, failed);
  const restored = await rollBack(cluster, applied, request, log);
  const names = applied.map((a) => (a.kind === 'Workload' ? label(a.ref) : `configmap/${a.name}`)).join(', ');
  throw rolloutFailed(names, restored, report);
}

/** The error of a failed rollout, after the rollback: what was rolled back, whether it all came back, and why it failed. */
export function rolloutFailed(rolledBack: string, restored: RolloutResult[], report: string[]): DagshipError {
  const after = restored.every((r) => r.ok) ? 'all back on their previous images' : `NOT all back: ${restored.filter((r) => !r.ok).map((r) => `${label(r.ref)} ${r.message}`).join('; ')}`;
  return new DagshipError(
    `rollout failed, rolled back ${rolledBack} (${after})\n${report.join('\n')}`,
    'fix what the report shows (an image that cannot be pulled, a crashing container), then deploy again',
    'gate',
  );
}

/** A patch or a status read failed half-way: put back what was patched, then report the first error. */
async function abort(cluster: KubeCluster, applied: Applied[], request: ReleaseRequest, log: Logger, err: unknown): Promise<never> {
  try {
    await rollBack(cluster, applied, request, log);
  } catch (rollbackErr) {
    throw new DagshipError(
      `${reasonOf(err)}; rolling back the ${applied.length} objects already patched failed too: ${reasonOf(rollbackErr)}`,
      `check the release by hand (kubectl get deploy,sts -n ${request.namespace} -l release=${request.release}), then run dagship rollback`,
      'infra',
      { cause: err },
    );
  }
  throw err;
}

/** Per failed workload: why (the rollout state), and its pods' problems (container states, warning events). */
export async function failureReport(cluster: KubeCluster, state: ReleaseState, failed: RolloutResult[]): Promise<string[]> {
  const lines: string[] = [];
  for (const r of failed) {
    lines.push(`  ${label(r.ref)}: ${r.message}`);
    const w = state.workloads.find((x) => x.kind === r.ref.kind && x.name === r.ref.name);
    const selector = w?.object.spec?.selector.matchLabels ?? {};
    const problems = await cluster.podProblems(state.namespace, selector).catch(() => [] as string[]);
    lines.push(...[...new Set(problems)].slice(0, 10).map((p) => `    ${p}`));
  }
  return lines;
}

async function rollBack(cluster: KubeCluster, applied: Applied[], request: ReleaseRequest, log: Logger): Promise<RolloutResult[]> {
  if (applied.length === 0) return [];
  log.warn(`rolling back ${applied.length} changed objects`);
  for (const a of applied) await restore(cluster, a, log);
  const refs: WorkloadRef[] = applied.flatMap((a) => (a.kind === 'Workload' ? [a.ref] : []));
  return watchRollouts(cluster, refs, { timeoutMs: Math.max(request.timeoutMs, ROLLBACK_MIN_MS), intervalMs: request.intervalMs }, log);
}
