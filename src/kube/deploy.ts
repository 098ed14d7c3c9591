import { DagshipError, reasonOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { stopGracefully, stoppedBy, StoppedError, stopSignal } from '../stop.js';
import { applyChange } from './apply.js';
import type { KubeCluster, WorkloadRef } from './cluster.js';
import { PhaseDeadline } from './deadline.js';
import { requirePinned } from './images.js';
import { acquireReleaseLock } from './lease.js';
import type { DeployMeta } from './plan.js';
import { createRecord, listRecords, pruneRecords, RECORD_SCHEMA, RECORDS_KEPT, snapshotRelease, updateRecord, type ReleaseRecord, type RecordStatus } from './record.js';
import { planRelease, readRelease, type PlannedChange, type ReleaseState } from './release.js';
import { describeReports, restoreRelease, type ObjectReport } from './restore.js';
import { label, watchRollouts, type RolloutResult } from './watch.js';

/** Watching a rollback the server answers about gets at least this long; a silent server never does. */
export const ROLLBACK_MIN_MS = 60_000;

/**
 * What a deploy may still spend after --timeout when the API server stops answering: reading the failure
 * report, putting every object back, and writing the record and freeing the lock (45 s in all).
 */
export const AFTER_TIMEOUT_MS = { report: 5_000, restore: 20_000, unanswered: 10_000, record: 5_000, lock: 5_000 } as const;
export const AFTER_TIMEOUT_TOTAL_MS = Object.values(AFTER_TIMEOUT_MS).reduce((a, b) => a + b, 0);

export const DEFAULT_LOCK_TIMEOUT_MS = 5 * 60_000;

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
  /** How long to wait for another deploy or rollback of the release to finish (its Lease). */
  lockTimeoutMs?: number;
  /** For tests: a shorter Lease. */
  leaseSeconds?: number;
  /** Shared with the cluster client: every API request ends by the current phase's end. */
  deadline?: PhaseDeadline;
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
  /** dagship's revision of the release this deploy recorded. */
  revision?: number;
}

export const UNFINISHED = new Set<RecordStatus>(['deploying', 'rollback-pending', 'rollback-failed']);

export const recoverCommand = (request: Pick<ReleaseRequest, 'release' | 'namespace'>) => `dagship rollback --release ${request.release} --namespace ${request.namespace}`;

/**
 * Moves every Airflow workload and the worker image of a release to `image`, all or nothing: the whole
 * starting state is recorded first, and any failure, timeout or signal puts back every object the server
 * shows changed, whichever responses were seen.
 */
export async function deployRelease(cluster: KubeCluster, image: string, request: ReleaseRequest, log: Logger): Promise<ReleaseOutcome> {
  const pinned = requirePinned(image);
  const meta: DeployMeta = { revision: request.revision ?? pinned.tag ?? pinned.digest!, now: new Date().toISOString(), verification: request.verification };
  // Read first: a wrong namespace or release gets its own clear error, before any Lease is written.
  const first = await readRelease(cluster, request.namespace, request.release);
  if (request.dryRun) return { changes: planRelease(first, () => image, meta), dryRun: true, rollouts: [] };
  return withReleaseLock(cluster, request, `deploy ${image}`, log, async (holder) => {
    const records = await finishUnfinished(cluster, request, log);
    const deadline = deadlineOf(request).phase(request.timeoutMs);
    log.info(`deadline: rollouts ${seconds(request.timeoutMs)}; if the API server stops answering, dagship gives up and exits within ${seconds(request.timeoutMs + AFTER_TIMEOUT_TOTAL_MS)}`);
    const state = await readRelease(cluster, request.namespace, request.release);
    const changes = planRelease(state, () => image, meta);
    if (changes.length === 0) return { changes, dryRun: false, rollouts: [] };
    const record = newRecord(state, records, { image, holder, strategy: 'patch', verification: request.verification });
    await createRecord(cluster, record);
    await pruneRecords(cluster, records.slice(RECORDS_KEPT - 1));
    log.info(`release record ${record.revision}: starting state of ${record.before.length} objects kept in configmap ${request.release}-dagship-r${record.revision}`);
    return rollOut(cluster, state, changes, meta, record, request, deadline, log);
  });
}

export function newRecord(state: ReleaseState, records: ReleaseRecord[], what: Pick<ReleaseRecord, 'image' | 'holder' | 'strategy' | 'verification' | 'helmRevision'>): ReleaseRecord {
  const now = new Date().toISOString();
  return {
    schema: RECORD_SCHEMA,
    release: state.release,
    namespace: state.namespace,
    revision: (records[0]?.revision ?? 0) + 1,
    operation: 'deploy',
    ...what,
    status: 'deploying',
    startedAt: now,
    updatedAt: now,
    notes: [],
    before: snapshotRelease(state),
    extensions: {},
  };
}

