import { airflowBool, airflowOption, chartTrue, finding, text, type AuditContext } from '../context.js';
import type { Finding } from '../../findings.js';

/** Whether task logs outlive the pod that wrote them. */
export function logsRules(ctx: AuditContext): Finding[] {
  const values = ctx.values;
  if (chartTrue(values.get('logs.persistence.enabled'))) {
    const claim = text(values.get('logs.persistence.existingClaim'));
    return claim ? [existingClaimNote(ctx, claim)] : [];
  }
  // The chart turns remote logging on by itself for Elasticsearch/OpenSearch, which need no folder.
  if (chartTrue(values.get('elasticsearch.enabled')) || chartTrue(values.get('opensearch.enabled'))) return [];
  const remote = airflowOption(ctx, 'logging', 'remote_logging');
  const folder = airflowOption(ctx, 'logging', 'remote_base_log_folder');
  if (remote && airflowBool(remote.value) === true) {
    if (folder && text(folder.value)) return [];
    return [
      finding(ctx, {
        rule: 'helm-logs-ephemeral',
        severity: 'error',
        at: [remote.at],
        message:
          'remote logging is on but [logging] remote_base_log_folder is empty: Airflow has nowhere to upload task logs, so they stay in the pod and vanish with it (a KubernetesExecutor task pod is deleted when its task ends)',
        help: 'set config.logging.remote_base_log_folder (e.g. s3://bucket/airflow/logs) and config.logging.remote_log_conn_id',
      }),
    ];
  }
  return [
    finding(ctx, {
      rule: 'helm-logs-ephemeral',
      severity: 'error',
      at: ['logs.persistence.enabled', remote?.at ?? 'config.logging.remote_logging'],
      message:
        'task logs are neither on a shared volume (logs.persistence.enabled is off) nor shipped elsewhere (config.logging.remote_logging is off): they live in each pod and vanish when it ends — task pods, restarted workers and rescheduled schedulers take their logs with them',
      help: "turn on remote logging: config.logging.remote_logging: 'True' with remote_base_log_folder (s3://, gs://, wasb://…) and remote_log_conn_id — or set logs.persistence.enabled: true (the chart creates a ReadWriteMany claim)",
    }),
  ];
}

function existingClaimNote(ctx: AuditContext, claim: string): Finding {
  return finding(ctx, {
    rule: 'helm-logs-existing-claim',
    severity: 'note',
    at: ['logs.persistence.existingClaim'],
    message: `the logs volume is the existing claim '${claim}': every component and task pod writes to it, so it must be ReadWriteMany — the chart creates its own logs claim as ReadWriteMany but cannot check one it did not create`,
    help: `check that claim ${claim} is ReadWriteMany (kubectl get pvc ${claim} -o jsonpath='{.spec.accessModes}'), or drop logs.persistence.existingClaim to let the chart create one`,
  });
}
