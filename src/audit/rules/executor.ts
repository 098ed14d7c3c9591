import { AIRFLOW_DEFAULTS } from '../defaults.js';
import { airflowOption, chartTrue, finding, text, type AuditContext } from '../context.js';
import type { Finding } from '../../findings.js';

/** Executor tuning: KubernetesExecutor pod creation, the team's parallelism floor and heartbeat, idle Redis. */
export function executorRules(ctx: AuditContext): Finding[] {
  return [batchSize(ctx), parallelismFloor(ctx), heartbeat(ctx), unusedRedis(ctx)].filter((f): f is Finding => f !== undefined);
}

/** An option's number as Airflow reads it; the chart's old [kubernetes] section is Airflow 2's fallback. */
function numberOption(ctx: AuditContext, section: string, key: string, fallbackSection?: string): { value: number; at?: string | readonly string[] } {
  const option = airflowOption(ctx, section, key) ?? (fallbackSection ? airflowOption(ctx, fallbackSection, key) : undefined);
  const parsed = option ? Number(text(option.value)) : Number.NaN;
  const fallback = AIRFLOW_DEFAULTS[`${section}.${key}` as keyof typeof AIRFLOW_DEFAULTS];
  return Number.isFinite(parsed) ? { value: parsed, at: option?.at } : { value: fallback };
}

function batchSize(ctx: AuditContext): Finding | undefined {
  if (!ctx.executors.kubernetes) return undefined;
  const { value, at } = numberOption(ctx, 'kubernetes_executor', 'worker_pods_creation_batch_size', 'kubernetes');
  if (value > 1) return undefined;
  const parallelism = numberOption(ctx, 'core', 'parallelism').value;
  // A quarter of parallelism, kept between 8 and 32: enough to start a burst in a few loops.
  const suggested = Math.min(32, Math.max(8, Math.round(parallelism / 4)));
  return finding(ctx, {
    rule: 'helm-k8s-pod-batch-size',
    severity: 'warning',
    at: [at ?? 'config.kubernetes_executor.worker_pods_creation_batch_size'],
    message: `[kubernetes_executor] worker_pods_creation_batch_size is ${value}${at ? '' : " (Airflow's default)"}: the scheduler creates ${value} task pod per scheduler loop, so a burst of queued tasks starts one by one`,
    help: `set config.kubernetes_executor.worker_pods_creation_batch_size: ${suggested} (about a quarter of parallelism ${parallelism}; raise it as far as your API server tolerates)`,
  });
}

function parallelismFloor(ctx: AuditContext): Finding | undefined {
  const floor = ctx.options.minParallelism;
  if (floor === undefined) return undefined;
  const { value, at } = numberOption(ctx, 'core', 'parallelism');
  if (value >= floor) return undefined;
  return finding(ctx, {
    rule: 'helm-parallelism-below-floor',
    severity: 'warning',
    at: [at ?? 'config.core.parallelism'],
    message: `[core] parallelism is ${value}${at ? '' : " (Airflow's default)"}, below the team's floor of ${floor} (--min-parallelism): at most ${value} task instances run at once across the whole installation`,
    help: `set config.core.parallelism: ${floor} or more`,
  });
}

function heartbeat(ctx: AuditContext): Finding | undefined {
  const expected = ctx.options.expectedHeartbeat;
  if (expected === undefined) return undefined;
  const { value, at } = numberOption(ctx, 'scheduler', 'scheduler_heartbeat_sec');
  if (value === expected) return undefined;
  return finding(ctx, {
    rule: 'helm-scheduler-heartbeat',
    severity: 'warning',
    at: [at ?? 'config.scheduler.scheduler_heartbeat_sec'],
    message: `[scheduler] scheduler_heartbeat_sec is ${value}${at ? ' s' : " s, left at Airflow's default"}, but the team runs with ${expected} s (--expected-heartbeat): health checks and liveness probes tuned for ${expected} s misjudge this scheduler`,
    help: `set config.scheduler.scheduler_heartbeat_sec: ${expected}`,
  });
}

/** Only a value the team wrote: the chart skips Redis for executors without Celery, so its default costs nothing. */
function unusedRedis(ctx: AuditContext): Finding | undefined {
  if (!ctx.executors.kubernetes || ctx.executors.celery) return undefined;
  if (!ctx.values.setBy('redis.enabled') || !chartTrue(ctx.values.get('redis.enabled'))) return undefined;
  return finding(ctx, {
    rule: 'helm-redis-unused',
    severity: 'note',
    at: ['redis.enabled'],
    message: `redis.enabled is on but the executor (${ctx.executors.names.join(',')}) has no Celery: Redis is only a Celery broker, so it does nothing here (chart 1.22 does not even deploy it) and only misleads readers of the values`,
    help: 'set redis.enabled: false',
  });
}
