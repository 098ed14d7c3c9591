import { DagshipError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { KubeCluster, WorkloadRef } from './cluster.js';
import { rolloutState } from './rollout.js';

export interface RolloutResult {
  ref: WorkloadRef;
  ok: boolean;
  message: string;
}

export interface WatchOptions {
  timeoutMs: number;
  intervalMs?: number;
}

export const label = (ref: { kind: string; name: string }) => `${ref.kind.toLowerCase()}/${ref.name}`;

/** Watches all rollouts at once; each ends done, failed (progress deadline) or timed out. */
export function watchRollouts(cluster: KubeCluster, refs: WorkloadRef[], options: WatchOptions, log: Logger): Promise<RolloutResult[]> {
  const deadline = Date.now() + options.timeoutMs;
  return Promise.all(refs.map((ref) => watchOne(cluster, ref, deadline, options.intervalMs ?? 500, log)));
}

async function watchOne(cluster: KubeCluster, ref: WorkloadRef, deadline: number, intervalMs: number, log: Logger): Promise<RolloutResult> {
  let last = '';
  for (;;) {
    const workload = await cluster.readWorkload(ref).catch((err: unknown) => {
      // A blip of the API server (kind infra) is waited out; a 403 or a deleted object is not.
      if (!(err instanceof DagshipError && err.kind === 'infra') || Date.now() >= deadline) throw err;
      log.debug(`${label(ref)}: ${err.message}; trying again`);
      return undefined;
    });
    if (!workload) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      continue;
    }
    const state = rolloutState(workload);
    // Only changes are printed, so a long wait stays a few lines per workload.
    if (state.message !== last) log.info(`  ${label(ref)}: ${state.message}`);
    last = state.message;
    if (state.phase === 'done') return { ref, ok: true, message: state.message };
    if (state.phase === 'failed') return { ref, ok: false, message: state.message };
    if (Date.now() >= deadline) return { ref, ok: false, message: `timed out: ${state.message}` };
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
