import { DagshipError } from '../errors.js';
import type { Logger } from '../logger.js';
import { stoppedBy, StoppedError } from '../stop.js';
import type { KubeCluster } from './cluster.js';
import { putBack, recoverCommand, UNFINISHED, withReleaseLock, type ChangeSummary, type ReleaseOutcome, type ReleaseRequest } from './deploy.js';
import type { Helm } from './helm.js';
import { imagesOf, listRecords, matches, snapshotConfigMap, snapshotWorkload, updateRecord, type ObjectState, type ReleaseRecord } from './record.js';
import { label, watchRollouts } from './watch.js';

/** The release gate for what a rollback returns to: given its images, returns what is recorded, or throws. */
export type VerifyImages = (images: string[]) => Promise<string>;

/**
 * Returns every object of the release to the state recorded before the newest deploy that took effect,
 * through the release gate. A deploy left unfinished (killed, or stopped before its rollouts back were
 * watched) is finished instead: its own starting state. Twice is once: a release already back is left alone.
 */
export async function rollbackRelease(cluster: KubeCluster, request: ReleaseRequest, verify: VerifyImages, log: Logger, helm?: Helm): Promise<ReleaseOutcome> {
  if (request.dryRun) {
    const target = pick(await history(cluster, request));
    return target ? plan(cluster, request, target, true) : { changes: [], dryRun: true, rollouts: [] };
  }
  return withReleaseLock(cluster, request, 'rollback', log, async (holder) => {
    const target = pick(await history(cluster, request));
    if (!target) return { changes: [], dryRun: false, rollouts: [] };
    const outcome = await plan(cluster, request, target, false);
    if (target.strategy === 'helm') return helmRollback(cluster, helm, target, request, verify, log, holder);
    if (target.status === 'rolled-back' && outcome.changes.length === 0) return outcome;
    const unfinished = UNFINISHED.has(target.status);
    if (unfinished) log.warn(`revision ${target.revision} (${target.image}) was left '${target.status}' by ${target.holder}: finishing it, every object back on its state before it`);
    const verification = await verify(imagesOf(target.before));
    const done = unfinished ? (target.undo ?? 'failed') : 'rolled-back';
    const back = await putBack(cluster, target, request, log, { done, watchAll: true, note: `${unfinished ? 'finished' : 'rolled back'} by ${holder}; release gate: ${verification}` });
    outcome.rollouts = back.restored;
    if (back.done) return outcome;
    const signal = stoppedBy();
    if (signal && back.status === 'rollback-pending')
      throw new StoppedError(
        signal,
        `stopped by ${signal}: every object is back on its state before revision ${target.revision}; its rollouts were not watched to the end. To finish: ${recoverCommand(request)}`,
      );
    const failed = [...back.reports.filter((r) => r.state === 'unknown').map((r) => `${r.what}: ${r.detail}`), ...back.restored.filter((r) => !r.ok).map((r) => `${label(r.ref)}: ${r.message}`)];
    throw new DagshipError(
      `rollback of release '${request.release}' to its state before revision ${target.revision} did not finish (recorded as ${back.status}):\n${failed.map((l) => `  ${l}`).join('\n')}`,
      `fix what is listed (an old image that no longer starts?), then run ${recoverCommand(request)} again`,
      back.status === 'rollback-failed' ? 'infra' : 'gate',
    );
  });
}

async function history(cluster: KubeCluster, request: ReleaseRequest): Promise<ReleaseRecord[]> {
  const records = await listRecords(cluster, request.namespace, request.release);
  if (records.length === 0) {
    throw new DagshipError(
      `nothing to roll back: release '${request.release}' in '${request.namespace}' has no dagship release record`,
      'rollback returns to the state recorded by the last `dagship deploy` of this release; to go back by hand, deploy the image you want (its dagship.io/previous-image annotation names the one before)',
      'config',
    );
  }
  return records;
}

/** The newest record that is unfinished or took effect; deploys that failed and were undone are passed over. */
function pick(records: ReleaseRecord[]): ReleaseRecord | undefined {
  return UNFINISHED.has(records[0]!.status) ? records[0] : records.find((r) => r.status !== 'failed');
}