/** Takes the release's Lease around `work`; a second signal meanwhile prints the command that recovers. */
export async function withReleaseLock<T>(cluster: KubeCluster, request: ReleaseRequest, purpose: string, log: Logger, work: (holder: string) => Promise<T>): Promise<T> {
  return stopGracefully(recoverCommand(request), async () => {
    const lock = await acquireReleaseLock(
      cluster,
      { namespace: request.namespace, release: request.release, purpose, waitMs: request.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, leaseSeconds: request.leaseSeconds },
      log,
    );
    try {
      return await work(lock.holder);
    } finally {
      deadlineOf(request).phase(AFTER_TIMEOUT_MS.lock);
      await lock.release();
    }
  });
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

const deadlineOf = (request: ReleaseRequest) => (request.deadline ??= new PhaseDeadline());

/** The records, after finishing what an interrupted deploy or rollback left: every object back on its starting state. */
export async function finishUnfinished(cluster: KubeCluster, request: ReleaseRequest, log: Logger): Promise<ReleaseRecord[]> {
  const records = await listRecords(cluster, request.namespace, request.release);
  const latest = records[0];
  if (!latest || !UNFINISHED.has(latest.status)) return records;
  log.warn(`revision ${latest.revision} (${latest.image}) was left '${latest.status}' by ${latest.holder}: first returning every object to its state before it`);
  deadlineOf(request).phase(Math.max(request.timeoutMs, ROLLBACK_MIN_MS));
  const back = await putBack(cluster, latest, request, log, { watchAll: true, done: latest.undo ?? 'failed', note: 'finished putting back' });
  if (!back.done) throw notBack(latest, back, request, `finishing the interrupted revision ${latest.revision}`);
  return records;
}

interface PutBack {
  /** Every object is back and its rollout watched: the record says `failed` or `rolled-back`. */
  done: boolean;
  status: RecordStatus;
  reports: ObjectReport[];
  restored: RolloutResult[];
}

/**
 * Puts every object of the record back, watches what moved (all workloads with `watchAll`, for a rollback
 * whose watch was left pending), and writes the outcome into the record.
 */
export async function putBack(
  cluster: KubeCluster,
  record: ReleaseRecord,
  request: ReleaseRequest,
  log: Logger,
  options: { done: 'failed' | 'rolled-back'; watchAll?: boolean; note?: string },
): Promise<PutBack> {
  const deadline = deadlineOf(request);
  deadline.phase(AFTER_TIMEOUT_MS.restore);
  log.warn(`putting every object of release '${record.release}' back on its state before revision ${record.revision}`);
  const reports = await restoreRelease(cluster, record.before, record.namespace, log);
  const unknown = reports.some((r) => r.state === 'unknown');
  let restored: RolloutResult[] = [];
  if (!unknown && !stoppedBy()) {
    const refs = reports.filter((r) => r.ref && (options.watchAll || r.state === 'restored')).map((r) => r.ref!);
    const timeoutMs = Math.max(request.timeoutMs, ROLLBACK_MIN_MS);
    deadline.phase(timeoutMs);
    if (refs.length > 0) log.info(`watching ${refs.length} rollouts back (timeout ${Math.round(timeoutMs / 1000)}s)`);
    restored = await watchRollouts(cluster, refs, { timeoutMs, intervalMs: request.intervalMs, signal: stopSignal, unansweredMs: AFTER_TIMEOUT_MS.unanswered }, log);
  }
  const status: RecordStatus = unknown ? 'rollback-failed' : stoppedBy() || restored.some((r) => !r.ok) ? 'rollback-pending' : options.done;
  deadline.phase(AFTER_TIMEOUT_MS.record);
  const note = `${new Date().toISOString()} ${options.note ?? 'put back'}: ${status}${
    unknown
      ? ` (${reports
          .filter((r) => r.state === 'unknown')
          .map((r) => `${r.what}: ${r.detail}`)
          .join('; ')})`
      : ''
  }`;
  await updateRecord(cluster, record, { status, undo: status === options.done ? undefined : options.done, notes: [...record.notes, note] }).catch((err: unknown) =>
    log.warn(`could not write the outcome into release record ${record.revision}: ${reasonOf(err)}`),
  );
  return { done: status === options.done, status, reports, restored };
}

async function rollOut(
  cluster: KubeCluster,
  state: ReleaseState,
  changes: PlannedChange[],
  meta: DeployMeta,
  record: ReleaseRecord,
  request: ReleaseRequest,
  deadline: PhaseDeadline,
  log: Logger,
): Promise<ReleaseOutcome> {
  const outcome: ReleaseOutcome = { changes, dryRun: false, rollouts: [], revision: record.revision };
  log.warn('dagship patches the workloads directly: the next `helm upgrade` without images.airflow.* set to this image reverts it');
  let failure: unknown;
  try {
    // All at once, so the rollouts start together; whatever happens, the server's state is judged after.
    const results = await Promise.allSettled(
      changes.map((change) => {
        log.info(`patching ${label(change)}`);
        return applyChange(cluster, state, change, meta, log);
      }),
    );
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (refused) throw refused.reason;
    if (!stoppedBy()) {
      const refs: WorkloadRef[] = changes.flatMap((c) => (c.kind === 'ConfigMap' ? [] : [{ kind: c.kind, name: c.name, namespace: state.namespace }]));
      log.info(`watching ${refs.length} rollouts (timeout ${Math.round(request.timeoutMs / 1000)}s)`);
      outcome.rollouts = await watchRollouts(cluster, refs, { timeoutMs: deadline.remainingMs(), intervalMs: request.intervalMs, signal: stopSignal }, log);
    }
  } catch (err) {
    failure = err;
  }
  const failed = outcome.rollouts.filter((r) => !r.ok);
  if (!failure && !stoppedBy() && failed.length === 0) {
    deadline.phase(AFTER_TIMEOUT_MS.record);
    await updateRecord(cluster, record, { status: 'deployed' }).catch((err: unknown) => log.warn(`deployed, but release record ${record.revision} could not be marked so: ${reasonOf(err)}`));
    return outcome;
  }
  // The report is read before putting back: afterwards the failing pods are gone.
  deadline.phase(AFTER_TIMEOUT_MS.report);
  const report = failure || stoppedBy() ? [] : await failureReport(cluster, state, failed);
  const back = await putBack(cluster, record, request, log, { done: 'failed', note: failure ? `deploy failed: ${reasonOf(failure)}` : stoppedBy() ? `stopped by ${stoppedBy()}` : 'rollout failed' });
  throw failureOf(record, back, request, failure, report);
}

function failureOf(record: ReleaseRecord, back: PutBack, request: ReleaseRequest, failure: unknown, report: string[]): Error {
  const signal = stoppedBy();
  if (!back.done && !(signal && back.status === 'rollback-pending')) return notBack(record, back, request, failure ? reasonOf(failure) : signal ? `stopped by ${signal}` : 'rollout failed', failure);
  const objects = describeReports(back.reports).join('\n');
  if (signal) {
    return new StoppedError(
      signal,
      `stopped by ${signal}: every object put back on its state before revision ${record.revision}, without waiting for those rollouts (recorded as rollback pending)\n${objects}\nto finish watching them, run: ${recoverCommand(request)}`,
    );
  }
  if (failure) {
    const kind = failure instanceof DagshipError ? failure.kind : 'infra';
    const hint = failure instanceof DagshipError ? failure.hint : 'see the error above';
    return new DagshipError(`${reasonOf(failure)}\nthe deploy was undone: all back on the state before revision ${record.revision}\n${objects}`, hint, kind, { cause: failure });
  }
  const rolledBack =
    back.reports
      .filter((r) => r.state === 'restored')
      .map((r) => r.what)
      .join(', ') || 'nothing (no object had changed)';
  return rolloutFailed(rolledBack, back.restored, report);
}

/** Not every object could be put back (or watched back): say which, and the one command that finishes it. */
function notBack(record: ReleaseRecord, back: PutBack, request: ReleaseRequest, why: string, cause?: unknown): DagshipError {
  const watch = back.restored.filter((r) => !r.ok).map((r) => `  ${label(r.ref)}: ${r.message}`);
  return new DagshipError(
    `${why}; and the release is NOT all back on its state before revision ${record.revision} (recorded as ${back.status}):\n${[...describeReports(back.reports), ...watch].join('\n')}`,
    `once the API server answers, run: ${recoverCommand(request)} (it returns every object to the state before revision ${record.revision})`,
    'infra',
    { cause },
  );
}

/** The error of a failed rollout, after the rollback: what was rolled back, whether it all came back, and why it failed. */
export function rolloutFailed(rolledBack: string, restored: RolloutResult[], report: string[]): DagshipError {
  const after = restored.every((r) => r.ok)
    ? 'all back on their previous images'
    : `NOT all back: ${restored
        .filter((r) => !r.ok)
        .map((r) => `${label(r.ref)} ${r.message}`)
        .join('; ')}`;
  return new DagshipError(
    `rollout failed, rolled back ${rolledBack} (${after})\n${report.join('\n')}`,
    'fix what the report shows (an image that cannot be pulled, a crashing container), then deploy again',
    'gate',
  );
}

/** Per failed workload: why (the rollout state), and its pods' problems (container states, warning events). */
export async function failureReport(cluster: KubeCluster, state: ReleaseState, failed: RolloutResult[]): Promise<string[]> {
  const perWorkload = await Promise.all(
    failed.map(async (r) => {
      const w = state.workloads.find((x) => x.kind === r.ref.kind && x.name === r.ref.name);
      const selector = w?.object.spec?.selector.matchLabels ?? {};
      const problems = await cluster.podProblems(state.namespace, selector).catch(() => [] as string[]);
      return [`  ${label(r.ref)}: ${r.message}`, ...[...new Set(problems)].slice(0, 10).map((p) => `    ${p}`)];
    }),
  );
  return perWorkload.flat();
}
