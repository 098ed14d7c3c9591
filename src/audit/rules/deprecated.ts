import { finding, type AuditContext } from '../context.js';
import type { Finding } from '../../findings.js';

/**
 * Airflow options that moved: [old section.option, new section.option, Airflow version of the move].
 * Airflow 2 still reads an old name with a deprecation warning; Airflow 3 ignores the 2.x names entirely.
 * From airflow/configuration.py `deprecated_options` (2.x and 3.x).
 */
const MOVED: Array<[from: string, to: string, since: string]> = [
  ['core.dag_concurrency', 'core.max_active_tasks_per_dag', '2.2'],
  ['core.sql_alchemy_conn', 'database.sql_alchemy_conn', '2.3'],
  ['core.sql_alchemy_pool_size', 'database.sql_alchemy_pool_size', '2.3'],
  ['core.sql_alchemy_max_overflow', 'database.sql_alchemy_max_overflow', '2.3'],
  ['core.remote_logging', 'logging.remote_logging', '2.0'],
  ['core.remote_base_log_folder', 'logging.remote_base_log_folder', '2.0'],
  ['core.remote_log_conn_id', 'logging.remote_log_conn_id', '2.0'],
  ['core.logging_level', 'logging.logging_level', '2.0'],
  ['core.worker_precheck', 'celery.worker_precheck', '2.0'],
  ['scheduler.max_threads', 'scheduler.parsing_processes', '2.0'],
  ['scheduler.processor_poll_interval', 'scheduler.scheduler_idle_sleep_time', '2.2'],
  ['celery.stalled_task_timeout', 'scheduler.task_queued_timeout', '2.6'],
  ['kubernetes_executor.worker_pods_pending_timeout', 'scheduler.task_queued_timeout', '2.6'],
  ['scheduler.dag_dir_list_interval', 'dag_processor.refresh_interval', '3.0'],
  ['scheduler.parsing_pre_import_modules', 'dag_processor.parsing_pre_import_modules', '3.0.4'],
  ['webserver.base_url', 'api.base_url', '3.0'],
  ['webserver.web_server_host', 'api.host', '3.0'],
  ['webserver.web_server_port', 'api.port', '3.0'],
  ['webserver.workers', 'api.workers', '3.0'],
  ['webserver.web_server_worker_timeout', 'api.worker_timeout', '3.0'],
  ['webserver.web_server_ssl_cert', 'api.ssl_cert', '3.0'],
  ['webserver.web_server_ssl_key', 'api.ssl_key', '3.0'],
  ['webserver.access_logfile', 'api.access_logfile', '3.0'],
  ['webserver.expose_config', 'api.expose_config', '3.0.1'],
  ['webserver.secret_key', 'api.secret_key', '3.0.2'],
  ['webserver.enable_swagger_ui', 'api.enable_swagger_ui', '3.0.2'],
  ['webserver.page_size', 'api.page_size', '3.1'],
  ['webserver.instance_name', 'api.instance_name', '3.1'],
  ['triggerer.default_capacity', 'triggerer.capacity', '3.0'],
  ['scheduler.running_metrics_interval', 'scheduler.ti_metrics_interval', '3.2'],
];

/** Options the chart writes into [kubernetes_executor] itself: an old [kubernetes] value for them always loses. */
const CHART_WRITES = new Set(['namespace', 'pod_template_file', 'worker_container_repository', 'worker_container_tag', 'multi_namespace_mode']);

const major = (version: string) => Number.parseInt(version, 10);

/** -1, 0 or 1 as version a is older, equal or newer than b ('3.0.2' vs '3.2.2'). */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0));
  for (let i = 0; i < Math.max(x!.length, y!.length); i++) {
    const d = (x![i] ?? 0) - (y![i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

/** Options the team wrote under an old name or section. The chart's own defaults are not the team's to fix. */
export function deprecatedRules(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const { keyPath } of ctx.values.setUnder('config')) {
    if (keyPath.length !== 3 || ctx.values.get(keyPath) === undefined) continue;
    const [, section, option] = keyPath as [string, string, string];
    const moved = MOVED.find(([from]) => from === `${section}.${option}`);
    if (moved && compareVersions(moved[2], ctx.airflowVersion) <= 0) out.push(movedFinding(ctx, keyPath, moved));
    else if (section === 'kubernetes') out.push(oldSectionFinding(ctx, keyPath, option));
  }
  return out;
}

function movedFinding(ctx: AuditContext, keyPath: string[], [from, to, since]: [string, string, string]): Finding {
  const ignored = major(since) < 3 && ctx.airflowMajor >= 3;
  return finding(ctx, {
    rule: 'helm-config-deprecated-key',
    severity: 'warning',
    at: [keyPath],
    message: `config.${from} was renamed [${to.replace('.', '] ')} in Airflow ${since}: ${ignored ? `Airflow ${ctx.airflowVersion} ignores the old name, so this setting has no effect` : 'Airflow reads the old name only as a deprecated fallback'}`,
    help: `move the value to config.${to}`,
  });
}

function oldSectionFinding(ctx: AuditContext, keyPath: string[], option: string): Finding {
  const lost = CHART_WRITES.has(option)
    ? 'the chart also writes this option into [kubernetes_executor], which wins, so this value is ignored'
    : ctx.airflowMajor >= 3
      ? `Airflow ${ctx.airflowVersion} no longer reads [kubernetes], so this setting has no effect`
      : 'Airflow 2.5+ reads [kubernetes] only as a deprecated fallback';
  return finding(ctx, {
    rule: 'helm-config-deprecated-key',
    severity: 'warning',
    at: [keyPath],
    message: `config.kubernetes.${option}: the [kubernetes] section was renamed [kubernetes_executor] in Airflow 2.5; ${lost}`,
    help: `move the value to config.kubernetes_executor.${option}`,
  });
}