/** What differs between the server and the record's starting state, object by object. */
async function plan(cluster: KubeCluster, request: ReleaseRequest, record: ReleaseRecord, dryRun: boolean): Promise<ReleaseOutcome> {
  const changes: ChangeSummary[] = [];
  for (const state of record.before) {
    const now = await current(cluster, request.namespace, state);
    if (now && !matches(state, now)) changes.push({ kind: state.kind, name: state.name, lines: differences(now, state) });
  }
  return { changes, dryRun, rollouts: [], revision: record.revision };
}

async function current(cluster: KubeCluster, namespace: string, state: ObjectState): Promise<ObjectState | undefined> {
  if (state.kind === 'ConfigMap') {
    const cm = await cluster.readConfigMap(namespace, state.name);
    return cm && snapshotConfigMap(cm);
  }
  return snapshotWorkload(await cluster.readWorkload({ kind: state.kind, name: state.name, namespace }));
}

function differences(now: ObjectState, target: ObjectState): string[] {
  if (target.kind === 'ConfigMap')
    return Object.keys(target.data ?? {})
      .filter((k) => now.data?.[k] !== target.data?.[k])
      .map((k) => `${k}: back to its state before the deploy`);
  const lines: string[] = [];
  for (const [what, list] of [
    ['init container', 'initContainers'],
    ['container', 'containers'],
  ] as const) {
    for (const c of target[list] ?? []) {
      const other = now[list]?.find((x) => x.name === c.name);
      if (other && other.image !== c.image) lines.push(`${what} ${c.name}: ${other.image} → ${c.image}`);
      else if (other && JSON.stringify(other.env ?? []) !== JSON.stringify(c.env ?? [])) lines.push(`${what} ${c.name}: env back to its state before the deploy`);
    }
  }
  return lines;
}

/** A release Helm owns goes back with `helm rollback` to the revision the record names. */
async function helmRollback(cluster: KubeCluster, helm: Helm | undefined, record: ReleaseRecord, request: ReleaseRequest, verify: VerifyImages, log: Logger, holder: string): Promise<ReleaseOutcome> {
  if (!helm || record.helmRevision === undefined) {
    throw new DagshipError(`release record ${record.revision} was written by a helm-strategy deploy`, 'run rollback with --strategy helm (helm must be on PATH or in DAGSHIP_HELM)', 'usage');
  }
  const status = await helm.status(request.release, request.namespace);
  const outcome: ReleaseOutcome = { changes: [], dryRun: false, rollouts: [], revision: record.revision };
  if (record.status === 'rolled-back') return outcome;
  const verification = await verify(imagesOf(record.before));
  outcome.changes.push({ kind: 'HelmRelease', name: request.release, lines: [`helm rollback from revision ${status?.revision ?? '?'} to ${record.helmRevision}`] });
  log.warn(`rolling release ${request.release} back to Helm revision ${record.helmRevision}`);
  await helm.rollback(request.release, request.namespace, record.helmRevision, request.timeoutMs);
  const refs = record.before.flatMap((s) => (s.kind === 'ConfigMap' ? [] : [{ kind: s.kind, name: s.name, namespace: request.namespace }]));
  outcome.rollouts = await watchRollouts(cluster, refs, { timeoutMs: request.timeoutMs, intervalMs: request.intervalMs }, log);
  const ok = outcome.rollouts.every((r) => r.ok);
  await updateRecord(cluster, record, {
    status: ok ? 'rolled-back' : 'rollback-pending',
    notes: [...record.notes, `${new Date().toISOString()} helm rollback to ${record.helmRevision} by ${holder}; release gate: ${verification}`],
  });
  if (!ok)
    throw new DagshipError(
      `helm rollback to revision ${record.helmRevision} did not roll out: ${outcome.rollouts
        .filter((r) => !r.ok)
        .map((r) => `${label(r.ref)} ${r.message}`)
        .join('; ')}`,
      `fix what is listed, then run ${recoverCommand(request)} again`,
      'gate',
    );
  return outcome;
}
