import { DagshipError, reasonOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { KubeCluster, Workload, WorkloadRef } from './cluster.js';
import { rolloutState } from './rollout.js';

export interface RolloutResult {
  ref: WorkloadRef;
  ok: boolean;
  message: string;
}

export interface WatchOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Ends every watch early (a signal): each result is then not ok, "stopped". */
  signal?: AbortSignal;
  /** Give up once the API server has not answered for this long (a rollback must not wait on a dead server). */
  unansweredMs?: number;
}

export const label = (ref: { kind: string; name: string }) => `${ref.kind.toLowerCase()}/${ref.name}`;

/** Watches all rollouts at once; each ends done, failed (progress deadline) or timed out. */
export function watchRollouts(cluster: KubeCluster, refs: WorkloadRef[], options: WatchOptions, log: Logger): Promise<RolloutResult[]> {
  const deadline = Date.now() + options.timeoutMs;
  return Promise.all(refs.map((ref) => watchOne(cluster, ref, deadline, options, log)));
}

/** Polls this often even while a watch runs: a watch can end quietly (a proxy timeout, an API restart). */
const POLL_BESIDE_WATCH_MS = 5_000;

async function watchOne(cluster: KubeCluster, ref: WorkloadRef, deadline: number, options: WatchOptions, log: Logger): Promise<RolloutResult> {
  const intervalMs = options.intervalMs ?? 500;
  const { signal } = options;
  let answered = Date.now();
  let last = '';
  let pushed: Workload | undefined;
  let wake: () => void = () => undefined;
  // Event-driven like `kubectl rollout status`: the end of a rollout is seen when it happens, not at the next poll.
  const stop = await cluster
    .watchWorkload?.(ref, (w) => {
      pushed = w;
      wake();
    })
    .catch((err: unknown) => {
      log.debug(`${label(ref)}: cannot watch (${reasonOf(err)}); polling every ${intervalMs} ms`);
      return undefined;
    });
  const pause = stop ? POLL_BESIDE_WATCH_MS : intervalMs;
  try {
    for (;;) {
      if (signal?.aborted) return { ref, ok: false, message: `stopped: ${last || 'not watched'}` };
      const workload = pushed ?? (await readOrWait(cluster, ref, log));
      pushed = undefined;
      if (workload) answered = Date.now();
      else if (Date.now() >= deadline || (options.unansweredMs !== undefined && Date.now() - answered >= options.unansweredMs)) {
        return { ref, ok: false, message: `the API server did not answer for ${Math.round((Date.now() - answered) / 1000)}s: ${last || 'rollout not seen'}` };
      }
      if (workload) {
        const state = rolloutState(workload);
        // Only changes are printed, so a long wait stays a few lines per workload.
        if (state.message !== last) log.info(`  ${label(ref)}: ${state.message}`);
        last = state.message;
        if (state.phase === 'done') return { ref, ok: true, message: state.message };
        if (state.phase === 'failed') return { ref, ok: false, message: state.message };
        if (Date.now() >= deadline) return { ref, ok: false, message: `timed out: ${state.message}` };
      }
      if (pushed) continue;
      await new Promise<void>((resolve) => {
        // A pending timer would keep the process alive after the rollout ends: cleared on a wake-up.
        const timer = setTimeout(done, Math.min(pause, Math.max(0, deadline - Date.now())));
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  } finally {
    stop?.();
  }
}

/** A blip of the API server (kind infra) is waited out (undefined); a 403 or a deleted object is not. */
function readOrWait(cluster: KubeCluster, ref: WorkloadRef, log: Logger): Promise<Workload | undefined> {
  return cluster.readWorkload(ref).catch((err: unknown) => {
    if (!(err instanceof DagshipError && err.kind === 'infra')) throw err;
    log.debug(`${label(ref)}: ${err.message}; trying again`);
    return undefined;
  });
}
